package when

import (
	"strings"
	"time"
)

// clock is a clock time as said, before it is placed on a day.
type clock struct {
	h, m int
	mer  int  // am, pm or none
	h24  bool // said so that no afternoon guess applies: "14:30", "07:30", noon
}

// found is everything a text said. When a slot is said twice, the later
// wins: callers correct themselves ("Monday, no, Tuesday").
type found struct {
	rel      int
	hasRel   bool
	date     [3]int // y (0: not said), m, d
	hasDate  bool
	dayOnly  int // day of month without a month ("the 5th")
	weekday  time.Weekday
	hasWday  bool
	week     int
	hasWeek  bool
	month    time.Month // named alone: "in December"
	hasMonth bool
	monthR   int // "next month"
	hasMonR  bool
	part     Part
	clock    clock
	hasClk   bool
	earliest bool
}

func (f *found) apply(e effect) {
	if e.set&setRel != 0 {
		f.rel, f.hasRel = e.rel, true
	}
	if e.set&setWeekday != 0 {
		f.weekday, f.hasWday = e.weekday, true
	}
	if e.set&setWeek != 0 {
		f.week, f.hasWeek = e.week, true
	}
	if e.set&setMonthRel != 0 {
		f.monthR, f.hasMonR, f.hasMonth = e.monthRel, true, false
	}
	if e.set&setPart != 0 {
		f.part = e.part
	}
	if e.set&setNoon != 0 {
		f.clock, f.hasClk = clock{h: 12, h24: true}, true
	}
	if e.set&setEarliest != 0 {
		f.earliest = true
	}
}

// scanner walks the tokens once, left to right, trying at each position the
// readers below in order and skipping words none of them knows.
type scanner struct {
	l    *lexicon
	t    []string
	f    found
	noTo bool // the clock being read follows "from"
}

func scan(l *lexicon, toks []string) found {
	s := scanner{l: l, t: toks}
	for i := 0; i < len(toks); {
		n := s.at(i)
		if n <= 0 {
			n = 1
		}
		i += n
	}
	return s.f
}

// at reads what starts at token i and says how many tokens it used.
// Longer phrases go first so that "i morgon" is tomorrow before "morgon"
// can be morning, and dates before clock times so that "5 december" is not
// five o'clock.
func (s *scanner) at(i int) int {
	for _, read := range []func(int) int{
		s.pair,
		func(i int) int { return s.phrase(i, 2) },
		s.date,
		s.clock,
		func(i int) int { return s.phrase(i, 1) },
		s.weekday,
		s.monthAlone,
	} {
		if n := read(i); n > 0 {
			return n
		}
	}
	return 0
}

func (s *scanner) tok(i int) string {
	if i < 0 || i >= len(s.t) {
		return ""
	}
	return s.t[i]
}

func hasAnyPrefix(w string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

func (s *scanner) pair(i int) int {
	for _, p := range s.l.pairs {
		if hasAnyPrefix(s.tok(i), p.first) && hasAnyPrefix(s.tok(i+1), p.second) {
			s.f.apply(p.e)
			return 2
		}
	}
	return 0
}

// phrase reads the longest fixed phrase of at least min words at i.
func (s *scanner) phrase(i, least int) int {
	for n := min(s.l.maxPhrase, len(s.t)-i); n >= least; n-- {
		if e, ok := s.l.phrases[strings.Join(s.t[i:i+n], " ")]; ok {
			s.f.apply(e)
			return n
		}
	}
	return 0
}

func (s *scanner) weekday(i int) int {
	w := s.tok(i)
	if d, ok := s.l.weekdays[w]; ok {
		s.f.weekday, s.f.hasWday = d, true
		return 1
	}
	// Compounds: sv "tisdagsförmiddag", fi "tiistaiaamuna".
	for _, st := range s.l.weekdayStems {
		if rest, ok := strings.CutPrefix(w, st.stem); ok && rest != "" {
			if e, ok := s.l.phrases[rest]; ok && e.onlyPart() {
				s.f.weekday, s.f.hasWday = st.day, true
				s.f.apply(e)
				return 1
			}
		}
	}
	return 0
}

func (s *scanner) monthAlone(i int) int {
	w := s.tok(i)
	m, ok := s.l.months[w]
	if !ok {
		return 0
	}
	if s.l.monthNeedsIn[w] && s.tok(i-1) != "in" {
		return 0 // "may I book", "march in"
	}
	s.f.month, s.f.hasMonth, s.f.hasMonR = m, true, false
	return 1
}

// markedBefore says whether a clock marker ("klo", "at") comes just before i.
func (s *scanner) markedBefore(i int) bool {
	return s.l.markers[s.tok(i-1)]
}

// dayNum reads a day of month at i: digits ("5", "5.", "5th", "5:e"), an
// ordinal word, or a ten and an ordinal ("twenty first").
// marked says it was plainly an ordinal, not just a number.
func (s *scanner) dayNum(i int) (d, n int, marked, word bool) {
	w := s.tok(i)
	if d, marked, ok := readDay(w, s.l.lang); ok {
		return d, 1, marked, false
	}
	if t, ok := s.l.tens[w]; ok {
		if u, ok := s.l.ordinals[s.tok(i+1)]; ok && u <= 9 && t+u <= 31 {
			return t + u, 2, true, true
		}
	}
	if d, ok := s.l.ordinals[w]; ok {
		return d, 1, true, true
	}
	return 0, 0, false, false
}

// year reads a four-digit year at i, if there is one.
func (s *scanner) year(i int) (int, int) {
	w := strings.TrimSuffix(s.tok(i), ".")
	if len(w) == 4 {
		if y, ok := number(w); ok && y >= 1900 && y <= 2200 {
			return y, 1
		}
	}
	return 0, 0
}

// date reads a date at i: "5.12.", "5 december", "december 5th", "the 5th
// of december", "viides joulukuuta", "joulukuun 5. päivä", "den femte
// december", "piektajā decembrī", or a day of month alone ("the 5th",
// "on the fifth", "viidentenä päivänä", "den 5:e", "piektajā datumā").
func (s *scanner) date(i int) int {
	if !s.markedBefore(i) {
		if y, m, d, ok := readDate(s.tok(i)); ok {
			s.setDate(y, m, d)
			return 1
		}
	}
	j := i
	var lead []string
	for j < len(s.t) && s.l.dayLead[s.t[j]] && len(lead) < 2 {
		lead = append(lead, s.t[j])
		j++
	}
	if d, n, marked, word := s.dayNum(j); n > 0 {
		k := j + n
		for s.l.dayFill[s.tok(k)] {
			k++
		}
		if m, ok := s.l.months[s.tok(k)]; ok {
			k++
			y, yn := s.year(k)
			s.setDate(y, int(m), d)
			return k + yn - i
		}
		k = j + n
		if s.l.dayWords[s.tok(k)] && (marked || word) {
			s.setDayOnly(d)
			return k + 1 - i
		}
		if s.dayAlone(lead, d, marked, word) {
			s.setDayOnly(d)
			return k - i
		}
	}
	if m, ok := s.l.months[s.tok(j)]; ok {
		k := j + 1
		for s.l.dayLead[s.tok(k)] {
			k++
		}
		if d, n, _, _ := s.dayNum(k); n > 0 && !s.clockWord(k+n) {
			k += n
			if s.l.dayWords[s.tok(k)] {
				k++
			}
			y, yn := s.year(k)
			s.setDate(y, int(m), d)
			return k + yn - i
		}
	}
	return 0
}

// clockWord says whether token i makes the number before it a clock time
// ("december 10 am" is not the 10th).
func (s *scanner) clockWord(i int) bool {
	w := s.tok(i)
	return s.l.meridiem[w] != none || s.l.oclock[w] || s.l.around[w]
}

// dayAlone decides whether a day of month said without a month counts.
// Ordinal words alone are mostly something else ("the first available",
// "den andra" = the second one), so each language needs a plain sign.
func (s *scanner) dayAlone(lead []string, d int, marked, word bool) bool {
	has := func(w string) bool {
		for _, l := range lead {
			if l == w {
				return true
			}
		}
		return false
	}
	switch s.l.lang {
	case "en": // "the 5th", "5th", "on the fifth"
		return (marked && !word) || (word && has("on") && has("the"))
	case "sv": // "den 5:e", "den 5", "den femte"; not "den andra" (the second one)
		return (marked && !word) || (has("den") && (!word || d > 3))
	}
	return false
}

func (s *scanner) setDate(y, m, d int) {
	s.f.date, s.f.hasDate = [3]int{y, m, d}, true
}

func (s *scanner) setDayOnly(d int) {
	s.f.dayOnly = d
}

// clock reads a clock time at i, with or without a marker before it.
func (s *scanner) clock(i int) int {
	j := i
	marked := false
	for s.l.markers[s.tok(j)] && j-i < 3 {
		j++
		marked = true
	}
	// "from ten to twelve" is a range, not 11:50.
	s.noTo = s.tok(j-1) == "from"
	c, n := s.clockAt(j, marked)
	if n == 0 {
		return 0
	}
	s.f.clock, s.f.hasClk = c, true
	return j + n - i
}

// hourAt reads an hour for "half past", "quarter to" and "half": a word,
// an "at N" form or a plain numeral up to 12.
func (s *scanner) hourAt(i int) (int, bool) {
	w := s.tok(i)
	if h, ok := s.l.hours[w]; ok && h >= 1 && h <= 12 {
		return h, true
	}
	if h, ok := s.l.hoursAt[w]; ok {
		return h, true
	}
	if h, ok := number(strings.TrimSuffix(w, ".")); ok && h >= 1 && h <= 12 {
		return h, true
	}
	return 0, false
}

// minuteWord reads the minutes of "M past H" / "M to H".
func (s *scanner) minuteWord(i int) (m, n int) {
	w := s.tok(i)
	switch {
	case s.l.quarter[w]:
		return 15, 1
	case s.l.half[w] && !s.l.halfPrev:
		return 30, 1
	}
	if m, ok := s.l.minutes[w]; ok {
		return m, 1
	}
	if m, n := s.cardinal(i); n > 0 && m >= 1 && m <= 30 {
		return m, n
	}
	if m, ok := number(w); ok && m >= 1 && m <= 30 {
		return m, 1
	}
	return 0, 0
}

// cardinal reads a number word 0-59, as one word or a ten and a unit.
func (s *scanner) cardinal(i int) (int, int) {
	w := s.tok(i)
	if t, ok := s.l.tens[w]; ok {
		if u, ok := s.l.cardinals[s.tok(i+1)]; ok && u >= 1 && u <= 9 {
			return t + u, 2
		}
	}
	if n, ok := s.l.cardinals[w]; ok {
		return n, 1
	}
	return 0, 0
}

func prevHour(h int) int {
	if h == 1 {
		return 12
	}
	return h - 1
}

// clockAt reads the clock time itself, after any marker.
func (s *scanner) clockAt(j int, marked bool) (clock, int) {
	l := s.l
	// lv "bez ceturkšņa desmit" = 9:45.
	if l.toFirst[s.tok(j)] {
		if m, n := s.minuteWord(j + 1); n > 0 {
			if h, ok := s.hourAt(j + 1 + n); ok {
				return clock{h: prevHour(h), m: 60 - m}, n + 2
			}
		}
	}
	// "quarter past nine", "varttia yli yhdeksän", "kvart i tio", "ceturksni pāri deviņiem".
	if m, n := s.minuteWord(j); n > 0 {
		w := s.tok(j + n)
		toOK := !s.noTo && (m == 15 || m == 5 || m == 10 || m == 20 || m == 25)
		if l.past[w] || (l.to[w] && toOK) {
			if h, ok := s.hourAt(j + n + 1); ok {
				if l.past[w] {
					return clock{h: h, m: m}, n + 2
				}
				return clock{h: prevHour(h), m: 60 - m}, n + 2
			}
		}
	}
	w := s.tok(j)
	// "puoli kolme", "halv tre", "pus divos" = 2:30, 2:30, 1:30; en "half two" = 2:30.
	if l.half[w] {
		if h, ok := s.hourAt(j + 1); ok {
			n := 2
			if l.around[s.tok(j+2)] {
				n++
			}
			if l.halfPrev {
				return clock{h: prevHour(h), m: 30}, n
			}
			return clock{h: h, m: 30}, n
		}
	}
	if h, ok := l.halfAt[w]; ok {
		return clock{h: prevHour(h), m: 30}, 1
	}
	if h, ok := l.hoursAt[w]; ok {
		n := 1
		if l.around[s.tok(j+1)] {
			n++
		}
		return clock{h: h}, n
	}
	if _, ok := l.months[s.tok(j+1)]; ok {
		return clock{}, 0 // "5 december"
	}
	// Digits: "14:30", "10.30", "2pm", "10".
	if c, ok := readClock(w); ok {
		k := j + 1
		cl := clock{h: c.h, m: c.m, mer: c.mer, h24: c.zeroPadded || c.h == 0 || c.h > 12}
		if !c.minutes && marked {
			// "at 10 30"
			if m, ok := number(s.tok(k)); ok && len(s.tok(k)) == 2 && m <= 59 {
				cl.m, k = m, k+1
			}
		}
		k, sure := s.clockTail(&cl, k)
		if c.minutes || c.mer != none || marked || sure {
			if valid(cl) {
				return cl, k - j
			}
		}
		return clock{}, 0
	}
	// Words: "ten", "ten thirty", "kymmenen", "klockan tio", "two pm".
	if h, ok := l.hours[w]; ok {
		cl := clock{h: h, h24: h > 12 || h == 0}
		k := j + 1
		minutes := false
		if m, n := s.cardinal(k); n > 0 && m >= 10 && m <= 59 {
			cl.m, k, minutes = m, k+n, true
		} else if m, n := s.cardinal(k); n == 1 && m == 0 && s.tok(k) != "nolla" {
			// en "ten oh five"
			if u, ok := l.cardinals[s.tok(k+1)]; ok && u >= 1 && u <= 9 {
				cl.m, k, minutes = u, k+2, true
			}
		}
		k, sure := s.clockTail(&cl, k)
		if (marked || sure || (minutes && h >= 1 && h <= 12)) && valid(cl) {
			return cl, k - j
		}
	}
	return clock{}, 0
}

// clockTail reads what may follow an hour: "am"/"pm", "o'clock", fi
// "aikaan". sure says one of them was there.
func (s *scanner) clockTail(c *clock, k int) (int, bool) {
	sure := false
	if m := s.l.meridiem[s.tok(k)]; m != none {
		c.mer, k, sure = m, k+1, true
	}
	if s.l.oclock[s.tok(k)] {
		k, sure = k+1, true
	} else if s.l.oclock[s.tok(k)+" "+s.tok(k+1)] {
		k, sure = k+2, true
	}
	if s.l.around[s.tok(k)] {
		k, sure = k+1, true
	}
	// "10 in the morning", "kymmenen aamulla": a part of day right after
	// makes a bare number a clock time (the part itself is read next).
	p := k
	for s.tok(p) == "in" || s.tok(p) == "the" || s.tok(p) == "pa" || s.tok(p) == "no" {
		p++
	}
	if e, ok := s.l.phrases[s.tok(p)]; ok && e.onlyPart() && p-k <= 2 {
		sure = true
	} else if e, ok := s.l.phrases[s.tok(p)+" "+s.tok(p+1)]; ok && e.onlyPart() && p == k {
		sure = true
	}
	return k, sure
}

func valid(c clock) bool {
	if c.m < 0 || c.m > 59 {
		return false
	}
	if c.mer != none {
		return c.h >= 1 && c.h <= 12
	}
	return c.h >= 0 && c.h <= 23
}
