package when

import (
	"strings"
	"unicode"
)

// fold lowercases r and drops the diacritics of the four languages.
// Speech-to-text sometimes leaves them out ("rit" for "rīt"), and folding both
// the text and the word tables makes that harmless. The few pairs it merges
// (lv "rīta"/"rītā") mean the same thing for our purpose.
func fold(r rune) rune {
	r = unicode.ToLower(r)
	switch r {
	case 'ä', 'å', 'ā', 'á', 'à', 'â':
		return 'a'
	case 'ö', 'ø', 'ō', 'ó', 'ò', 'ô', 'õ':
		return 'o'
	case 'ē', 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'ī', 'í', 'ì', 'î', 'ï':
		return 'i'
	case 'ū', 'ü', 'ú', 'ù', 'û':
		return 'u'
	case 'č':
		return 'c'
	case 'š':
		return 's'
	case 'ž':
		return 'z'
	case 'ņ':
		return 'n'
	case 'ļ':
		return 'l'
	case 'ķ':
		return 'k'
	case 'ģ':
		return 'g'
	}
	return r
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// meridiemDots turns "a.m." into "am" before tokenizing, which would
// otherwise split it into two meaningless letters.
var meridiemDots = strings.NewReplacer("a.m.", "am", "p.m.", "pm", "a.m", "am", "p.m", "pm")

// tokens splits text into folded words. Punctuation separates words, except
// where it belongs to a number: "14:30", "5.12.", "5:e", "2026-12-05", "5/12".
// A trailing dot stays on a number because in Finnish and Latvian it makes
// the number an ordinal ("5. joulukuuta"). Apostrophes join ("o'clock" ->
// "oclock") and hyphens split ("twenty-first" -> "twenty first").
func tokens(text string) []string {
	rs := []rune(meridiemDots.Replace(strings.ToLower(text)))
	for i, r := range rs {
		rs[i] = fold(r)
	}
	var toks []string
	var cur []rune
	flush := func() {
		for len(cur) > 0 && cur[len(cur)-1] == ':' {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			toks = append(toks, string(cur))
		}
		cur = cur[:0]
	}
	for i, r := range rs {
		lastDigit := len(cur) > 0 && isDigit(cur[len(cur)-1])
		switch {
		case isDigit(r) || unicode.IsLetter(r):
			cur = append(cur, r)
		case r == '\'' || r == '’' || r == '`':
			// joined
		case (r == '.' || r == ':') && lastDigit:
			cur = append(cur, r)
		case (r == '/' || r == '-') && lastDigit && i+1 < len(rs) && isDigit(rs[i+1]):
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return toks
}

// foldString folds a table entry the way tokens folds text.
func foldString(s string) string {
	return strings.Join(tokens(s), " ")
}
