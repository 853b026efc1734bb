package voicemail

import (
	"regexp"
	"strings"
	"unicode"
)

// Result is what triage made of a message.
type Result struct {
	Team           string `json:"team"`
	Topic          string `json:"topic"`
	Urgent         bool   `json:"urgent"`
	Priority       int    `json:"priority"`
	CallbackNumber string `json:"callback_number,omitempty"`
	CallerName     string `json:"caller_name,omitempty"`
}

// Topics triage can find; TopicOther goes to the general team.
const (
	TopicPrescription = "prescription"
	TopicResults      = "test-results"
	TopicBilling      = "billing"
	TopicCancel       = "appointment-cancel"
	TopicReschedule   = "appointment-reschedule"
	TopicBook         = "appointment-book"
	TopicAppointment  = "appointment"
	TopicOther        = "other"
	TopicNoMessage    = "no-message"
)

// A term is one or more words; a word ending in * matches any word it
// begins (a stem: Finnish and Latvian inflect, "reseptin", "recepti"),
// otherwise the word must match whole. A term of n words scores n, so
// "boka om" (reschedule) beats "boka" (book).
type topicTerms struct {
	topic, team string
	terms       []string
}

// lexicon is one language's keywords. Where a word both names a topic and
// looks urgent, exclude keeps it out of urgency ("kipulääke" is a
// painkiller, not pain).
type lexicon struct {
	topics    []topicTerms // on equal scores the earlier topic wins
	urgent    []string
	soon      []string // wants an answer soon, but not urgent: priority 2
	exclude   []string
	negations []string // "not urgent": a negation up to two words before
	// names are the phrases after which the caller says their name;
	// openers count only at the start of the message ("this is ...").
	names, openers []string
}

var lexicons = map[string]lexicon{
	"en": {
		topics: []topicTerms{
			{TopicPrescription, TeamPrescriptions, []string{"prescription*", "renew*", "refill*", "medicine*", "medication*", "pharmac*", "pill", "pills", "tablet*", "inhaler*", "insulin"}},
			{TopicResults, TeamResults, []string{"result*", "lab", "labs", "laborator*", "test results", "blood test*", "x ray*", "xray*", "scan*", "biops*", "sample*"}},
			{TopicBilling, TeamBilling, []string{"invoice*", "bill", "bills", "billing", "billed", "payment*", "pay", "paid", "charge*", "refund*", "receipt*", "fee", "fees", "overcharg*"}},
			{TopicCancel, TeamAppointments, []string{"cancel*", "call off"}},
			{TopicReschedule, TeamAppointments, []string{"reschedul*", "postpone*", "move my", "move the", "change my appointment", "another time", "different time"}},
			{TopicBook, TeamAppointments, []string{"book*", "make an appointment", "new appointment", "schedule an", "see a doctor", "see the doctor"}},
			{TopicAppointment, TeamAppointments, []string{"appointment*", "visit*"}},
		},
		urgent: []string{"urgent*", "emergenc*", "pain", "pains", "painful", "hurt*", "bleed*", "as soon as possible", "asap", "right away",
			"immediately", "can't breathe", "cannot breathe", "short of breath", "unconscious", "severe*"},
		soon:      []string{"today", "soon", "quickly", "run out", "running out", "ran out"},
		negations: []string{"not", "no", "isn't", "isnt", "nothing", "never", "without", "don't"},
		names:     []string{"my name is", "name's", "my name's"},
		openers:   []string{"this is", "it's"},
	},
	"fi": {
		topics: []topicTerms{
			{TopicPrescription, TeamPrescriptions, []string{"resept*", "uusia", "uusimaan", "uusimi*", "uusittav*", "uusinta*", "lääke*", "lääkk*", "lääkity*", "apteek*", "tabletti*", "insuliini*"}},
			{TopicResults, TeamResults, []string{"tulos", "tulokse*", "tuloks*", "labra*", "laboratori*", "verikoe*", "verikok*", "kokeiden", "koetulo*", "näyte*", "näyttee*", "röntgen*", "magneettikuv*"}},
			{TopicBilling, TeamBilling, []string{"lasku*", "maksu*", "maksaa", "maksoin", "maksanut", "maksettu", "hyvity*", "kuitti*", "kuitin"}},
			{TopicCancel, TeamAppointments, []string{"perua", "perun", "perumaan", "perum*", "peruu*", "perutt*"}},
			{TopicReschedule, TeamAppointments, []string{"siirt*", "siirr*", "vaihtaa ajan", "toinen aika", "toisen ajan"}},
			{TopicBook, TeamAppointments, []string{"varata", "varaan", "varaamaan", "varaisin", "varasin", "varaus*", "varauk*", "ajanvara*", "uusi aika", "uuden ajan"}},
			{TopicAppointment, TeamAppointments, []string{"aika", "ajan", "aikaa", "aikani", "vastaanot*", "käynti*", "lääkärille", "lääkärin"}},
		},
		urgent: []string{"kiire*", "kiiree*", "kipu*", "kipe*", "kivu*", "sattuu", "verenvuot*", "vuotaa", "vuoto*", "hätä*", "heti",
			"mahdollisimman pian", "pikaisesti", "akuut*", "rintakipu*", "hengenahdis*"},
		soon:      []string{"tänään", "loppu*", "pian", "nopeasti"},
		exclude:   []string{"kipulääk*", "kivunlievit*", "kiireetön", "kiireettö*"},
		negations: []string{"ei", "eikä", "en", "ilman"},
		names:     []string{"nimeni on", "minun nimi on", "nimi on"},
		openers:   []string{"täällä soittaa", "tässä soittaa", "täällä on", "täällä", "tässä on"},
	},
	"sv": {
		topics: []topicTerms{
			{TopicPrescription, TeamPrescriptions, []string{"recept*", "förny*", "medicin*", "läkemed*", "apotek*", "tablett*", "insulin*"}},
			{TopicResults, TeamResults, []string{"provsvar*", "prov", "provet", "proverna", "provtagning*", "resultat*", "labb*", "laborator*", "blodprov*", "röntgen*"}},
			{TopicBilling, TeamBilling, []string{"faktur*", "räkning*", "betal*", "avgift*", "kvitto*", "återbetal*"}},
			{TopicCancel, TeamAppointments, []string{"avbok*", "avbeställ*", "ställa in", "ställ in"}},
			{TopicReschedule, TeamAppointments, []string{"boka om", "ombok*", "flytta*", "ändra tid*", "byta tid*", "annan tid"}},
			{TopicBook, TeamAppointments, []string{"boka", "bokar", "bokat", "bokade", "bokning*", "beställa tid", "få en tid", "ny tid"}},
			{TopicAppointment, TeamAppointments, []string{"tid", "tiden", "tider", "besök*", "mottagning*", "läkartid*"}},
		},
		urgent: []string{"brådsk*", "akut*", "ont", "smärt*", "blöd*", "så snart som möjligt", "snarast", "genast", "omedelbart",
			"andnöd*", "bröstsmärt*"},
		soon:      []string{"idag", "i dag", "slut*", "snart", "fort"},
		exclude:   []string{"smärtstill*"},
		negations: []string{"inte", "ej", "icke", "inget", "ingen"},
		names:     []string{"jag heter", "mitt namn är"},
		openers:   []string{"det här är", "här är"},
	},
	"lv": {
		topics: []topicTerms{
			{TopicPrescription, TeamPrescriptions, []string{"recept*", "zāl*", "zāļ*", "zales", "medikament*", "atjauno*", "aptiek*", "tablet*", "izrakst*", "insulīn*"}},
			{TopicResults, TeamResults, []string{"rezultāt*", "analīz*", "laborator*", "izmeklējum*", "rentgen*", "testa", "testu", "testi"}},
			{TopicBilling, TeamBilling, []string{"rēķin*", "maksājum*", "maksāt", "maksāju", "apmaks*", "samaks*", "atmaks*", "čeks", "čeku"}},
			{TopicCancel, TeamAppointments, []string{"atcel*", "atceļ*"}},
			{TopicReschedule, TeamAppointments, []string{"pārcel*", "pārceļ*", "citu laiku", "mainīt laiku", "cits laiks"}},
			{TopicBook, TeamAppointments, []string{"pierakst*", "rezervē*", "pieteikt*"}},
			{TopicAppointment, TeamAppointments, []string{"vizīt*", "pie ārsta", "pieņemšan*"}},
		},
		urgent: []string{"steidz*", "sāp*", "asiņo*", "asiņošan*", "nekavējoties", "pēc iespējas ātrāk", "pēc iespējas drīzāk",
			"akūt*", "neatliekam*", "elpas trūkum*"},
		soon:      []string{"šodien", "beidz*", "drīz", "ātri"},
		negations: []string{"nav", "ne", "nekas", "nē", "bez"},
		names:     []string{"mani sauc", "mans vārds ir", "mans vards ir"},
		openers:   []string{"es esmu", "šeit ir", "zvana"},
	},
}

// digitWords are the spoken digits of all four languages, with the
// spellings speech recognisers give when they drop diacritics. They are
// pooled: a caller may read a number in another language than the
// message, and no word here is a digit in one language and something else
// that occurs inside a number in another.
var digitWords = map[string]byte{
	// English
	"zero": '0', "oh": '0', "o": '0', "one": '1', "two": '2', "three": '3', "four": '4', "five": '5', "six": '6', "seven": '7', "eight": '8', "nine": '9',
	// Finnish, with the spoken forms
	"nolla": '0', "yksi": '1', "yks": '1', "kaksi": '2', "kaks": '2', "kolme": '3', "neljä": '4', "nelja": '4', "viisi": '5', "viis": '5',
	"kuusi": '6', "kuus": '6', "seitsemän": '7', "seitseman": '7', "seittemän": '7', "seiska": '7', "kahdeksan": '8', "kaheksan": '8', "kasi": '8',
	"yhdeksän": '9', "yhdeksan": '9', "yheksän": '9', "ysi": '9',
	// Swedish
	"noll": '0', "ett": '1', "en": '1', "två": '2', "tva": '2', "tre": '3', "fyra": '4', "fem": '5', "sex": '6', "sju": '7', "åtta": '8', "atta": '8', "nio": '9',
	// Latvian
	"nulle": '0', "nulli": '0', "viens": '1', "viena": '1', "divi": '2', "trīs": '3', "tris": '3', "četri": '4', "cetri": '4', "pieci": '5',
	"seši": '6', "sesi": '6', "septiņi": '7', "septini": '7', "astoņi": '8', "astoni": '8', "deviņi": '9', "devini": '9',
}

// repeaters say the next digit twice or three times ("double four").
var repeaters = map[string]int{"double": 2, "triple": 3, "tupla": 2, "dubbel": 2, "dubult": 2}

// phoneCues before a digit run mark it as the callback number; billCues
// mark it as an invoice or reference number instead.
var (
	phoneCues = []string{"phone*", "number*", "call*", "reach*", "mobile*", "numero*", "puhelin*", "soita*", "tavoittaa",
		"nummer*", "numret", "telefon*", "ring*", "mobil*", "numur*", "tālru*", "zvan*"}
	billCues = []string{"invoice*", "reference*", "account*", "lasku*", "viite*", "asiakasnumero*", "faktur*", "referens*", "kund*",
		"rēķin*", "konta*", "līgum*"}
)

// nameStops are words that follow "this is" and the like but are no name.
var nameStops = words(`a an and about again am and calling from hello hey hi i i'm in is it just my number on phone please phoning
regarding ringing so speaking that the this to um uh er with your here concerning
ja hei moi on olen soitan soittaa tässä täällä minun asia asiani koskien numero numeroni puhelin että niin no tota öö
och jag ringer från om hej här är mitt nummer angående för med eh
un es zvanu par sveiki labdien labrīt mans mani numurs tālrunis ar lūdzu šeit ir esmu
need needed want wanted would have had was will can could tarvitsen tarvitsisin haluan haluaisin olisi
behöver vill skulle har hade vajag vēlos gribu gribētu būtu`)

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Triage classifies a message: team and topic by keywords, urgency,
// priority (1 urgent, 2 soon, 3 normal), and the callback number and name
// if the caller said them. lang picks the lexicon; an unknown language is
// matched against all four. Nothing recognised is the general team, topic
// "other".
func Triage(text, lang string) Result {
	toks := tokens(text)
	lexs := []lexicon{}
	if lx, ok := lexicons[lang]; ok {
		lexs = append(lexs, lx)
	} else {
		for _, l := range []string{"en", "fi", "sv", "lv"} {
			lexs = append(lexs, lexicons[l])
		}
	}
	r := Result{Team: TeamGeneral, Topic: TopicOther, Priority: PriorityNormal}
	teamScore := map[string]int{}
	topicScore := map[string]int{}
	var order []topicTerms
	for _, lx := range lexs {
		for _, tt := range lx.topics {
			n := 0
			for _, term := range tt.terms {
				n += len(strings.Fields(term)) * len(matches(toks, term, nil))
			}
			if n > 0 {
				teamScore[tt.team] += n
				topicScore[tt.topic] += n
				order = append(order, tt)
			}
		}
	}
	best := 0
	for _, tt := range order {
		if s := teamScore[tt.team]; s > best {
			best, r.Team = s, tt.team
		}
	}
	best = 0
	for _, tt := range order {
		if s := topicScore[tt.topic]; tt.team == r.Team && s > best {
			best, r.Topic = s, tt.topic
		}
	}
	for _, lx := range lexs {
		if found(toks, lx.urgent, lx) {
			r.Urgent = true
		}
	}
	switch {
	case r.Urgent:
		r.Priority = PriorityUrgent
	case anyFound(toks, lexs, func(lx lexicon) []string { return lx.soon }):
		r.Priority = PriorityHigh
	}
	r.CallbackNumber = callbackNumber(text)
	r.CallerName = callerName(text, lexs)
	return r
}

func anyFound(toks []string, lexs []lexicon, terms func(lexicon) []string) bool {
	for _, lx := range lexs {
		if found(toks, terms(lx), lx) {
			return true
		}
	}
	return false
}

// found reports whether any term occurs not negated and not excluded.
func found(toks, terms []string, lx lexicon) bool {
	for _, term := range terms {
		for _, at := range matches(toks, term, lx.exclude) {
			if !negated(toks, at, lx.negations) {
				return true
			}
		}
	}
	return false
}

func negated(toks []string, at int, negations []string) bool {
	for i := max(0, at-2); i < at; i++ {
		for _, n := range negations {
			if toks[i] == n {
				return true
			}
		}
	}
	return false
}

// tokens lower-cases text and splits it into words; apostrophes stay
// inside words ("can't"), everything else that is not a letter or digit
// separates.
func tokens(text string) []string {
	text = strings.ToLower(strings.ReplaceAll(text, "’", "'"))
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
}

// matches returns the positions where term starts in toks, skipping words
// that match an exclusion.
func matches(toks []string, term string, exclude []string) []int {
	pat := strings.Fields(term)
	var at []int
	for i := 0; i+len(pat) <= len(toks); i++ {
		ok := true
		for j, p := range pat {
			if !wordMatch(toks[i+j], p) || excluded(toks[i+j], exclude) {
				ok = false
				break
			}
		}
		if ok {
			at = append(at, i)
		}
	}
	return at
}

func wordMatch(tok, pat string) bool {
	if stem, ok := strings.CutSuffix(pat, "*"); ok {
		return strings.HasPrefix(tok, stem)
	}
	return tok == pat
}

func excluded(tok string, exclude []string) bool {
	for _, e := range exclude {
		if wordMatch(tok, e) {
			return true
		}
	}
	return false
}

// callbackNumber finds the number the caller asked to be called back on:
// written digits with spaces or dashes ("040 123 4567", "+358 40
// 1234567") and spoken digits in any of the four languages, mixed freely.
// A run of at least six digits counts. A run after "number", "call me"
// and the like is preferred; one after "invoice" or "reference" is taken
// only when there is nothing else.
func callbackNumber(text string) string {
	text = datePattern.ReplaceAllString(strings.ToLower(text), " date ")
	toks := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '+' && r != '\''
	})
	type run struct {
		digits      string
		phone, bill bool
	}
	var runs []run
	var cur strings.Builder
	start := 0
	repeat := 1
	flush := func() {
		d := cur.String()
		cur.Reset()
		if n := len(strings.TrimPrefix(d, "+")); n >= 6 {
			r := run{digits: d}
			for i := max(0, start-4); i < start; i++ {
				r.phone = r.phone || cueAt(toks[i], phoneCues)
				r.bill = r.bill || cueAt(toks[i], billCues)
			}
			runs = append(runs, r)
		}
	}
	for i, t := range toks {
		d, ok := tokenDigits(t)
		switch {
		case ok:
			if cur.Len() == 0 {
				start = i
			}
			if strings.HasPrefix(d, "+") && cur.Len() > 0 {
				flush() // a new international number starts
				start = i
			}
			if repeat > 1 && len(d) == 1 {
				d = strings.Repeat(d, repeat)
			}
			repeat = 1
			cur.WriteString(d)
		case repeaters[t] > 0:
			repeat = repeaters[t]
		case (t == "plus" || t == "pluss") && cur.Len() == 0:
			start = i
			cur.WriteString("+")
		default:
			flush()
			repeat = 1
		}
	}
	flush()
	pick := func(ok func(run) bool) string {
		for _, r := range runs {
			if ok(r) {
				return r.digits
			}
		}
		return ""
	}
	for _, rule := range []func(run) bool{
		func(r run) bool { return r.phone && !r.bill },
		func(r run) bool { return !r.bill },
		func(r run) bool { return true },
	} {
		if d := pick(rule); d != "" {
			return d
		}
	}
	return ""
}

// datePattern is a written date ("12.3.2026", "12/03/26"): its digits
// are no phone number.
var datePattern = regexp.MustCompile(`\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b`)

// tokenDigits reads one token as digits: "040", "+358", or a digit word.
func tokenDigits(t string) (string, bool) {
	if d, ok := digitWords[t]; ok {
		return string(d), true
	}
	body := strings.TrimPrefix(t, "+")
	if body == "" || strings.Contains(body, "+") {
		return "", false
	}
	for _, r := range body {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return t, true
}

func cueAt(tok string, cues []string) bool {
	for _, c := range cues {
		if wordMatch(tok, c) {
			return true
		}
	}
	return false
}

// callerName takes the one or two words after "my name is", "nimeni on",
// "jag heter", "mani sauc" (anywhere) or "this is", "täällä", "det här
// är" (only at the start), capitalised. A word that is a stop word, a
// digit, a keyword, or comes after a comma or full stop is not part of the
// name.
func callerName(text string, lexs []lexicon) string {
	type word struct {
		lower, core string
		endsClause  bool
	}
	var ws []word
	for _, f := range strings.Fields(strings.ReplaceAll(text, "’", "'")) {
		core := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if core == "" {
			continue
		}
		last := f[len(f)-1]
		ws = append(ws, word{lower: strings.ToLower(core), core: core, endsClause: strings.ContainsRune(",.;:!?", rune(last))})
	}
	isNamePart := func(w word) bool {
		if len([]rune(w.core)) < 2 || nameStops[w.lower] {
			return false
		}
		if _, digit := digitWords[w.lower]; digit {
			return false
		}
		for _, r := range w.core {
			if !unicode.IsLetter(r) && r != '-' && r != '\'' {
				return false
			}
		}
		for _, lx := range lexs {
			for _, tt := range lx.topics {
				if found([]string{w.lower}, tt.terms, lexicon{}) {
					return false
				}
			}
			if found([]string{w.lower}, lx.urgent, lexicon{}) {
				return false
			}
		}
		return true
	}
	lowers := make([]string, len(ws))
	for i, w := range ws {
		lowers[i] = w.lower
	}
	after := func(phrase string, within int) int {
		for _, at := range matches(lowers, phrase, nil) {
			if at <= within {
				return at + len(strings.Fields(phrase))
			}
		}
		return -1
	}
	for _, lx := range lexs {
		for _, list := range []struct {
			phrases []string
			within  int
		}{{lx.names, len(ws)}, {lx.openers, 3}} {
			for _, p := range list.phrases {
				i := after(p, list.within)
				if i < 0 || i >= len(ws) || !isNamePart(ws[i]) {
					continue
				}
				name := []string{capitalise(ws[i].core)}
				if !ws[i].endsClause && i+1 < len(ws) && isNamePart(ws[i+1]) {
					name = append(name, capitalise(ws[i+1].core))
				}
				return strings.Join(name, " ")
			}
		}
	}
	return ""
}

// capitalise upper-cases the first letter of each part of a name
// ("anna-liisa" → "Anna-Liisa") and keeps the rest as spoken.
func capitalise(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		if i == 0 || rs[i-1] == '-' {
			rs[i] = unicode.ToUpper(r)
		}
	}
	return string(rs)
}

// CallerNumber is the callback number from a caller id: the user part of
// a SIP or tel URI when it is a phone number, else "" (anonymous,
// "caller", an extension name).
func CallerNumber(callerID string) string {
	s := strings.TrimSpace(callerID)
	for _, p := range []string{"sip:", "sips:", "tel:"} {
		s = strings.TrimPrefix(s, p)
	}
	if i := strings.IndexAny(s, "@;"); i >= 0 {
		s = s[:i]
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return ""
		}
	}
	if len(strings.TrimPrefix(b.String(), "+")) < 6 {
		return ""
	}
	return b.String()
}
