// Package intent is the embedded intent classifier: a multinomial logistic
// regression over word and character n-grams, trained at start-up (well
// under a second) from example utterances shipped in the repository in
// English, Finnish, Swedish and Latvian (examples/*.txt). Adding an example
// line is how a contact centre teaches it a new way of asking.
package intent

import (
	"bufio"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"unicode"

	"github.com/vastaa/vastaa/pipeline"
)

//go:embed examples/*.txt
var examplesFS embed.FS

// Example is one labelled utterance.
type Example struct {
	Lang   pipeline.Language
	Intent pipeline.Intent
	Text   string
}

// Classifier is a trained model. Safe for concurrent use (read-only).
type Classifier struct {
	intents   []pipeline.Intent
	features  map[string]int // feature -> column
	idf       []float64
	weights   [][]float64 // [intent][feature]
	bias      []float64
	threshold float64
}

// Option configures New.
type Option func(*options)

type options struct {
	examples  []Example
	threshold float64
	epochs    int
}

// WithExamples trains on these instead of the shipped examples.
func WithExamples(ex []Example) Option { return func(o *options) { o.examples = ex } }

// WithThreshold sets the confidence below which the intent is unknown (default 0.35).
func WithThreshold(t float64) Option { return func(o *options) { o.threshold = t } }

// ShippedExamples returns the examples in the repository.
func ShippedExamples() ([]Example, error) {
	var out []Example
	err := fs.WalkDir(examplesFS, "examples", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := examplesFS.ReadFile(p)
		if err != nil {
			return err
		}
		lang := pipeline.Language(strings.TrimSuffix(d.Name(), ".txt"))
		ex, err := ParseExamples(string(b), lang)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		out = append(out, ex...)
		return nil
	})
	return out, err
}

// ParseExamples reads "intent: utterance" lines; # starts a comment.
func ParseExamples(s string, lang pipeline.Language) ([]Example, error) {
	known := map[pipeline.Intent]bool{}
	for _, in := range pipeline.Intents {
		known[in] = true
	}
	var out []Example
	sc := bufio.NewScanner(strings.NewReader(s))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		in := pipeline.Intent(strings.TrimSpace(k))
		if !ok || !known[in] || in == pipeline.IntentUnknown || strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("line %d: want \"intent: utterance\" with a known intent, got %q", n, line)
		}
		out = append(out, Example{Lang: lang, Intent: in, Text: strings.TrimSpace(v)})
	}
	return out, sc.Err()
}

// New trains a classifier.
func New(opts ...Option) (*Classifier, error) {
	o := options{threshold: 0.35, epochs: 40}
	for _, f := range opts {
		f(&o)
	}
	if o.examples == nil {
		ex, err := ShippedExamples()
		if err != nil {
			return nil, err
		}
		o.examples = ex
	}
	if len(o.examples) == 0 {
		return nil, fmt.Errorf("intent: no examples to train on")
	}
	c := &Classifier{features: map[string]int{}, threshold: o.threshold}
	index := map[pipeline.Intent]int{}
	for _, in := range pipeline.Intents {
		if in != pipeline.IntentUnknown {
			index[in] = len(c.intents)
			c.intents = append(c.intents, in)
		}
	}
	// Vocabulary and document frequencies.
	docs := make([]map[string]float64, len(o.examples))
	df := map[string]int{}
	for i, ex := range o.examples {
		docs[i] = featurize(ex.Text)
		for f := range docs[i] {
			if _, ok := c.features[f]; !ok {
				c.features[f] = len(c.features)
			}
			df[f]++
		}
	}
	c.idf = make([]float64, len(c.features))
	for f, col := range c.features {
		c.idf[col] = math.Log(float64(1+len(docs))/float64(1+df[f])) + 1
	}
	xs := make([]sparse, len(docs))
	for i, d := range docs {
		xs[i] = c.vector(d)
	}
	// Multinomial logistic regression by SGD with L2, in a fixed order so
	// training is reproducible.
	k, nf := len(c.intents), len(c.features)
	c.weights = make([][]float64, k)
	for i := range c.weights {
		c.weights[i] = make([]float64, nf)
	}
	c.bias = make([]float64, k)
	rng := rand.New(rand.NewPCG(1, 1))
	order := rng.Perm(len(xs))
	const l2 = 1e-4
	p := make([]float64, k)
	for epoch := 0; epoch < o.epochs; epoch++ {
		lr := 0.5 / (1 + 0.1*float64(epoch))
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			c.probs(xs[i], p)
			y := index[o.examples[i].Intent]
			for cl := 0; cl < k; cl++ {
				g := p[cl]
				if cl == y {
					g -= 1
				}
				w := c.weights[cl]
				for j, col := range xs[i].idx {
					w[col] -= lr * (g*xs[i].val[j] + l2*w[col])
				}
				c.bias[cl] -= lr * g
			}
		}
	}
	return c, nil
}

type sparse struct {
	idx []int
	val []float64
}

// vector is the L2-normalised TF-IDF vector of known features.
func (c *Classifier) vector(d map[string]float64) sparse {
	var v sparse
	var norm float64
	keys := make([]string, 0, len(d))
	for f := range d {
		keys = append(keys, f)
	}
	sort.Strings(keys)
	for _, f := range keys {
		col, ok := c.features[f]
		if !ok {
			continue
		}
		x := d[f] * c.idf[col]
		v.idx = append(v.idx, col)
		v.val = append(v.val, x)
		norm += x * x
	}
	if norm > 0 {
		norm = math.Sqrt(norm)
		for i := range v.val {
			v.val[i] /= norm
		}
	}
	return v
}

func (c *Classifier) probs(x sparse, p []float64) {
	maxz := math.Inf(-1)
	for cl := range c.intents {
		z := c.bias[cl]
		w := c.weights[cl]
		for j, col := range x.idx {
			z += w[col] * x.val[j]
		}
		p[cl] = z
		maxz = math.Max(maxz, z)
	}
	var sum float64
	for cl := range p {
		p[cl] = math.Exp(p[cl] - maxz)
		sum += p[cl]
	}
	for cl := range p {
		p[cl] /= sum
	}
}

// Name implements pipeline.IntentClassifier.
func (c *Classifier) Name() string { return "embedded-logreg" }

// Classify implements pipeline.IntentClassifier. Text the model has
// (almost) never seen anything like is unknown whatever the arithmetic says.
func (c *Classifier) Classify(ctx context.Context, text string, lang pipeline.Language) (pipeline.IntentResult, error) {
	d := featurize(text)
	if len(d) == 0 {
		return pipeline.IntentResult{Intent: pipeline.IntentUnknown}, nil
	}
	x := c.vector(d)
	known := float64(len(x.idx)) / float64(len(d))
	p := make([]float64, len(c.intents))
	c.probs(x, p)
	res := pipeline.IntentResult{Scores: map[pipeline.Intent]float64{}}
	best := 0
	for cl, v := range p {
		res.Scores[c.intents[cl]] = v
		if v > p[best] {
			best = cl
		}
	}
	res.Intent, res.Confidence = c.intents[best], p[best]
	if known < 0.3 {
		res.Confidence *= known / 0.3
	}
	if res.Confidence < c.threshold {
		res.Intent = pipeline.IntentUnknown
	}
	return res, nil
}

// featurize makes word unigram, word bigram and character 3-4-gram counts.
func featurize(text string) map[string]float64 {
	ws := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	f := map[string]float64{}
	for i, w := range ws {
		f["w:"+w]++
		if i > 0 {
			f["b:"+ws[i-1]+"_"+w]++
		}
		r := []rune("<" + w + ">")
		for n := 3; n <= 4; n++ {
			for j := 0; j+n <= len(r); j++ {
				f["c:"+string(r[j:j+n])] += 0.5
			}
		}
	}
	return f
}
