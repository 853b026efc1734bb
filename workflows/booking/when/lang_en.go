package when

import "time"

func english() *lexicon {
	l := newLexicon("en")
	l.numbers(
		[9]string{"one", "two", "three", "four", "five", "six", "seven", "eight", "nine"},
		[10]string{"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"},
		[4]string{"twenty", "thirty", "forty", "fifty"}, false)
	put(l, l.cardinals, "zero", 0)
	put(l, l.cardinals, "oh", 0) // "ten oh five"
	put(l, l.cardinals, "o", 0)

	l.phrase(relE(0), "today")
	l.phrase(relE(1), "tomorrow", "tomorrows", "tmrw", "tomorow")
	l.phrase(relE(2), "day after tomorrow", "overmorrow")
	l.phrase(relE(1).and(partE(Morning)), "tomorrow morning")
	l.phrase(weekE(0), "this week", "later this week", "this coming week")
	l.phrase(weekE(1), "next week", "the following week", "following week")
	l.phrase(weekE(2), "week after next", "the week after next")
	l.phrase(monthE(0), "this month", "later this month")
	l.phrase(monthE(1), "next month")
	l.phrase(partE(Morning), "morning", "mornings", "before noon", "before lunch", "forenoon", "early in the day")
	l.phrase(partE(Afternoon), "afternoon", "afternoons", "after lunch", "after noon", "pm")
	l.phrase(partE(Evening), "evening", "evenings", "tonight", "late in the day")
	// Greetings name a part of day without asking for it.
	l.phrase(effect{}, "good morning", "good afternoon", "good evening", "morning all")
	l.phrase(noonE(), "noon", "midday", "lunchtime", "lunch time")
	l.phrase(earliestE(), "earliest", "soonest", "asap", "a s a p",
		"as soon as possible", "as soon as you can", "as early as possible", "as soon as we can",
		"earliest possible", "first thing", "right away", "as quickly as possible")
	l.pair(earliestE(),
		[]string{"first", "next", "earliest", "soonest", "nearest"},
		[]string{"available", "free", "possible", "opening", "slot", "spot", "open"})

	days := []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
	for i, d := range days {
		forms(l, l.weekdays, time.Weekday(i), d, "", "s")
	}
	forms(l, l.weekdays, time.Tuesday, "tues", "")
	forms(l, l.weekdays, time.Thursday, "thurs", "")
	months := []string{"january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december"}
	for i, m := range months {
		put(l, l.months, m, time.Month(i+1))
	}
	put(l, l.months, "sept", time.September)
	words(l.monthNeedsIn, l, "may", "march")

	ords := []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
		"tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
		"seventeenth", "eighteenth", "nineteenth", "twentieth"}
	for i, o := range ords {
		put(l, l.ordinals, o, i+1)
	}
	put(l, l.ordinals, "thirtieth", 30)
	for i, o := range ords[:9] {
		put(l, l.ordinals, "twenty"+o, 21+i)
	}
	put(l, l.ordinals, "thirtyfirst", 31)
	words(l.dayLead, l, "on", "the")
	words(l.dayFill, l, "of")

	words(l.markers, l, "at", "around", "about", "from", "round", "approximately", "say")
	words(l.half, l, "half")
	words(l.quarter, l, "quarter")
	words(l.past, l, "past", "after")
	words(l.to, l, "to", "till", "before")
	words(l.oclock, l, "oclock", "o clock", "hundred", "sharp")
	put(l, l.meridiem, "am", am)
	put(l, l.meridiem, "pm", pm)
	return l
}
