package when

import "time"

func finnish() *lexicon {
	l := newLexicon("fi")
	units := [9]string{"yksi", "kaksi", "kolme", "neljä", "viisi", "kuusi", "seitsemän", "kahdeksan", "yhdeksän"}
	l.numbers(units,
		[10]string{"kymmenen", "yksitoista", "kaksitoista", "kolmetoista", "neljätoista", "viisitoista",
			"kuusitoista", "seitsemäntoista", "kahdeksantoista", "yhdeksäntoista"},
		[4]string{"kaksikymmentä", "kolmekymmentä", "neljäkymmentä", "viisikymmentä"}, true)
	put(l, l.cardinals, "nolla", 0)
	put(l, l.cardinals, "yks", 1)
	put(l, l.cardinals, "kaks", 2)
	put(l, l.hours, "yks", 1)
	put(l, l.hours, "kaks", 2)
	put(l, l.hours, "nolla", 0)
	// Genitive ("kahden aikaan") and ablative ("kahdelta" = at two).
	gen := []string{"yhden", "kahden", "kolmen", "neljän", "viiden", "kuuden", "seitsemän",
		"kahdeksan", "yhdeksän", "kymmenen", "yhdentoista", "kahdentoista"}
	abl := []string{"yhdeltä", "kahdelta", "kolmelta", "neljältä", "viideltä", "kuudelta", "seitsemältä",
		"kahdeksalta", "yhdeksältä", "kymmeneltä", "yhdeltätoista", "kahdeltatoista"}
	for i := range gen {
		put(l, l.hours, gen[i], i+1)
		put(l, l.hoursAt, abl[i], i+1)
	}

	l.phrase(relE(0), "tänään", "tänäänkin", "tälle päivälle", "tänä päivänä")
	l.phrase(relE(1), "huomenna", "huomiseksi", "huomiselle", "huominen", "huomista", "huomisena", "huomenna")
	l.phrase(relE(2), "ylihuomenna", "ylihuomiseksi", "ylihuomiselle")
	l.phrase(relE(1).and(partE(Morning)), "huomenaamulla", "huomisaamuna", "huomisaamulla", "huomisaamupäivänä")
	l.phrase(relE(1).and(partE(Afternoon)), "huomisiltapäivänä", "huomisiltapäivällä")
	l.phrase(relE(1).and(partE(Evening)), "huomisiltana", "huomenillalla", "huomisillalla")
	l.phrase(weekE(0), "tällä viikolla", "tälle viikolle", "tämän viikon", "tällä viikkoa", "tämän viikon aikana")
	l.phrase(weekE(1), "ensi viikolla", "ensi viikoksi", "ensi viikolle", "ensi viikon",
		"seuraavalla viikolla", "seuraavaksi viikoksi", "seuraavalle viikolle", "seuraavan viikon",
		"tulevalla viikolla", "tulevan viikon")
	l.phrase(weekE(2), "sitä seuraavalla viikolla", "ensi viikon jälkeen")
	l.phrase(monthE(0), "tässä kuussa", "tämän kuun", "tälle kuulle")
	l.phrase(monthE(1), "ensi kuussa", "ensi kuun", "ensi kuulle", "seuraavassa kuussa", "seuraavan kuun")

	// Parts of day in their case forms; "ilta" changes to "illa-" in some.
	aamu := []string{"", "lla", "na", "ksi", "lle", "n", "sta", "isin"}
	forms(l, l.phrases, partE(Morning), "aamu", aamu...)
	forms(l, l.phrases, partE(Morning), "aamupäivä", "", "llä", "nä", "ksi", "lle", "n", "ä", "stä")
	forms(l, l.phrases, partE(Morning), "aamupäivisin", "")
	forms(l, l.phrases, partE(Afternoon), "iltapäivä", "", "llä", "nä", "ksi", "lle", "n", "ä", "stä")
	forms(l, l.phrases, partE(Afternoon), "iltapäivisin", "")
	forms(l, l.phrases, partE(Evening), "ilta", "", "na", "isin")
	forms(l, l.phrases, partE(Evening), "illa", "lla", "ksi", "lle", "n", "sta")
	l.phrase(partE(Morning), "ennen puoltapäivää", "ennen puolta päivää", "ennen lounasta", "ennen kahtatoista", "aikaisin aamulla")
	l.phrase(partE(Afternoon), "puolenpäivän jälkeen", "puolen päivän jälkeen", "lounaan jälkeen", "jälkeen puolenpäivän")
	// Greetings name a part of day without asking for it.
	l.phrase(effect{}, "hyvää huomenta", "hyvää iltaa", "hyvää iltapäivää", "hyvää päivää", "hyvää aamua", "hyvää aamupäivää")
	l.phrase(noonE(), "puoliltapäivin", "keskipäivällä", "puolenpäivän aikaan", "puolen päivän aikaan", "lounasaikaan")
	l.phrase(earliestE(), "pikimmiten", "heti kun mahdollista", "heti kun pääsee", "niin pian kuin mahdollista",
		"niin nopeasti kuin mahdollista", "mahdollisimman pian", "mahdollisimman nopeasti", "mahdollisimman aikaisin",
		"mahdollisimman varhain", "mahdollisimman pikaisesti", "aikaisin mahdollinen", "aikaisimpaan mahdolliseen",
		"aikaisin vapaa", "heti", "pikaisesti", "äkkiä")
	l.pair(earliestE(),
		[]string{"ensimmäi", "lähi", "seuraava", "aikaisi", "varhaisi", "nopei"},
		[]string{"vapaa", "mahdolli", "aika", "aikaa", "ajan", "aikaan", "ajalle", "ajaksi"})

	days := []string{"sunnuntai", "maanantai", "tiistai", "", "torstai", "perjantai", "lauantai"}
	for i, d := range days {
		if d == "" {
			continue
		}
		forms(l, l.weekdays, time.Weekday(i), d, "", "na", "ksi", "lle", "n", "ta", "sta", "sin")
		l.weekdayStems = append(l.weekdayStems, weekdayStem{foldString(d), time.Weekday(i)})
	}
	forms(l, l.weekdays, time.Wednesday, "keskiviik", "ko", "kona", "oksi", "olle", "on", "koa", "osta", "koisin")
	l.weekdayStems = append(l.weekdayStems, weekdayStem{foldString("keskiviikko"), time.Wednesday})

	months := []string{"tammi", "helmi", "maalis", "huhti", "touko", "kesä", "heinä", "elo", "syys", "loka", "marras", "joulu"}
	for i, m := range months {
		forms(l, l.months, time.Month(i+1), m+"kuu", "", "ta", "ssa", "n", "lle", "ksi", "sta", "hun")
	}

	// Ordinals, nominative ("viides") and essive ("viidentenä").
	nom := [9]string{"ensimmäinen", "toinen", "kolmas", "neljäs", "viides", "kuudes", "seitsemäs", "kahdeksas", "yhdeksäs"}
	nomTeen := [9]string{"yhdes", "kahdes", "kolmas", "neljäs", "viides", "kuudes", "seitsemäs", "kahdeksas", "yhdeksäs"}
	ess := [9]string{"ensimmäisenä", "toisena", "kolmantena", "neljäntenä", "viidentenä", "kuudentena", "seitsemäntenä", "kahdeksantena", "yhdeksäntenä"}
	essTeen := [9]string{"yhdentenä", "kahdentena", "kolmantena", "neljäntenä", "viidentenä", "kuudentena", "seitsemäntenä", "kahdeksantena", "yhdeksäntenä"}
	gen2 := [9]string{"ensimmäisen", "toisen", "kolmannen", "neljännen", "viidennen", "kuudennen", "seitsemännen", "kahdeksannen", "yhdeksännen"}
	for i := range nom {
		put(l, l.ordinals, nom[i], i+1)
		put(l, l.ordinals, ess[i], i+1)
		put(l, l.ordinals, gen2[i], i+1)
		put(l, l.ordinals, nomTeen[i]+"toista", 11+i)
		put(l, l.ordinals, essTeen[i]+"toista", 11+i)
		put(l, l.ordinals, "kahdeskymmenes"+nom[i], 21+i)
		put(l, l.ordinals, "kahdentenakymmenentenä"+ess[i], 21+i)
	}
	put(l, l.ordinals, "kymmenes", 10)
	put(l, l.ordinals, "kymmenentenä", 10)
	put(l, l.ordinals, "kymmenennen", 10)
	put(l, l.ordinals, "kahdeskymmenes", 20)
	put(l, l.ordinals, "kahdentenakymmenentenä", 20)
	put(l, l.ordinals, "kolmaskymmenes", 30)
	put(l, l.ordinals, "kolmantenakymmenentenä", 30)
	put(l, l.ordinals, "kolmaskymmenesensimmäinen", 31)
	put(l, l.ordinals, "kolmantenakymmenentenäensimmäisenä", 31)
	for w, n := range map[string]int{"kahdeskymmenes": 20, "kahdentenakymmenentenä": 20, "kolmaskymmenes": 30, "kolmantenakymmenentenä": 30} {
		put(l, l.tens, w, n)
	}
	words(l.dayWords, l, "päivä", "päivänä", "päivää", "päiväksi", "päivälle", "päivän", "pvä", "pv")

	words(l.markers, l, "kello", "klo", "kelloa", "noin", "kellon")
	words(l.around, l, "aikaan", "maissa", "paikkeilla", "paikkeille", "aikoihin")
	words(l.half, l, "puoli")
	l.halfPrev = true
	words(l.quarter, l, "varttia", "vartin", "vartti", "varttii")
	for w, n := range map[string]int{"viittä": 5, "kymmentä": 10, "kahtakymmentä": 20, "kahtakymmentäviittä": 25} {
		put(l, l.minutes, w, n)
	}
	words(l.past, l, "yli")
	words(l.to, l, "vaille", "vailla", "vaile")
	return l
}
