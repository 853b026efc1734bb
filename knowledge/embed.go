package knowledge

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
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
// stream of bytes (no strings are built); the top bit gives the sign.
func (e *LocalEmbedder) vector(text string) []float32 {
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
		e.lex.eachConcept(w, func(c string) { add(fnvString(seedConcept, c), conceptWeight) })
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
