package when

import "time"

func latvian() *lexicon {
	l := newLexicon("lv")
	units := [9]string{"viens", "divi", "trīs", "četri", "pieci", "seši", "septiņi", "astoņi", "deviņi"}
	l.numbers(units,
		[10]string{"desmit", "vienpadsmit", "divpadsmit", "trīspadsmit", "četrpadsmit", "piecpadsmit",
			"sešpadsmit", "septiņpadsmit", "astoņpadsmit", "deviņpadsmit"},
		[4]string{"divdesmit", "trīsdesmit", "četrdesmit", "piecdesmit"}, false)
	put(l, l.cardinals, "nulle", 0)
	put(l, l.cardinals, "viena", 1)
	put(l, l.cardinals, "divas", 2)
	// Locative plural is "at N o'clock" ("desmitos"); with "pus" it is half
	// before ("pusdivos" = 1:30). The dative goes with "pāri" and "ap".
	loc := []string{"vienos", "divos", "trijos", "četros", "piecos", "sešos", "septiņos", "astoņos",
		"deviņos", "desmitos", "vienpadsmitos", "divpadsmitos"}
	dat := []string{"vieniem", "diviem", "trim", "četriem", "pieciem", "sešiem", "septiņiem", "astoņiem",
		"deviņiem", "desmitiem", "vienpadsmitiem", "divpadsmitiem"}
	for i := range loc {
		put(l, l.hoursAt, loc[i], i+1)
		put(l, l.halfAt, "pus"+loc[i], i+1)
		put(l, l.hours, dat[i], i+1)
		put(l, l.hours, loc[i], i+1)
	}

	// "rīt" is tomorrow; "rīta"/"rītā" (folded alike) is morning.
	l.phrase(relE(0), "šodien", "šodienai", "šodiena")
	l.phrase(relE(1), "rīt", "rītdien", "rītdienai", "rītdiena", "rītdienu")
	l.phrase(relE(2), "parīt", "parītdien", "parītdienai")
	l.phrase(relE(3), "aizparīt")
	l.phrase(relE(1).and(partE(Morning)), "rīt no rīta", "rīt rītā", "rīt agri")
	l.phrase(relE(1).and(partE(Evening)), "rītvakar")
	l.phrase(partE(Morning), "šorīt", "no rīta", "rīta pusē", "rīta", "rīts", "agri no rīta",
		"pirms pusdienām", "pirms pusdienas", "priekšpusdienā", "priekšpusdiena", "priekšpusdienu", "priekšpusdienas")
	l.phrase(partE(Afternoon), "pēc pusdienām", "pēc pusdienas", "pēcpusdienā", "pēcpusdiena", "pēcpusdienu", "pēcpusdienas")
	l.phrase(partE(Evening), "šovakar", "vakarā", "vakars", "vakaru", "vakara pusē", "vakarpusē", "vakaros")
	l.phrase(effect{}, "labrīt", "labvakar", "labdien", "labu rītu", "labu vakaru")
	l.phrase(noonE(), "pusdienlaikā", "pusdienas laikā", "dienas vidū")
	l.phrase(weekE(0), "šonedēļ", "šajā nedēļā", "šīs nedēļas", "šo nedēļu", "vēl šonedēļ")
	l.phrase(weekE(1), "nākamnedēļ", "nākošnedēļ", "nākamajā nedēļā", "nākošajā nedēļā", "nākamo nedēļu",
		"nākošo nedēļu", "nākamās nedēļas", "nākošās nedēļas", "nākamā nedēļā", "nākoša nedēļā")
	l.phrase(weekE(2), "aiznākamajā nedēļā", "aiznākamnedēļ", "pēc divām nedēļām")
	l.phrase(monthE(0), "šomēnes", "šajā mēnesī", "šī mēneša")
	l.phrase(monthE(1), "nākammēnes", "nākošmēnes", "nākamajā mēnesī", "nākošajā mēnesī", "nākamā mēneša", "nākamo mēnesi")
	l.phrase(earliestE(), "pēc iespējas ātrāk", "pēc iespējas drīzāk", "pēc iespējas agrāk", "cik ātri vien iespējams",
		"cik drīz vien iespējams", "cik ātri vien var", "tuvākajā laikā", "nekavējoties", "steidzami", "uzreiz",
		"pēc iespējas ātri", "pēc iespējas", "cik vien ātri")
	l.pair(earliestE(),
		[]string{"pirmo", "pirmais", "pirmaj", "pirma", "tuvāk", "nākam", "nākoš", "agrāk"},
		[]string{"brīv", "iespējam", "pieejam", "laik"})

	days := []string{"svētdien", "pirmdien", "otrdien", "trešdien", "ceturtdien", "piektdien", "sestdien"}
	for i, d := range days {
		forms(l, l.weekdays, time.Weekday(i), d, "", "a", "ā", "as", "u", "ai", "ām", "s")
		// "otrdienas rītā", "otrdien no rīta" is Tuesday morning.
		for _, f := range []string{"", "as", "ā"} {
			l.phrase(weekdayE(time.Weekday(i)).and(partE(Morning)), d+f+" rītā")
			l.phrase(weekdayE(time.Weekday(i)).and(partE(Evening)), d+f+" vakarā")
		}
	}
	stems := []string{"janvār", "februār", "mart", "aprīl", "maij", "jūnij", "jūlij", "august",
		"septembr", "oktobr", "novembr", "decembr"}
	for i, m := range stems {
		switch m {
		case "mart", "maij", "jūnij", "jūlij", "august": // like "marts": marta, martā, martu
			forms(l, l.months, time.Month(i+1), m, "s", "a", "ā", "u", "am")
		default: // like "decembris": decembra, decembrī, decembri
			forms(l, l.months, time.Month(i+1), m, "is", "a", "ī", "i", "im")
		}
	}

	// Ordinals: nominative "piektais", locative "piektajā" (the date), accusative "piekto" ("uz piekto").
	ordStems := []string{"pirm", "otr", "treš", "ceturt", "piekt", "sest", "septīt", "astot", "devīt", "desmit",
		"vienpadsmit", "divpadsmit", "trīspadsmit", "četrpadsmit", "piecpadsmit", "sešpadsmit", "septiņpadsmit",
		"astoņpadsmit", "deviņpadsmit", "divdesmit"}
	ends := []string{"ais", "ajā", "ajam", "o", "ā", "ajai"}
	for i, st := range ordStems {
		forms(l, l.ordinals, i+1, st, ends...)
	}
	forms(l, l.ordinals, 30, "trīsdesmit", ends...)
	put(l, l.tens, "divdesmit", 20)
	put(l, l.tens, "trīsdesmit", 30)
	words(l.dayWords, l, "datumā", "datums", "datumu", "datuma", "datumam", "datumos")
	words(l.dayLead, l, "uz")

	words(l.markers, l, "pulksten", "plkst", "pulkstens", "ap", "apmēram", "aptuveni", "uz")
	words(l.half, l, "pus", "puse")
	l.halfPrev = true
	words(l.quarter, l, "ceturksni", "ceturksnis", "ceturkšņa", "ceturksnī")
	words(l.past, l, "pāri")
	words(l.toFirst, l, "bez")
	return l
}
