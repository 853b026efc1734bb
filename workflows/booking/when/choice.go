package when

import (
	"strings"
	"time"
)

// last stands for "the last one" / "the later one" until the number of
// options offered is known.
const last = -1

// chooser is one language's words for picking an offered option.
type chooser struct {
	picks    map[string]int // "second", "toisen", "andra", "otro", "the later" -> 2 or last
	selector map[string]bool
	counts   map[string]int  // number words after a selector: "option two"
	negation map[string]bool // "not the first one"
	notPick  map[string]bool // a word before a pick that makes it something else: fi "joku toinen" (another), en "a second"
	notAfter map[string]bool // a word after a pick that makes it something else: sv "andra tider" (other times)
}

func newChooser() *chooser {
	return &chooser{picks: map[string]int{}, selector: map[string]bool{}, counts: map[string]int{},
		negation: map[string]bool{}, notPick: map[string]bool{}, notAfter: map[string]bool{}}
}

func (c *chooser) add(n int, ws ...string) {
	for _, w := range ws {
		c.picks[foldString(w)] = n
	}
}

func (c *chooser) set(m map[string]bool, ws ...string) {
	for _, w := range ws {
		m[foldString(w)] = true
	}
}

func (c *chooser) count(n int, ws ...string) {
	for _, w := range ws {
		c.counts[foldString(w)] = n
	}
}

var choosers = map[string]*chooser{"en": englishChoice(), "fi": finnishChoice(), "sv": swedishChoice(), "lv": latvianChoice()}

func englishChoice() *chooser {
	c := newChooser()
	c.add(1, "first", "1st", "the earlier", "earlier one", "the former", "earliest one", "the earliest")
	c.add(2, "second", "2nd")
	c.add(3, "third", "3rd")
	c.add(last, "last", "the last", "the later", "later one", "the latter", "latest one", "the latest", "final")
	c.set(c.selector, "number", "option", "choice", "alternative", "slot", "nr")
	c.count(1, "one", "1")
	c.count(2, "two", "2")
	c.count(3, "three", "3")
	c.set(c.negation, "not", "dont", "nope")
	c.set(c.notPick, "a", "one", "just", "wait")
	c.set(c.notAfter, "available", "free", "possible", "opening", "thing", "of")
	return c
}

func finnishChoice() *chooser {
	c := newChooser()
	c.add(1, "ensimmäinen", "ensimmäisen", "ensimmäistä", "ensimmäiseen", "ensimmäisenä", "ensimmäiselle",
		"eka", "ekan", "ekaa", "ekaan", "ykkönen", "ykkösen", "ykköstä", "ykköseen",
		"aikaisempi", "aikaisemman", "aikaisempaa", "aikaisempaan", "aiempi", "aiemman", "aiempaa", "aiempaan",
		"aikaisin", "aikaisimman")
	c.add(2, "toinen", "toisen", "toista", "toiseen", "toisena", "toiselle", "toka", "tokan", "tokaa", "tokaan",
		"kakkonen", "kakkosen", "kakkosta", "kakkoseen")
	c.add(3, "kolmas", "kolmannen", "kolmatta", "kolmanteen", "kolmantena", "kolmannelle", "kolmonen", "kolmosen",
		"kolmosta", "kolmoseen")
	c.add(last, "viimeinen", "viimeisen", "viimeistä", "viimeiseen", "viimeisenä", "myöhempi", "myöhemmän",
		"myöhempää", "myöhempään", "myöhäisempi", "myöhäisemmän", "myöhäisin", "myöhäisimmän")
	c.set(c.selector, "numero", "vaihtoehto", "vaihtoehdon", "vaihtoehtoa", "nro", "numeron")
	c.count(1, "yksi", "yks", "1")
	c.count(2, "kaksi", "kaks", "2")
	c.count(3, "kolme", "3")
	c.set(c.negation, "ei", "en", "älä", "eikä")
	c.set(c.notPick, "joku", "jokin", "jonkun", "jonkin", "muu", "jotain", "joitain")
	c.set(c.notAfter, "vapaa", "vapaan", "vapaata", "vapaaseen", "mahdollinen", "mahdollisen", "mahdolliseen",
		"kerta", "kertaa", "kerran", "kertaan", "joulukuuta", "päivä", "päivänä")
	return c
}

func swedishChoice() *chooser {
	c := newChooser()
	c.add(1, "första", "förstnämnda", "1:a", "ettan", "den tidigare", "tidigare tiden", "den tidigaste", "tidigaste")
	c.add(2, "andra", "2:a", "tvåan")
	c.add(3, "tredje", "3:e", "trean", "trea")
	c.add(last, "sista", "den sista", "den senare", "senare tiden", "den senaste", "sistnämnda")
	c.set(c.selector, "nummer", "alternativ", "alternativet", "nr", "tid")
	c.count(1, "ett", "en", "1")
	c.count(2, "två", "2")
	c.count(3, "tre", "3")
	c.set(c.negation, "inte", "ej", "icke")
	c.set(c.notPick, "några", "de", "alla")
	c.set(c.notAfter, "tider", "dagar", "ledig", "lediga", "möjliga", "veckor", "hand", "december")
	return c
}

func latvianChoice() *chooser {
	c := newChooser()
	c.add(1, "pirmais", "pirmo", "pirmajā", "pirmā", "pirmajam", "agrākais", "agrāko", "agrākajā", "agrāk")
	c.add(2, "otrais", "otro", "otrajā", "otrā", "otrajam")
	c.add(3, "trešais", "trešo", "trešajā", "trešā", "trešajam")
	c.add(last, "pēdējais", "pēdējo", "pēdējā", "pēdējajā", "vēlākais", "vēlāko", "vēlākajā", "vēlāk")
	c.set(c.selector, "numur", "numurs", "numuru", "variants", "variantu", "nr")
	c.count(1, "viens", "viena", "vienu", "1")
	c.count(2, "divi", "divas", "otru", "2")
	c.count(3, "trīs", "3")
	c.set(c.negation, "ne", "nē", "nevis", "negribu")
	c.set(c.notAfter, "brīvo", "brīvais", "brīvajā", "iespējamo", "decembrī", "datumā", "laiku", "pieejamo")
	return c
}

// Choice is which of the offered options the caller picked: 1, 2 or 3
// ("the first one", "number two", "toinen", "den andra", "otrais"), 0
// when none. "The last one" / "the later one" is taken as 3; use ChoiceOf
// when another number of options was offered.
func Choice(text, lang string) int {
	return ChoiceOf(text, lang, 3)
}

// ChoiceOf is Choice when offered options were read out: "the last one"
// and "the later one" are option offered, and a pick beyond offered is 0.
// The first pick that is not negated counts: "not the first, the second"
// is 2.
func ChoiceOf(text, lang string, offered int) int {
	// Negation does not reach past a comma: "no, the second one".
	var clauses [][]string
	words := 0
	for _, cl := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(",;!?", r) }) {
		toks := tokens(cl)
		clauses = append(clauses, toks)
		words += len(toks)
	}
	lex := languages[0]
	if l := lexiconsFor(lang); len(l) == 1 {
		lex = l[0]
	}
	c := choosers[lex.lang]
	// "the first of January", "trešajā janvārī" are dates, not picks.
	isMonth := func(w string) bool { _, ok := lex.months[w]; return ok }
	n, bare := 0, 0
	for _, toks := range clauses {
		var b int
		if n, b = c.pick(toks, isMonth); n != 0 {
			break
		}
		if bare == 0 {
			bare = b
		}
	}
	// A number alone counts in a short answer only ("two", "kaksi
	// kiitos"), and not when it is a time ("at two", "puoli kolme", "om
	// två veckor").
	if n == 0 && words <= 3 && bare != 0 {
		if _, isTime := scan(lex, tokens(text)).resolve(time.Time{}, time.UTC); !isTime {
			n = bare
		}
	}
	if n == last {
		n = offered
	}
	if n < 1 || n > offered {
		return 0
	}
	return n
}

// pick finds the first pick in one clause that is not negated; bare is
// the first number word, which counts only in a short answer.
func (c *chooser) pick(toks []string, isMonth func(string) bool) (n, bare int) {
	tok := func(i int) string {
		if i < 0 || i >= len(toks) {
			return ""
		}
		return toks[i]
	}
	// A negation takes the next pick within three words: "not the first,
	// the second", "ei ensimmäinen vaan toinen".
	negatedUntil := -1
	for i := 0; i < len(toks); i++ {
		w := toks[i]
		if c.negation[w] {
			negatedUntil = i + 3
			continue
		}
		n, used := 0, 0
		if v, ok := c.picks[w+" "+tok(i+1)]; ok {
			n, used = v, 2
		} else if v, ok := c.picks[w]; ok && !c.notPick[tok(i-1)] && !c.notAfter[tok(i+1)] && !isMonth(tok(i+1)) {
			n, used = v, 1
		} else if c.selector[w] {
			if v, ok := c.counts[tok(i+1)]; ok {
				n, used = v, 2
			}
		} else if v, ok := c.counts[w]; ok && bare == 0 {
			bare = v
		}
		if used == 0 {
			continue
		}
		if i <= negatedUntil {
			negatedUntil = -1
			i += used - 1
			continue
		}
		return n, bare
	}
	return 0, bare
}
