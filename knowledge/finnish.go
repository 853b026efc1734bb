package knowledge

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"slices"
	"strings"
	"unicode/utf8"
)

// Finnish is agglutinative: one noun has a dozen case forms, each with
// possessive suffixes and clitics, and consonant gradation changes the stem
// itself ("hinta", "hinnan"; "tunti", "tunnin"). Callers also say the
// compound an article writes apart, or the other way round
// ("lääkäriaika", "lääkärin vastaanotto"). finnishStem and
// (*FinnishAnalyzer).Parts undo enough of this for retrieval: the stem is
// a matching key, not a dictionary form.

// fiCaseEndings are the case endings finnishStem strips, longest first:
// inessive, elative, illative, adessive, ablative, allative, essive,
// translative, abessive, partitive, genitive (also plural), nominative
// plural, and the -sin of "arkisin", "lauantaisin". Each needs a vowel before it (the end of the stem it hangs on).
var fiCaseEndings = runeLists(
	"itten", "iden", "seen", "siin", "jen", "sin",
	"ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "lle", "ksi", "tta", "ttä",
	"na", "nä", "ta", "tä", "n", "t",
)

// fiPossessives are the possessive suffixes (my, your, our, your, their),
// stripped only after a vowel ("lapsesi", not "lapsi").
var fiPossessives = runeLists("nsa", "nsä", "mme", "nne", "ni", "si")

// fiClitics are the particles glued to any word: "-kin" (also), "-kaan"
// (either), "-ko" (question).
var fiClitics = runeLists("kaan", "kään", "kin", "ko", "kö")

func isFiVowel(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'ä', 'ö':
		return true
	}
	return false
}

// finnishStem reduces an inflected lower-case Finnish word to a matching
// key shared by its forms: clitic, possessive suffix and one case ending
// (with the plural marker) stripped, consonant gradation normalised (both
// grades of kk/k, pp/p, tt/t, nt/nn, lt/ll, rt/rr, mp/mm, nk/ng, t/d, p/v
// map to one), the final vowels dropped, and the stems of the -nen, -s/-ks
// and -in/-im word types joined. "lääkärille", "lääkäreiden" and "lääkäri"
// give "lääkär"; "hinnan", "hinnoissa" and "hinta" give "hin".
// Words with digits, or shorter than four letters, are only normalised.
func finnishStem(w string) string {
	if w == "" {
		return w
	}
	var buf [48]rune
	r := buf[:0]
	for _, c := range w {
		if c >= '0' && c <= '9' {
			return w
		}
		r = append(r, c)
	}
	if len(r) >= 4 {
		r = stripFinnishSuffixes(r)
	}
	r = gradeFinnish(r)
	r = trimVowels(r)
	// Plural -j- after the o, ö or e it turns a stem's vowel into:
	// "aikoja", "reseptejä" (but not the j of "ajan").
	if n := len(r); n > 3 && r[n-1] == 'j' && (r[n-2] == 'o' || r[n-2] == 'ö' || r[n-2] == 'e') {
		r = trimVowels(r[:n-1])
	}
	n := len(r)
	switch {
	// -s/-ks: "rokotus", "rokotuksen", "rokotuksia".
	case n >= 6 && r[n-1] == 's' && r[n-2] == 'k' && isFiVowel(r[n-3]):
		r = append(r[:n-2], 's')
	// -us/-uden: "terveys", "terveyden" (d is t by now).
	case n >= 6 && r[n-1] == 't' && (r[n-2] == 'u' || r[n-2] == 'y') && isFiVowel(r[n-3]):
		r[n-1] = 's'
	// -in/-imen: "puhelin", "puhelimen".
	case n >= 5 && r[n-1] == 'm' && r[n-2] == 'i':
		r = trimVowels(r[:n-1])
	}
	// The -s of "korvaus", "potilas", "tulos" is not in their other forms
	// ("korvauksen", "potilaan", "tulosta" partitive or elative): dropped.
	if n := len(r); n >= 5 && r[n-1] == 's' && isFiVowel(r[n-2]) {
		r = trimVowels(r[:n-1])
	}
	return string(r)
}

func trimVowels(r []rune) []rune {
	for len(r) > 2 && isFiVowel(r[len(r)-1]) {
		r = r[:len(r)-1]
	}
	return r
}

func hasSuffix(r []rune, s []rune) bool {
	if len(r) < len(s) {
		return false
	}
	return slices.Equal(r[len(r)-len(s):], s)
}

// stripOne removes the first of suffixes that ends r after a vowel and
// leaves at least min letters.
func stripOne(r []rune, suffixes [][]rune, min int) ([]rune, bool) {
	for _, s := range suffixes {
		if len(r)-len(s) >= min && hasSuffix(r, s) && isFiVowel(r[len(r)-len(s)-1]) {
			return r[:len(r)-len(s)], true
		}
	}
	return r, false
}

func runeLists(ss ...string) [][]rune {
	out := make([][]rune, len(ss))
	for i, s := range ss {
		out[i] = []rune(s)
	}
	return out
}

func stripFinnishSuffixes(r []rune) []rune {
	// Clitics follow vowels and the n, t, s of case endings ("paljonko").
	for _, s := range fiClitics {
		n := len(s)
		if len(r)-n >= 3 && hasSuffix(r, s) && strings.ContainsRune("aeiouyäönts", r[len(r)-n-1]) {
			r = r[:len(r)-n]
			break
		}
	}
	r, _ = stripOne(r, fiPossessives, 4)
	// -nen adjectives and nouns inflect on -se-: "kiireellinen",
	// "kiireellisen", "kiireellisissä".
	if n := len(r); n >= 6 && r[n-3] == 'n' && r[n-2] == 'e' && r[n-1] == 'n' {
		return append(r[:len(r)-3], 's')
	}
	// Illative -hVn repeats the vowel before it: "työhön", "maahan".
	if n := len(r); n >= 5 && r[n-1] == 'n' && r[n-3] == 'h' && r[n-2] == r[n-4] && isFiVowel(r[n-2]) {
		return r[:n-3]
	}
	r, _ = stripOne(r, fiCaseEndings, 3)
	return r
}

// gradeFinnish maps the strong and weak grades of consonant gradation to
// one form, after the first letter: double consonants to single ones,
// nt/lt/rt/mp to n/l/r/m, nk to ng, d to t and v between vowels to p.
func gradeFinnish(r []rune) []rune {
	if len(r) < 2 {
		return r
	}
	out := r[:1]
	for i := 1; i < len(r); i++ {
		c := r[i]
		prev := out[len(out)-1]
		switch {
		case c == 'd':
			c = 't'
		case c == 'v' && isFiVowel(prev) && i+1 < len(r) && isFiVowel(r[i+1]):
			c = 'p'
		}
		switch {
		case c == prev && !isFiVowel(c):
			continue // kk -> k, nn -> n
		case c == 't' && (prev == 'n' || prev == 'l' || prev == 'r'):
			continue // nt -> n, lt -> l, rt -> r
		case c == 'p' && prev == 'm':
			continue // mp -> m
		case c == 'k' && prev == 'n':
			c = 'g' // nk -> ng
		}
		out = append(out, c)
	}
	return out
}

// finnishWordsText is the shipped list of Finnish base words compounds are
// split into.
//
//go:embed finnish_words.txt
var finnishWordsText string

// FinnishAnalyzer stems Finnish words and splits compounds into the base
// words of its vocabulary.
type FinnishAnalyzer struct {
	stems map[string]bool   // stems of the vocabulary
	alias map[string]string // stem of an irregular form -> the base word's stem
	heads map[string]bool   // forms a compound may start with
	hash  string
}

// ParseFinnishWords reads a word list in the shipped format.
func ParseFinnishWords(text string) *FinnishAnalyzer {
	a := &FinnishAnalyzer{stems: map[string]bool{}, alias: map[string]string{}, heads: map[string]bool{}}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(strings.ToLower(line))
		base := finnishStem(f[0])
		a.stems[base] = true
		a.heads[f[0]] = true
		// The genitive starts compounds too: "ajanvaraus", "kelan".
		if r, _ := utf8.DecodeLastRuneInString(f[0]); isFiVowel(r) {
			a.heads[f[0]+"n"] = true
		}
		for _, form := range f[1:] {
			if s := finnishStem(form); s != base {
				a.alias[s] = base
			}
			a.heads[form] = true
		}
	}
	h := sha256.Sum256([]byte(text))
	a.hash = hex.EncodeToString(h[:4])
	return a
}

var shippedFinnish = ParseFinnishWords(finnishWordsText)

// ShippedFinnish is the analyzer with knowledge/finnish_words.txt.
func ShippedFinnish() *FinnishAnalyzer { return shippedFinnish }

// Version identifies the word list (part of the embedding's name).
func (a *FinnishAnalyzer) Version() string { return a.hash }

// Stem is finnishStem with the irregular forms of the word list joined to
// their base word ("ajan" to "aika").
func (a *FinnishAnalyzer) Stem(w string) string {
	s := finnishStem(w)
	if b, ok := a.alias[s]; ok {
		return b
	}
	return s
}

func (a *FinnishAnalyzer) known(w string) bool {
	s := finnishStem(w)
	if a.stems[s] {
		return true
	}
	_, ok := a.alias[s]
	return ok
}

// minPart is the shortest compound part, in letters.
const minPart = 3

// Parts splits a lower-case compound into the words of the vocabulary it
// is made of, the last one inflected ("ajanvarauksen" -> "ajan",
// "varauksen"); nil when the word is not such a compound. The longest known
// first part wins.
func (a *FinnishAnalyzer) Parts(w string) []string {
	if utf8.RuneCountInString(w) < 2*minPart+1 {
		return nil
	}
	return a.split(w, 3)
}

func (a *FinnishAnalyzer) split(w string, depth int) []string {
	if depth == 0 {
		return nil
	}
	// Byte offsets of the split points, longest head first.
	var offs [64]int
	n := 0
	for off := range w {
		if n < len(offs) {
			offs[n] = off
		}
		n++
	}
	if n > len(offs) {
		return nil
	}
	for i := n - minPart; i >= minPart; i-- {
		head, tail := w[:offs[i]], w[offs[i]:]
		if !a.heads[head] {
			continue
		}
		// The rest is a (possibly inflected) word, or a compound itself.
		if a.known(tail) {
			return []string{head, tail}
		}
		if rest := a.split(tail, depth-1); rest != nil {
			return append([]string{head}, rest...)
		}
	}
	return nil
}

// StemTerms are the language's matching keys of a text's content words,
// for a full-text index to store beside the text and SearchStems to look
// up: for Finnish, the stem of each word and of each compound part
// ("ajanvarauksessa" gives "ajanvar", "aik", "var"), so "aika", "ajat" and
// "varaus" find it. Other languages have none (nil): their full-text search
// matches prefixes, which serve them.
func StemTerms(lang, text string) []string {
	if lang != "fi" {
		return nil
	}
	a := ShippedFinnish()
	stop := stopwords[lang]
	var out []string
	for _, w := range words(text) {
		if stop[w] {
			continue
		}
		out = append(out, a.Stem(w))
		for _, p := range a.Parts(w) {
			out = append(out, a.Stem(p))
		}
	}
	return out
}

// SearchStems are the keys StemTerms stores that a question's word should
// find: its stem and its compound parts' stems, without repeats.
func SearchStems(lang, word string) []string {
	if lang != "fi" {
		return nil
	}
	a := ShippedFinnish()
	out := []string{a.Stem(word)}
	for _, p := range a.Parts(word) {
		if s := a.Stem(p); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// CompoundParts are the words a compound of lang is made of, for a full-text
// search with its own stemmer to look up as well ("lääkäriaika": "lääkäri",
// "aika"); nil when the word is no compound of the vocabulary or the
// language has no splitter.
func CompoundParts(lang, word string) []string {
	if lang != "fi" {
		return nil
	}
	return ShippedFinnish().Parts(word)
}
