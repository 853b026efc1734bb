package when

import (
	"fmt"
	"strings"
	"time"
)

// Meridiem of a clock time.
const (
	none = iota
	am
	pm
)

// effect is what a fixed phrase says: "tomorrow" is a day, "tonight" a part
// of day, "i morgon bitti" both.
type effect struct {
	set      uint16
	rel      int // days from today
	weekday  time.Weekday
	week     int // weeks from this one
	monthRel int // months from this one
	part     Part
}

const (
	setRel uint16 = 1 << iota
	setWeekday
	setWeek
	setMonthRel
	setPart
	setNoon
	setEarliest
)

func relE(days int) effect           { return effect{set: setRel, rel: days} }
func weekE(weeks int) effect         { return effect{set: setWeek, week: weeks} }
func monthE(months int) effect       { return effect{set: setMonthRel, monthRel: months} }
func partE(p Part) effect            { return effect{set: setPart, part: p} }
func weekdayE(d time.Weekday) effect { return effect{set: setWeekday, weekday: d} }
func noonE() effect                  { return effect{set: setNoon} }
func earliestE() effect              { return effect{set: setEarliest} }
func (e effect) and(o effect) effect { e.mergeFrom(o); e.set |= o.set; return e }
func (e effect) onlyPart() bool      { return e.set == setPart }
func (e *effect) mergeFrom(o effect) {
	if o.set&setRel != 0 {
		e.rel = o.rel
	}
	if o.set&setWeekday != 0 {
		e.weekday = o.weekday
	}
	if o.set&setWeek != 0 {
		e.week = o.week
	}
	if o.set&setMonthRel != 0 {
		e.monthRel = o.monthRel
	}
	if o.set&setPart != 0 {
		e.part = o.part
	}
}

// pairRule is two neighbouring words known by how they begin, for
// inflected phrases: fi "ensimmäinen/ensimmäiseen" + "vapaa/vapaaseen".
type pairRule struct {
	first, second []string
	e             effect
}

// weekdayStem begins a compound of weekday and part of day: sv
// "tisdagsförmiddag", fi "tiistaiaamuna".
type weekdayStem struct {
	stem string
	day  time.Weekday
}

// lexicon holds one language's words. All keys are folded (see fold). It
// is built once and only read afterwards.
type lexicon struct {
	lang string

	phrases   map[string]effect // one or more words, space-separated
	maxPhrase int
	pairs     []pairRule

	weekdays     map[string]time.Weekday
	weekdayStems []weekdayStem
	months       map[string]time.Month
	monthNeedsIn map[string]bool // en "may": a month only next to a day or after "in"

	ordinals  map[string]int  // 1-31, every case form
	tens      map[string]int  // 20, 30 ... said as a word of their own ("twenty first")
	cardinals map[string]int  // 0-59
	dayWords  map[string]bool // fi "päivä", lv "datumā": makes an ordinal a day of month
	dayLead   map[string]bool // en "on", "the"; sv "den": may come before a day
	dayFill   map[string]bool // en "of": between day and month

	markers  map[string]bool // "at", "kello", "klockan", "pulksten"
	around   map[string]bool // after the hour: fi "aikaan"
	hours    map[string]int  // hour words that need a marker or minutes
	hoursAt  map[string]int  // hour words that are a clock time on their own
	halfAt   map[string]int  // lv "pusdivos": half before the hour given
	half     map[string]bool
	halfPrev bool // "half three" is 2:30 (fi puoli kolme, sv halv tre, lv pus trijos), not 3:30 (en half three)
	quarter  map[string]bool
	minutes  map[string]int // minute words for "M past H" besides cardinals
	past, to map[string]bool
	toFirst  map[string]bool // lv "bez ceturkšņa desmit": "to" before the minutes
	oclock   map[string]bool
	meridiem map[string]int

	conflicts []string // table entries that say two things; a test keeps this empty
}

func newLexicon(lang string) *lexicon {
	return &lexicon{
		lang:         lang,
		phrases:      map[string]effect{},
		weekdays:     map[string]time.Weekday{},
		months:       map[string]time.Month{},
		monthNeedsIn: map[string]bool{},
		ordinals:     map[string]int{},
		tens:         map[string]int{},
		cardinals:    map[string]int{},
		dayWords:     map[string]bool{},
		dayLead:      map[string]bool{},
		dayFill:      map[string]bool{},
		markers:      map[string]bool{},
		around:       map[string]bool{},
		hours:        map[string]int{},
		hoursAt:      map[string]int{},
		halfAt:       map[string]int{},
		half:         map[string]bool{},
		quarter:      map[string]bool{},
		minutes:      map[string]int{},
		past:         map[string]bool{},
		to:           map[string]bool{},
		toFirst:      map[string]bool{},
		oclock:       map[string]bool{},
		meridiem:     map[string]int{},
	}
}

// put adds a folded key, noting a clash with an earlier, different value.
func put[V comparable](l *lexicon, m map[string]V, key string, v V) {
	k := foldString(key)
	if old, ok := m[k]; ok && old != v {
		l.conflicts = append(l.conflicts, fmt.Sprintf("%s %q: %v and %v", l.lang, k, old, v))
	}
	m[k] = v
}

func words(m map[string]bool, l *lexicon, ws ...string) {
	for _, w := range ws {
		put(l, m, w, true)
	}
}

// phrase adds fixed phrases with one effect.
func (l *lexicon) phrase(e effect, ps ...string) {
	for _, p := range ps {
		put(l, l.phrases, p, e)
		if n := len(tokens(p)); n > l.maxPhrase {
			l.maxPhrase = n
		}
	}
}

// pair adds a rule for two neighbouring words known by their beginnings.
func (l *lexicon) pair(e effect, first, second []string) {
	r := pairRule{e: e}
	for _, f := range first {
		r.first = append(r.first, foldString(f))
	}
	for _, s := range second {
		r.second = append(r.second, foldString(s))
	}
	l.pairs = append(l.pairs, r)
}

// forms adds stem+ending for every ending.
func forms[V comparable](l *lexicon, m map[string]V, v V, stem string, endings ...string) {
	for _, e := range endings {
		put(l, m, stem+e, v)
	}
}

// numbers fills cardinals 0-59 from units (1-9), 10-19 and tens (20-50).
// join says how a ten and a unit make one word ("kaksikymmentäviisi",
// "tjugofem"); two separate words are always understood too.
func (l *lexicon) numbers(units [9]string, teens [10]string, tens [4]string, join bool) {
	for i, w := range units {
		put(l, l.cardinals, w, i+1)
	}
	for i, w := range teens {
		put(l, l.cardinals, w, 10+i)
	}
	for i, t := range tens {
		put(l, l.cardinals, t, 20+10*i)
		put(l, l.tens, t, 20+10*i)
		if join {
			for j, u := range units {
				put(l, l.cardinals, t+u, 20+10*i+j+1)
			}
		}
	}
	for w, n := range l.cardinals {
		if n <= 23 && !strings.Contains(w, " ") {
			l.hours[w] = n
		}
	}
}
