package knowledge

import (
	"math"
	"strings"
	"unicode"
)

// stopwords are dropped before matching: they say how a caller asks, not
// what about. Small lists per language are enough at this size.
var stopwords = map[string]map[string]bool{}

// allStopwords joins every language's list, for the language-blind embedding.
var allStopwords = map[string]bool{}

func init() {
	for lang, words := range map[string]string{
		"en": "a an the is are am was were be do does did what when where which who how why can could would will i me my you your we our us it its of to in on at for from with and or but if there this that these those please tell want like need about any some much many get",
		"fi": "ja on ei se ne mitä mikä mitkä ovat milloin missä miten kuinka paljon paljonko voin voi onko voinko voiko voisitteko minä minun te teidän me meidän sinä sinun kun jos että tai mutta kanssa haluan haluaisin pitää tarvitsen olla ole olette",
		"sv": "och är en ett det den de vad vilka vilken era ert när var hur kan jag du ni vi mig min din er för till på i av med som om att eller men vill skulle har hur mycket",
		"lv": "un ir ar par uz no kā kāds kāda kad kur cik vai es jūs jūsu mēs man jums mums tas tā tie kas lai bet vēlos gribu varu varat",
	} {
		stopwords[lang] = map[string]bool{}
		for _, w := range strings.Fields(words) {
			stopwords[lang][w] = true
			allStopwords[w] = true
		}
	}
}

// words lower-cases and splits into letter/digit runs.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// stems are the content words cut to their first four letters: crude, but
// it joins inflected forms in every served language ("aukioloajat" and
// "aukioloajoista", "opening" and "open", "reseptin" and "resepti").
func stems(s, lang string) []string {
	stop := stopwords[lang]
	var out []string
	for _, w := range words(s) {
		if stop[w] {
			continue
		}
		r := []rune(w)
		if len(r) > 4 {
			r = r[:4]
		}
		out = append(out, string(r))
	}
	return out
}

// queryTerm is one content word of a question.
type queryTerm struct {
	word string
	stem string // as stems makes them
	core string // first five letters of a long word, for compound matches ("" if short)
}

func queryTerms(q, lang string) []queryTerm {
	seen := map[string]bool{}
	var out []queryTerm
	for _, w := range words(q) {
		if stopwords[lang][w] {
			continue
		}
		r := []rune(w)
		t := queryTerm{word: w, stem: string(r[:min(4, len(r))])}
		if len(r) >= 6 {
			t.core = string(r[:5])
		}
		if !seen[t.stem] {
			seen[t.stem] = true
			out = append(out, t)
		}
	}
	return out
}

// trigrams are character trigrams of the padded, lower-cased words.
func trigrams(s string) (map[string]float64, float64) {
	g := map[string]float64{}
	for _, w := range words(s) {
		r := []rune(" " + w + " ")
		for i := 0; i+3 <= len(r); i++ {
			g[string(r[i:i+3])]++
		}
	}
	var n float64
	for _, v := range g {
		n += v * v
	}
	return g, math.Sqrt(n)
}

func cosine(a map[string]float64, an float64, b map[string]float64, bn float64) float64 {
	if an == 0 || bn == 0 {
		return 0
	}
	var dot float64
	for k, v := range a {
		dot += v * b[k]
	}
	return dot / (an * bn)
}

func isUpper(r rune) bool { return unicode.IsUpper(r) }
