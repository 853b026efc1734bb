package knowledge

import (
	"regexp"
	"strings"
)

// answerKind is what a question asks for, told from its question words:
// the sentence that carries that kind of fact (a price, a duration, a
// time, a phone number, an address) is the one to say, even when it is
// not an article's first. "How much does parking cost?" wants "4 euros an
// hour", not the lead sentence about where the car park is.
type answerKind int

const (
	anyAnswer answerKind = iota
	priceAnswer
	durationAnswer
	timeAnswer
	phoneAnswer
	addressAnswer
)

// answerCues are question words per kind and language, matched at word
// starts in the lower-cased question. Longer, more specific cues are
// listed in the kinds checked first (duration before time: "how long" and
// "kuinka kauan" before "when").
var answerCues = []struct {
	kind answerKind
	cues map[string][]string
}{
	{priceAnswer, map[string][]string{
		"en": {"how much", "cost", "price", "fee", "charge"},
		"fi": {"paljonko", "mitä maksaa", "mitä se maksaa", "maksaako", "hinta", "hinnan", "hintaa", "kustann"},
		"sv": {"vad kostar", "kostar", "kosta", "pris", "avgift"},
		"lv": {"cik maksā", "cik tas maksā", "cena", "cenu", "cenas"},
	}},
	{durationAnswer, map[string][]string{
		"en": {"how long", "how many days", "how many hours", "how many minutes", "how soon", "how quickly"},
		"fi": {"kuinka kauan", "kauanko", "kuinka pitkä", "kuinka pitkään", "montako päivää", "kuinka monta päivää", "kuinka nopeasti", "missä ajassa"},
		"sv": {"hur lång tid", "hur länge", "hur många dagar", "hur snabbt", "hur fort"},
		"lv": {"cik ilgi", "cik ilgs", "cik ilgā", "cik dienām", "cik dienu", "cik ātri"},
	}},
	{phoneAnswer, map[string][]string{
		"en": {"phone number", "telephone number", "what number", "which number", "number of"},
		"fi": {"puhelinnumero", "numero", "numeron", "mihin numeroon", "mistä numerosta"},
		"sv": {"telefonnummer", "nummer", "vilket nummer"},
		"lv": {"tālruņa numurs", "tālruņa numuru", "numurs", "numuru", "tālrun"},
	}},
	{timeAnswer, map[string][]string{
		"en": {"what time", "until what time", "until when", "when do you open", "when do you close", "when are you open", "opening hours", "open on", "open at"},
		"fi": {"mihin aikaan", "monelta", "mihin asti", "mihin saakka", "milloin", "aukiolo", "auki", "aukeaa", "sulkeutuu"},
		"sv": {"vilken tid", "hur dags", "när", "öppettider", "öppet", "öppnar", "stänger"},
		"lv": {"cikos", "no cikiem", "līdz cikiem", "kad", "darba laik", "atvērt", "strādājat"},
	}},
	{addressAnswer, map[string][]string{
		"en": {"address", "where is", "where are", "where can i find", "how do i get"},
		"fi": {"osoite", "osoitteen", "missä", "miten pääsee", "miten löydän"},
		"sv": {"adress", "var ligger", "var finns", "var är", "hur hittar"},
		"lv": {"adrese", "adresi", "kur atrodas", "kur ir", "kā nokļūt"},
	}},
}

// kindOf is what question asks for in lang (anyAnswer when it does not
// say).
func kindOf(question, lang string) answerKind {
	q := " " + strings.ToLower(question) + " "
	q = strings.NewReplacer("?", " ", ",", " ", ".", " ", "!", " ").Replace(q)
	for _, c := range answerCues {
		for _, cue := range c.cues[lang] {
			if strings.Contains(q, " "+cue) {
				return c.kind
			}
		}
	}
	return anyAnswer
}

var (
	moneyRE    = regexp.MustCompile(`(?i)(\d[\d ,.]*\s*(€|e\b|eur|euro|eiro))|(€\s*\d)`)
	durationRE = regexp.MustCompile(`(?i)\b(\d+|one|two|three|four|five|six|seven|ten|fourteen|yksi|kaksi|kolme|neljä|viisi|kuusi|seitsemän|kymmenen|kahden|kolmen|neljän|viiden|seitsemän|en|ett|två|tre|fyra|fem|sju|tio|viena|divas|divu|trīs|četras|piecas|septiņas|desmit)\s+(working\s+|business\s+)?(days?|hours?|minutes?|weeks?|months?|arki|päiv|tunn|tunti|minuut|viiko|kuukau|arbetsdag|dag|timm|minut|veck|månad|darba\s+dien|dien|stund|minūt|nedēļ|mēneš)`)
	clockRE    = regexp.MustCompile(`(?i)\b([01]?\d|2[0-3])[.:][0-5]\d\b|\bklo\s*\d|\bkl\.?\s*\d|\b\d{1,2}\s*[–-]\s*\d{1,2}\b|\b\d{1,2}\s*(am|pm)\b`)
	phoneRE    = regexp.MustCompile(`\b\d{2,4}[ -]?\d{3}[ -]?\d{3,4}\b`)
	addressRE  = regexp.MustCompile(`(?i)\b\p{L}+(katu|tie|kuja|polku|gatan|vägen|iela|street|road|avenue)\s+\d+`)
)

// carries reports whether sentence holds a fact of kind k.
func (k answerKind) carries(sentence string) bool {
	switch k {
	case priceAnswer:
		return moneyRE.MatchString(sentence)
	case durationAnswer:
		return durationRE.MatchString(sentence)
	case timeAnswer:
		// "When" is answered by a clock time, or by how long it takes.
		return clockRE.MatchString(sentence) || durationRE.MatchString(sentence)
	case phoneAnswer:
		return phoneRE.MatchString(sentence)
	case addressAnswer:
		return addressRE.MatchString(sentence)
	}
	return false
}
