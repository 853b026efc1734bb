package sphinx

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"unicode"
)

// A generic English language model hears "what are your opening hours" as
// "what are your open an hour long": it has never seen a clinic caller. A
// small trigram model built from the bot's own domain sentences (intent
// examples, article titles and questions) fixes that for what callers
// actually say, at the cost of forcing off-topic speech onto domain words
// (which the intent classifier then calls unknown).

// discount is the absolute discount taken from every seen n-gram count and
// given to the lower order (absolute discounting with back-off, written as
// an ARPA model that pocketsphinx reads with -lm).
const discount = 0.5

// WriteDomainLM writes a back-off trigram ARPA model of the sentences to w.
// Words missing from the pronunciation dictionary (dictWords) are dropped,
// since the decoder cannot use them. It returns the vocabulary size.
func WriteDomainLM(w io.Writer, sentences []string, dictWords map[string]bool) (int, error) {
	type key3 struct{ a, b, c string }
	type key2 struct{ a, b string }
	uni := map[string]float64{}
	bi := map[key2]float64{}
	tri := map[key3]float64{}
	for _, s := range sentences {
		words := []string{"<s>"}
		for _, tok := range Tokenize(s) {
			if dictWords == nil || dictWords[tok] {
				words = append(words, tok)
			}
		}
		if len(words) == 1 {
			continue
		}
		words = append(words, "</s>")
		for i, wd := range words {
			uni[wd]++
			if i >= 1 {
				bi[key2{words[i-1], wd}]++
			}
			if i >= 2 {
				tri[key3{words[i-2], words[i-1], wd}]++
			}
		}
	}
	if len(uni) <= 2 {
		return 0, fmt.Errorf("domain language model: no usable words in %d sentences", len(sentences))
	}
	// Unigrams: add-one over the vocabulary (<s> is never predicted).
	var total float64
	for wd, c := range uni {
		if wd != "<s>" {
			total += c
		}
	}
	v := float64(len(uni) - 1)
	p1 := map[string]float64{}
	for wd, c := range uni {
		if wd != "<s>" {
			p1[wd] = (c + 1) / (total + v)
		}
	}
	// Bigrams with back-off to unigrams.
	hist1 := map[string]float64{}
	follow1 := map[string]float64{}
	for k, c := range bi {
		hist1[k.a] += c
		follow1[k.a]++
	}
	p2 := map[key2]float64{}
	seenMass1 := map[string]float64{}
	for k, c := range bi {
		p2[k] = (c - discount) / hist1[k.a]
		seenMass1[k.a] += p1[k.b]
	}
	bow1 := map[string]float64{}
	for h, n := range follow1 {
		alpha := discount * n / hist1[h]
		bow1[h] = alpha / math.Max(1e-9, 1-seenMass1[h])
	}
	pBigram := func(a, b string) float64 {
		if p, ok := p2[key2{a, b}]; ok {
			return p
		}
		bw, ok := bow1[a]
		if !ok {
			bw = 1
		}
		return bw * p1[b]
	}
	// Trigrams with back-off to the backed-off bigram.
	hist2 := map[key2]float64{}
	follow2 := map[key2]float64{}
	for k, c := range tri {
		hist2[key2{k.a, k.b}] += c
		follow2[key2{k.a, k.b}]++
	}
	p3 := map[key3]float64{}
	seenMass2 := map[key2]float64{}
	for k, c := range tri {
		h := key2{k.a, k.b}
		p3[k] = (c - discount) / hist2[h]
		seenMass2[h] += pBigram(k.b, k.c)
	}
	bow2 := map[key2]float64{}
	for h, n := range follow2 {
		alpha := discount * n / hist2[h]
		bow2[h] = alpha / math.Max(1e-9, 1-seenMass2[h])
	}

	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "\\data\\\nngram 1=%d\nngram 2=%d\nngram 3=%d\n\n\\1-grams:\n", len(uni), len(bi), len(tri))
	lg := func(p float64) float64 { return math.Log10(math.Max(p, 1e-99)) }
	for _, wd := range sortedKeys(uni) {
		prob := -99.0
		if wd != "<s>" {
			prob = lg(p1[wd])
		}
		if b, ok := bow1[wd]; ok {
			fmt.Fprintf(bw, "%.6f %s %.6f\n", prob, wd, lg(b))
		} else {
			fmt.Fprintf(bw, "%.6f %s\n", prob, wd)
		}
	}
	fmt.Fprint(bw, "\n\\2-grams:\n")
	keys2 := make([]key2, 0, len(bi))
	for k := range bi {
		keys2 = append(keys2, k)
	}
	sort.Slice(keys2, func(i, j int) bool { return keys2[i].a+" "+keys2[i].b < keys2[j].a+" "+keys2[j].b })
	for _, k := range keys2 {
		if b, ok := bow2[k]; ok {
			fmt.Fprintf(bw, "%.6f %s %s %.6f\n", lg(p2[k]), k.a, k.b, lg(b))
		} else {
			fmt.Fprintf(bw, "%.6f %s %s\n", lg(p2[k]), k.a, k.b)
		}
	}
	fmt.Fprint(bw, "\n\\3-grams:\n")
	keys3 := make([]key3, 0, len(tri))
	for k := range tri {
		keys3 = append(keys3, k)
	}
	sort.Slice(keys3, func(i, j int) bool {
		return keys3[i].a+" "+keys3[i].b+" "+keys3[i].c < keys3[j].a+" "+keys3[j].b+" "+keys3[j].c
	})
	for _, k := range keys3 {
		fmt.Fprintf(bw, "%.6f %s %s %s\n", lg(p3[k]), k.a, k.b, k.c)
	}
	fmt.Fprint(bw, "\n\\end\\\n")
	return len(uni), bw.Flush()
}

func sortedKeys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Tokenize lower-cases English text and splits it into dictionary-style
// words (letters and apostrophes).
func Tokenize(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(unicode.IsLetter(r) || r == '\'')
	})
}

// DictWords reads the words of a pocketsphinx pronunciation dictionary.
func DictWords(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	words := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		i := strings.IndexAny(line, " \t")
		if i <= 0 {
			continue
		}
		w := line[:i]
		if j := strings.IndexByte(w, '('); j > 0 {
			w = w[:j]
		}
		words[w] = true
	}
	return words, sc.Err()
}
