package knowledge

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
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

// LangEmbedder is an Embedder that can also be told the texts' language,
// for features only that language has (Finnish stems and compound parts).
// Documents and questions of one language must be embedded the same way.
type LangEmbedder interface {
	Embedder
	EmbedLang(ctx context.Context, lang string, texts []string) ([][]float32, error)
}

// embedIn embeds texts of one language, with the language when e can use it.
func embedIn(ctx context.Context, e Embedder, lang string, texts []string) ([][]float32, error) {
	if le, ok := e.(LangEmbedder); ok {
		return le.EmbedLang(ctx, lang, texts)
	}
	return e.Embed(ctx, texts)
}

// LocalEmbedder is the default embedding: deterministic, no model file, no
// network. Each content word contributes its five-letter stem, its
// character 3- and 4-grams (which match inflected forms and the parts of
// compounds: "lääkäri" inside "yleislääkärin"), the bigram with the next
// word, and the concepts the shipped lexicon gives it ("pay" and "price"
// both mean price), hashed into Dim signed buckets and normalised. Finnish
// words (EmbedLang with "fi") also contribute their suffix-stripped,
// gradation-normalised stem and the stems and concepts of their compound
// parts, so "ajan" meets "aika" and "lääkäriaika" meets "lääkärin aika".
type LocalEmbedder struct {
	dim   int
	lex   *Lexicon
	fi    *FinnishAnalyzer
	model string
	words fiWords // Finnish analyses of words seen, shared by concurrent embeds
}

// fiWord is the Finnish analysis of one word: its stem, and its compound
// parts with their stems.
type fiWord struct {
	stem             string
	parts, partStems []string
}

// fiWords caches Finnish analyses: stemming and compound splitting cost
// more than the rest of a word's features, and text repeats its words.
// Bounded: when full it starts afresh.
type fiWords struct {
	mu sync.Mutex
	m  map[string]*fiWord
}

const fiWordsMax = 50000

func (e *LocalEmbedder) finnishWord(w string) *fiWord {
	e.words.mu.Lock()
	fw := e.words.m[w]
	e.words.mu.Unlock()
	if fw != nil {
		return fw
	}
	fw = &fiWord{stem: e.fi.Stem(w), parts: e.fi.Parts(w)}
	for _, p := range fw.parts {
		fw.partStems = append(fw.partStems, e.fi.Stem(p))
	}
	e.words.mu.Lock()
	if e.words.m == nil || len(e.words.m) >= fiWordsMax {
		e.words.m = make(map[string]*fiWord)
	}
	e.words.m[w] = fw
	e.words.mu.Unlock()
	return fw
}

// LocalModel is the name the local embedding is recorded under (with the
// lexicon's and the Finnish word list's versions appended, so a changed
// list is a new model).
const LocalModel = "vastaa-hash-v4"

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
	fi := ShippedFinnish()
	return &LocalEmbedder{dim: dim, lex: lex, fi: fi, model: LocalModel + "+lex-" + lex.Version() + "+fi-" + fi.Version()}
}

func (e *LocalEmbedder) Model() string { return e.model }
func (e *LocalEmbedder) Dim() int      { return e.dim }

// conceptWeight is a concept's weight against a word's own features.
const conceptWeight = 2.0

// Finnish compound parts' weights against a word's own stem (1): the whole
// word is a surer match than a part of it.
const (
	fiPartWeight    = 0.7
	fiPartConceptWt = 0.5 * conceptWeight
)

// Embed embeds texts of unknown language.
func (e *LocalEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return e.EmbedLang(ctx, "", texts)
}

// EmbedLang embeds texts in lang.
func (e *LocalEmbedder) EmbedLang(ctx context.Context, lang string, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out[i] = e.vector(t, lang)
	}
	return out, nil
}

// FNV-1a, written out so features hash without building strings.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

func fnvRune(h uint64, r rune) uint64 {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	for _, b := range buf[:n] {
		h = (h ^ uint64(b)) * fnvPrime
	}
	return h
}

var (
	seedWord    = fnvString(fnvOffset, "w:")
	seedGram    = fnvString(fnvOffset, "g:")
	seedBigram  = fnvString(fnvOffset, "b:")
	seedConcept = fnvString(fnvOffset, "c:")
)

// vector computes one embedding. Features are FNV-1a hashes of "w:"+stem,
// "g:"+n-gram, "b:"+previous stem+" "+stem and "c:"+concept, hashed as a
// stream of bytes (no strings are built); the top bit gives the sign. In
// Finnish the stem is finnishStem's, each compound part adds "w:"+its stem,
// and the parts' concepts the whole word does not already have count too.
func (e *LocalEmbedder) vector(text, lang string) []float32 {
	finnish := lang == "fi" && e.fi != nil
	v := make([]float64, e.dim)
	add := func(h uint64, w float64) {
		if h>>63 == 1 {
			w = -w
		}
		v[h%uint64(e.dim)] += w
	}
	lower := strings.ToLower(text)
	prev := ""
	var runes []rune
	for start := 0; start < len(lower); {
		// The next run of letters and digits.
		r, size := utf8.DecodeRuneInString(lower[start:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			start += size
			continue
		}
		end := start
		runes = append(runes[:0], ' ')
		for end < len(lower) {
			r, size := utf8.DecodeRuneInString(lower[end:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			runes = append(runes, r)
			end += size
		}
		w := lower[start:end]
		start = end
		if allStopwords[w] {
			prev = ""
			continue
		}
		runes = append(runes, ' ')
		stem := w
		if n := len(runes) - 2; n > 5 {
			stem = w[:runeOffset(w, 5)]
		}
		var fw *fiWord
		if finnish {
			// The Finnish stem stands for the five-letter one: it joins the
			// forms a prefix misses ("hinta", "hinnan") and parts the ones
			// it wrongly joins.
			fw = e.finnishWord(w)
			stem = fw.stem
		}
		add(fnvString(seedWord, stem), 1)
		grams := max(0, len(runes)-2) + max(0, len(runes)-3)
		for n := 3; n <= 4; n++ {
			for i := 0; i+n <= len(runes); i++ {
				h := seedGram
				for _, gr := range runes[i : i+n] {
					h = fnvRune(h, gr)
				}
				add(h, 1.2/float64(grams))
			}
		}
		if prev != "" {
			add(fnvString(fnvString(fnvString(seedBigram, prev), " "), stem), 0.5)
		}
		var fired [8]string
		nf := 0
		e.lex.eachConcept(w, func(c string) {
			add(fnvString(seedConcept, c), conceptWeight)
			if nf < len(fired) {
				fired[nf] = c
				nf++
			}
		})
		if finnish {
			// A compound is one word: its parts share one part's weight.
			parts := fw.parts
			for i, p := range parts {
				add(fnvString(seedWord, fw.partStems[i]), 2*fiPartWeight/float64(len(parts)))
				e.lex.eachConcept(p, func(c string) {
					for _, f := range fired[:nf] {
						if f == c {
							return
						}
					}
					add(fnvString(seedConcept, c), fiPartConceptWt)
				})
			}
		}
		prev = stem
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

// runeOffset is the byte offset of rune n in s.
func runeOffset(s string, n int) int {
	i := 0
	for off := range s {
		if i == n {
			return off
		}
		i++
	}
	return len(s)
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
