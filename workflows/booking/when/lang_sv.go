package when

import "time"

func swedish() *lexicon {
	l := newLexicon("sv")
	units := [9]string{"ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio"}
	l.numbers(units,
		[10]string{"tio", "elva", "tolv", "tretton", "fjorton", "femton", "sexton", "sjutton", "arton", "nitton"},
		[4]string{"tjugo", "trettio", "fyrtio", "femtio"}, true)
	put(l, l.cardinals, "en", 1)
	put(l, l.hours, "en", 1)
	put(l, l.cardinals, "noll", 0)
	for i, u := range append(units[:], "tio", "elva", "tolv") {
		put(l, l.hoursAt, u+"tiden", i+1) // "vid tiotiden"
	}

	l.phrase(relE(0), "idag", "i dag", "i dag på", "under dagen idag")
	l.phrase(relE(1), "i morgon", "imorgon", "imorron", "i morron", "imorgon dag", "i morgon dag", "morgondagen")
	l.phrase(relE(2), "i övermorgon", "iövermorgon", "övermorgon")
	// "i morgon bitti" is tomorrow, early.
	l.phrase(relE(1).and(partE(Morning)), "i morgon bitti", "imorgon bitti", "i morron bitti", "imorron bitti",
		"i morgon förmiddag", "imorgon förmiddag", "i morgon morgon", "imorgon morgon")
	l.phrase(weekE(0), "den här veckan", "denna vecka", "i veckan", "under veckan", "senare i veckan", "den här veckan")
	l.phrase(weekE(1), "nästa vecka", "nästa veckas", "kommande vecka", "nästkommande vecka", "veckan efter", "nästa veckan")
	l.phrase(weekE(2), "veckan efter nästa", "om två veckor")
	l.phrase(monthE(0), "den här månaden", "denna månad", "i månaden", "senare i månaden")
	l.phrase(monthE(1), "nästa månad", "kommande månad", "nästa månads")
	for _, w := range []string{"morgon", "morgonen", "morgnar", "morgnarna", "bitti", "förmiddag", "förmiddagen",
		"förmiddagar", "förmiddagarna", "fm", "morse"} {
		l.phrase(partE(Morning), w)
	}
	l.phrase(partE(Morning), "före lunch", "innan lunch", "före tolv", "tidigt på dagen")
	for _, w := range []string{"eftermiddag", "eftermiddagen", "eftermiddagar", "eftermiddagarna", "em"} {
		l.phrase(partE(Afternoon), w)
	}
	l.phrase(partE(Afternoon), "efter lunch", "efter tolv")
	for _, w := range []string{"kväll", "kvällen", "kvällar", "kvällarna", "ikväll", "afton", "kvällstid"} {
		l.phrase(partE(Evening), w)
	}
	l.phrase(effect{}, "god morgon", "god kväll", "god eftermiddag", "god middag", "godmorgon", "godkväll")
	l.phrase(noonE(), "mitt på dagen", "lunchtid", "vid lunch", "lunchtiden")
	l.phrase(earliestE(), "snarast", "snarast möjligt", "så snart som möjligt", "så fort som möjligt",
		"så tidigt som möjligt", "så snart det går", "så fort det går", "så snabbt som möjligt", "fortast möjligt",
		"så fort som det går", "tidigast möjliga", "tidigast möjligt", "omgående", "med en gång")
	l.pair(earliestE(),
		[]string{"först", "närmast", "nästa", "tidigast", "snarast"},
		[]string{"ledig", "möjlig", "tid", "lucka"})

	days := []string{"söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"}
	for i, d := range days {
		forms(l, l.weekdays, time.Weekday(i), d, "", "en", "ar", "arna", "s")
		l.weekdayStems = append(l.weekdayStems, weekdayStem{foldString(d + "s"), time.Weekday(i)})
	}
	months := []string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
		"september", "oktober", "november", "december"}
	for i, m := range months {
		put(l, l.months, m, time.Month(i+1))
	}

	ords := []string{"första", "andra", "tredje", "fjärde", "femte", "sjätte", "sjunde", "åttonde", "nionde",
		"tionde", "elfte", "tolfte", "trettonde", "fjortonde", "femtonde", "sextonde", "sjuttonde", "artonde",
		"nittonde", "tjugonde"}
	for i, o := range ords {
		put(l, l.ordinals, o, i+1)
	}
	put(l, l.ordinals, "trettionde", 30)
	for i, o := range ords[:9] {
		put(l, l.ordinals, "tjugo"+o, 21+i)
	}
	put(l, l.ordinals, "trettioförsta", 31)
	words(l.dayLead, l, "den", "på")

	words(l.markers, l, "klockan", "kl", "klocka", "vid", "runt", "omkring", "ungefär", "cirka", "ca", "kring")
	words(l.half, l, "halv")
	l.halfPrev = true
	words(l.quarter, l, "kvart")
	words(l.past, l, "över", "efter")
	words(l.to, l, "i", "före")
	words(l.oclock, l, "prick", "tiden")
	return l
}
