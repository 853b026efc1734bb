// Package when understands when a caller wants an appointment: a day, a part
// of the day, a clock time or "the earliest", said in English, Finnish,
// Swedish or Latvian and written down by speech-to-text (lowercase, little
// punctuation, sometimes without diacritics).
//
// It is pure: no I/O and no clock of its own. Workflow code passes
// workflow.Now, so a replay reads a phrase the same way as the first run.
//
// Readings worth knowing (each is pinned by a test):
//
//   - A weekday, with or without "next" ("next Tuesday", "ensi tiistaina",
//     "nästa tisdag", "nākamajā otrdienā"), is the first such day after
//     today: said on a Monday, "next Tuesday" is tomorrow; said on a
//     Tuesday, "Tuesday" is a week away. That is how most callers mean it.
//     To reach the week after, they say "Tuesday next week" ("ensi viikon
//     tiistaina"), which is the Tuesday of next Monday-Sunday week.
//   - "This week" runs from tomorrow to Sunday (today alone on a Sunday);
//     "next week" is next Monday to Sunday.
//   - A clock time 1-7 without am/pm or a part of day is in the afternoon
//     (13-19): a clinic does not book at 3 am. "07:30", "14:30", "in the
//     morning" and am/pm keep the hour as said. So "puoli kolme" (2:30)
//     is 14:30.
//   - With no day said, a part of day or clock time is today, even if it
//     has passed ("at 8" at 9:30): the caller of this package decides.
//   - A date without a year that has passed is next year's; a day of
//     month alone ("the 5th") that has passed is next month's.
//   - Parts of day: morning 08-12, afternoon 12-17, evening 17-20.
//   - Said twice, the later wins ("Monday, no, Tuesday"). An explicit date
//     beats a day of month, which beats today/tomorrow, then a weekday,
//     then a week, then a month.
package when

import "time"

// Part is a part of the day.
type Part int

// Parts of the day; the zero Part is none.
const (
	Morning   Part = iota + 1 // 08-12; also "before noon", fi aamupäivä, sv förmiddag
	Afternoon                 // 12-17
	Evening                   // 17-20
)

func (p Part) String() string {
	switch p {
	case Morning:
		return "morning"
	case Afternoon:
		return "afternoon"
	case Evening:
		return "evening"
	}
	return ""
}

// Hours is the window of the part of day, from inclusive, to exclusive.
func (p Part) Hours() (from, to int) {
	switch p {
	case Morning:
		return 8, 12
	case Afternoon:
		return 12, 17
	case Evening:
		return 17, 20
	}
	return 0, 24
}

// Request is the time a caller asked for.
type Request struct {
	// From, To is the window asked for, in loc; To is exclusive. A day
	// without a part of day is that day's 00:00 to the next day's 00:00.
	// With a clock time the window is still the day (or part of day),
	// widened to hold At, so nearby times can be offered.
	From, To time.Time
	// At is set when a clock time was said on one day ("at ten"), zero otherwise.
	At time.Time
	// Earliest: "as soon as possible", "the earliest", "ensimmäinen vapaa",
	// "första lediga", "pēc iespējas ātrāk". Alone, From is now and To zero.
	Earliest bool
	// Part is the part of day said. Over a window longer than a day ("next
	// week in the mornings") it is the only place the part is kept.
	Part Part
	// Clock is the time of day said, as an offset from midnight, zero when
	// none. Over a window longer than a day it is the only place the time
	// is kept ("next week at ten"); At is then zero.
	Clock time.Duration
}

// Parse finds a day, part of day or clock time in text, said in lang ("en",
// "fi", "sv", "lv"; "fi-FI" works too; any other tries all four). ok is
// false when the text names no time at all. A request with only Earliest
// set is ok (From = now, To = zero). loc nil means now's location.
func Parse(text, lang string, now time.Time, loc *time.Location) (r Request, ok bool) {
	if loc == nil {
		loc = now.Location()
	}
	now = now.In(loc)
	toks := tokens(text)
	for _, l := range lexiconsFor(lang) {
		if r, ok := scan(l, toks).resolve(now, loc); ok {
			return r, true
		}
	}
	return Request{}, false
}

func lexiconsFor(lang string) []*lexicon {
	tag := lang
	for i, r := range lang {
		if r == '-' || r == '_' {
			tag = lang[:i]
			break
		}
	}
	for _, l := range languages {
		if len(tag) == 2 && (tag[0]|0x20) == l.lang[0] && (tag[1]|0x20) == l.lang[1] {
			return []*lexicon{l}
		}
	}
	return languages
}

// languages are built once and only read afterwards.
var languages = []*lexicon{english(), finnish(), swedish(), latvian()}

func dayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// resolve places what was found on the calendar.
func (f found) resolve(now time.Time, loc *time.Location) (Request, bool) {
	y, m, d := now.Date()
	today := dayStart(y, m, d, loc)
	var day, from, to time.Time // day set: one day; else from/to: a longer window
	switch {
	case f.hasDate && f.dateDay(now, loc, &day):
	case f.dayOnly > 0 && f.dayOfMonth(now, loc, &day):
	case f.hasRel:
		day = dayStart(y, m, d+f.rel, loc)
	case f.hasWday && f.hasWeek:
		mon := d - (int(now.Weekday())+6)%7 + 7*f.week
		day = dayStart(y, m, mon+(int(f.weekday)+6)%7, loc)
	case f.hasWday:
		ahead := (int(f.weekday) - int(now.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		day = dayStart(y, m, d+ahead, loc)
	case f.hasWeek:
		mon := d - (int(now.Weekday())+6)%7 + 7*f.week
		from, to = dayStart(y, m, mon, loc), dayStart(y, m, mon+7, loc)
		if f.week == 0 {
			from = dayStart(y, m, d+1, loc)
			if !from.Before(to) {
				from = today
			}
		}
	case f.hasMonth || f.hasMonR:
		my, mm := y, m+time.Month(f.monthR)
		if f.hasMonth {
			mm = f.month
			if mm < m {
				my++
			}
		}
		from, to = dayStart(my, mm, 1, loc), dayStart(my, mm+1, 1, loc)
		if from.Before(today) {
			from = today
		}
	case f.part != 0 || f.hasClk:
		day = today
	case f.earliest:
		return Request{From: now, Earliest: true}, true
	default:
		return Request{}, false
	}

	r := Request{Earliest: f.earliest, Part: f.part}
	var h, min int
	if f.hasClk {
		h, min = f.hour(), f.clock.m
		r.Clock = time.Duration(h)*time.Hour + time.Duration(min)*time.Minute
	}
	if day.IsZero() {
		r.From, r.To = from, to
		return r, true
	}
	dy, dm, dd := day.Date()
	r.From, r.To = day, dayStart(dy, dm, dd+1, loc)
	if f.part != 0 {
		ph, pt := f.part.Hours()
		r.From, r.To = time.Date(dy, dm, dd, ph, 0, 0, 0, loc), time.Date(dy, dm, dd, pt, 0, 0, 0, loc)
	}
	if f.hasClk {
		r.At = time.Date(dy, dm, dd, h, min, 0, 0, loc)
		if r.At.Before(r.From) {
			r.From = r.At
		}
		if !r.At.Before(r.To) {
			r.To = r.At.Add(time.Hour)
			if end := dayStart(dy, dm, dd+1, loc); r.To.After(end) {
				r.To = end
			}
		}
	}
	return r, true
}

// hour is the clock hour on a 24-hour clock.
func (f found) hour() int {
	h := f.clock.h
	switch {
	case f.clock.mer == am:
		if h == 12 {
			h = 0
		}
	case f.clock.mer == pm:
		if h < 12 {
			h += 12
		}
	case f.clock.h24:
	case f.part == Afternoon || f.part == Evening:
		if h < 12 {
			h += 12
		}
	case f.part == Morning:
	case h >= 1 && h <= 7:
		h += 12 // clinic hours: "at three" is 15:00
	}
	return h
}

// dateDay places a date; a date without a year that has passed is next year's.
func (f found) dateDay(now time.Time, loc *time.Location, day *time.Time) bool {
	y, m, d := f.date[0], f.date[1], f.date[2]
	ny, nm, nd := now.Date()
	if y == 0 {
		y = ny
		if time.Month(m) < nm || (time.Month(m) == nm && d < nd) {
			y++
		}
	}
	if !validDate(y, m, d) {
		return false
	}
	*day = dayStart(y, time.Month(m), d, loc)
	return true
}

// dayOfMonth places "the 5th": this month, or the next that has the day,
// or in the month said ("ensi kuun viidentenä").
func (f found) dayOfMonth(now time.Time, loc *time.Location, day *time.Time) bool {
	ny, nm, nd := now.Date()
	d := f.dayOnly
	if f.hasMonth || f.hasMonR {
		y, m := ny, nm+time.Month(f.monthR)
		if f.hasMonth {
			m = f.month
			if m < nm {
				y++
			}
		}
		first := dayStart(y, m, 1, loc)
		if d > daysIn(first.Year(), int(first.Month())) {
			return false
		}
		*day = dayStart(first.Year(), first.Month(), d, loc)
		return true
	}
	for k := 0; k < 13; k++ {
		first := dayStart(ny, nm+time.Month(k), 1, loc)
		if (k == 0 && d < nd) || d > daysIn(first.Year(), int(first.Month())) {
			continue
		}
		*day = dayStart(first.Year(), first.Month(), d, loc)
		return true
	}
	return false
}
