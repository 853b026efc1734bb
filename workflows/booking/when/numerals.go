package when

import "strings"

// Numerals as speech-to-text writes them: "10", "14:30", "10.30", "2pm",
// "5th", "5:e", "5.", "5.12.", "2026-12-05".

// number reads a token of 1-4 ASCII digits.
func number(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if !isDigit(r) {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

// clockNumeral is a clock time written in digits.
type clockNumeral struct {
	h, m       int
	minutes    bool // minutes were written ("10:30", "10.30")
	dot        bool // with a dot rather than a colon
	mer        int  // am or pm suffix
	zeroPadded bool // "07:30", "08": a 24-hour reading, so no afternoon guess
}

// readClock reads "10", "10.", "14:30", "10.30", "10am", "2:30pm".
func readClock(s string) (c clockNumeral, ok bool) {
	switch {
	case strings.HasSuffix(s, "am"):
		c.mer, s = am, strings.TrimSuffix(s, "am")
	case strings.HasSuffix(s, "pm"):
		c.mer, s = pm, strings.TrimSuffix(s, "pm")
	}
	s = strings.TrimSuffix(s, ".")
	hs, ms, found := strings.Cut(s, ":")
	if !found {
		hs, ms, found = strings.Cut(s, ".")
		c.dot = found
	}
	if len(hs) == 0 || len(hs) > 2 {
		return c, false
	}
	var okH bool
	if c.h, okH = number(hs); !okH {
		return c, false
	}
	c.zeroPadded = len(hs) == 2 && hs[0] == '0'
	if found {
		if len(ms) != 2 {
			return c, false
		}
		var okM bool
		if c.m, okM = number(ms); !okM || c.m > 59 {
			return c, false
		}
		c.minutes = true
	}
	if c.mer != none {
		return c, c.h >= 1 && c.h <= 12
	}
	return c, c.h <= 23
}

// readDay reads a day of month in digits: "5", "5.", "5th", "21st", "5:e",
// "1:a". marked says the token itself says it is an ordinal.
func readDay(s, lang string) (d int, marked, ok bool) {
	digits := s
	switch {
	case strings.HasSuffix(s, "."):
		digits = strings.TrimSuffix(s, ".")
		// A dot after a number is an ordinal in Finnish and Latvian, and
		// mostly the end of a sentence in English and Swedish.
		marked = lang == "fi" || lang == "lv"
	case len(s) > 2 && (strings.HasSuffix(s, "st") || strings.HasSuffix(s, "nd") ||
		strings.HasSuffix(s, "rd") || strings.HasSuffix(s, "th")):
		digits, marked = s[:len(s)-2], true
	case strings.HasSuffix(s, ":e") || strings.HasSuffix(s, ":a"):
		digits, marked = s[:len(s)-2], true
	}
	if len(digits) > 2 {
		return 0, false, false
	}
	d, ok = number(digits)
	return d, marked, ok && d >= 1 && d <= 31
}

// readDate reads a whole date in one token: "5.12.", "5.12.2026",
// "5.12.26", "2026-12-05", "5/12", "5/12/2026" (day before month, as in the
// clinic's countries). "5.12" without the last dot could be 5:12 too; it
// is a date only when the part after the dot is not a plausible minute
// (not a multiple of five): "5.6" and "5.12" are dates, "10.30" is a time.
func readDate(s string) (y, m, d int, ok bool) {
	if parts := strings.Split(s, "-"); len(parts) == 3 {
		if len(parts[0]) != 4 {
			return 0, 0, 0, false
		}
		y, ok1 := number(parts[0])
		m, ok2 := number(parts[1])
		d, ok3 := number(parts[2])
		return y, m, d, ok1 && ok2 && ok3 && validDate(y, m, d)
	}
	sep := "."
	if strings.Contains(s, "/") {
		sep = "/"
	}
	trailing := strings.HasSuffix(s, sep)
	parts := strings.Split(strings.TrimSuffix(s, sep), sep)
	if len(parts) < 2 || len(parts) > 3 || len(parts[0]) > 2 || len(parts[1]) > 2 {
		return 0, 0, 0, false
	}
	d, ok1 := number(parts[0])
	m, ok2 := number(parts[1])
	if !ok1 || !ok2 {
		return 0, 0, 0, false
	}
	if len(parts) == 3 {
		var okY bool
		if y, okY = number(parts[2]); !okY || (len(parts[2]) != 2 && len(parts[2]) != 4) {
			return 0, 0, 0, false
		}
		if len(parts[2]) == 2 {
			y += 2000
		}
	} else if sep == "." && !trailing && len(parts[1]) == 2 && m%5 == 0 {
		return 0, 0, 0, false
	}
	return y, m, d, validDate(y, m, d)
}

// validDate checks a day and month; y 0 means the year is not known yet,
// and then 29 February passes.
func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	if y != 0 && (y < 1900 || y > 2200) {
		return false
	}
	if y == 0 {
		y = 2028 // a leap year
	}
	return d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
