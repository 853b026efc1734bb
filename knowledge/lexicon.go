package knowledge

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"strings"
)

// lexiconText is the shipped concept thesaurus: lines of
// "concept: stem stem ...", stems in any of the served languages. A word
// matches a stem of four or more letters when it starts with it, and a
// shorter stem only when it is the whole word.
//
//go:embed lexicon.txt
var lexiconText string

// Lexicon maps words to the concepts they express, so a caller's
// paraphrase ("how much do I pay") meets the article's words ("prices",
// "costs 65 euros") in the embedding and in the confidence check, in every
// language.
type Lexicon struct {
	prefix map[string][]string // stem (4+ letters) -> concepts
	exact  map[string][]string // short stem -> concepts
	maxLen int
	hash   string
}

// ParseLexicon reads a lexicon in the shipped format.
func ParseLexicon(text string) (*Lexicon, error) {
	lx := &Lexicon{prefix: map[string][]string{}, exact: map[string][]string{}}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	seen := map[string]bool{}
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, stems, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("lexicon line %d: want \"concept: stems\"", n)
		}
		if seen[name] {
			return nil, fmt.Errorf("lexicon line %d: concept %q defined twice", n, name)
		}
		seen[name] = true
		for _, st := range strings.Fields(strings.ToLower(stems)) {
			r := []rune(st)
			if len(r) < 2 {
				continue
			}
			if len(r) >= 4 {
				lx.prefix[st] = appendUnique(lx.prefix[st], name)
				lx.maxLen = max(lx.maxLen, len(r))
			} else {
				lx.exact[st] = appendUnique(lx.exact[st], name)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	h := sha256.Sum256([]byte(text))
	lx.hash = hex.EncodeToString(h[:4])
	return lx, nil
}

func appendUnique(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// Concepts returns the concepts a lower-case word expresses.
func (lx *Lexicon) Concepts(word string) []string {
	var out []string
	lx.eachConcept(word, func(c string) { out = appendUnique(out, c) })
	return out
}

// eachConcept calls fn once for each concept of a lower-case word, as
// Concepts lists them, without allocating.
func (lx *Lexicon) eachConcept(word string, fn func(string)) {
	if lx == nil {
		return
	}
	if cs, ok := lx.exact[word]; ok {
		for _, c := range cs {
			fn(c)
		}
		return
	}
	// Byte offsets where prefixes of 4..maxLen runes end.
	var ends [64]int
	n := 0
	for off := range word {
		if n > 0 && n < len(ends) {
			ends[n] = off
		}
		n++
	}
	if n < len(ends) {
		ends[n] = len(word)
	}
	var seen [16]string
	ns := 0
	for l := min(n, lx.maxLen, len(ends)-1); l >= 4; l-- {
		for _, c := range lx.prefix[word[:ends[l]]] {
			dup := false
			for _, x := range seen[:ns] {
				if x == c {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			if ns < len(seen) {
				seen[ns] = c
				ns++
			}
			fn(c)
		}
	}
}

// Version identifies the lexicon's content (part of the embedding's name).
func (lx *Lexicon) Version() string {
	if lx == nil {
		return "none"
	}
	return lx.hash
}

var shippedLexicon = func() *Lexicon {
	lx, err := ParseLexicon(lexiconText)
	if err != nil {
		panic("knowledge: shipped lexicon: " + err.Error())
	}
	return lx
}()

// ShippedLexicon is the thesaurus in knowledge/lexicon.txt.
func ShippedLexicon() *Lexicon { return shippedLexicon }
