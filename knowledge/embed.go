package knowledge

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
)

// Embedder turns texts into vectors. Every vector is unit length, so the
// dot product is the cosine similarity.
type Embedder interface {
	// Model names the embedding (and its version): a store built with one
	// model refuses vectors of another.
	Model() string
	Dim() int
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// ErrEmbeddingMismatch is returned when a knowledge base was built with a
// different embedding model or dimension than the one in use.
var ErrEmbeddingMismatch = errors.New("embedding model mismatch")

// MismatchError says which model the store has and which was offered.
func MismatchError(tenant, haveModel string, haveDim int, model string, dim int) error {
	return fmt.Errorf("%w: knowledge base %q was built with %s (dimension %d) but this run uses %s (dimension %d); re-ingest into a new tenant or keep the original model",
		ErrEmbeddingMismatch, tenant, haveModel, haveDim, model, dim)
}

// LocalEmbedder is the default embedding: deterministic, no model file, no
// network. Each content word contributes its five-letter stem, its
// character 3- and 4-grams (which match inflected forms and the parts of
// compounds: "lääkäri" inside "yleislääkärin"), the bigram with the next
// word, and the concepts the shipped lexicon gives it ("pay" and "price"
// both mean price), hashed into Dim signed buckets and normalised.
type LocalEmbedder struct {
	dim   int
	lex   *Lexicon
	model string
}

// LocalModel is the name the local embedding is recorded under (with the
// lexicon's version appended, so a changed lexicon is a new model).
const LocalModel = "vastaa-hash-v3"

// NewLocalEmbedder makes the local embedding with dim dimensions (512 when
// 0) and the shipped lexicon.
func NewLocalEmbedder(dim int) *LocalEmbedder {
	return NewLocalEmbedderWith(dim, ShippedLexicon())
}

// NewLocalEmbedderWith uses lex (nil: no concepts).
func NewLocalEmbedderWith(dim int, lex *Lexicon) *LocalEmbedder {
	if dim <= 0 {
		dim = 512
	}
	return &LocalEmbedder{dim: dim, lex: lex, model: LocalModel + "+lex-" + lex.Version()}
}

func (e *LocalEmbedder) Model() string { return e.model }
func (e *LocalEmbedder) Dim() int      { return e.dim }

// conceptWeight is a concept's weight against a word's own features.
const conceptWeight = 2.0

func (e *LocalEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out[i] = e.vector(t)
	}
	return out, nil
}

func (e *LocalEmbedder) vector(text string) []float32 {
	v := make([]float64, e.dim)
	feats := map[string]float64{}
	add := func(feature string, w float64) { feats[feature] += w }
	prev := ""
	for _, w := range words(text) {
		if allStopwords[w] {
			prev = ""
			continue
		}
		r := []rune(w)
		stem := string(r[:min(5, len(r))])
		add("w:"+stem, 1)
		padded := []rune(" " + w + " ")
		var grams []string
		for n := 3; n <= 4; n++ {
			for i := 0; i+n <= len(padded); i++ {
				grams = append(grams, string(padded[i:i+n]))
			}
		}
		for _, g := range grams {
			add("g:"+g, 1.2/float64(len(grams)))
		}
		if prev != "" {
			add("b:"+prev+" "+stem, 0.5)
		}
		for _, c := range e.lex.Concepts(w) {
			add("c:"+c, conceptWeight)
		}
		prev = stem
	}
	for f, w := range feats {
		h := fnv.New64a()
		h.Write([]byte(f))
		x := h.Sum64()
		i := int(x % uint64(e.dim))
		if x>>63 == 1 {
			w = -w
		}
		v[i] += w
	}
	var n float64
	for _, x := range v {
		n += x * x
	}
	out := make([]float32, e.dim)
	if n == 0 {
		return out
	}
	n = math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(x / n)
	}
	return out
}

// Dot is the dot product (cosine for unit vectors).
func Dot(a, b []float32) float32 {
	var s float32
	n := min(len(a), len(b))
	a, b = a[:n], b[:n]
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
