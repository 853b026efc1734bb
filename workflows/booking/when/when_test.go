package when

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zoneinfo
)

const layout = "2006-01-02 15:04"

func helsinki(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// testNow is Wednesday 2 December 2026, 09:30 in Helsinki.
func testNow(t testing.TB) (time.Time, *time.Location) {
	loc := helsinki(t)
	return time.Date(2026, 12, 2, 9, 30, 0, 0, loc), loc
}

type want struct {
	text     string
	from, to string // layout; to "" means zero
	at       string // "" means zero
	earliest bool
	part     Part
}

func (w want) check(t *testing.T, lang string, now time.Time, loc *time.Location) {
	t.Helper()
	r, ok := Parse(w.text, lang, now, loc)
	if !ok {
		t.Errorf("%s %q: ok false, want %s .. %s", lang, w.text, w.from, w.to)
		return
	}
	fmtT := func(x time.Time) string {
		if x.IsZero() {
			return ""
		}
		if x.Location() != loc {
			return "wrong location " + x.Location().String()
		}
		return x.Format(layout)
	}
	got := want{text: w.text, from: fmtT(r.From), to: fmtT(r.To), at: fmtT(r.At), earliest: r.Earliest, part: r.Part}
	if got != w {
		t.Errorf("%s %q:\n got  %s .. %s at %q earliest=%v part=%q\n want %s .. %s at %q earliest=%v part=%q",
			lang, w.text, got.from, got.to, got.at, got.earliest, got.part, w.from, w.to, w.at, w.earliest, w.part)
	}
}

func runTable(t *testing.T, lang string, table []want) {
	now, loc := testNow(t)
	for _, w := range table {
		w.check(t, lang, now, loc)
	}
}

func TestParseEnglish(t *testing.T) {
	runTable(t, "en", []want{
		// The example.
		{text: "next Tuesday morning", from: "2026-12-08 08:00", to: "2026-12-08 12:00", part: Morning},
		{text: "I'd like to book next tuesday morning please", from: "2026-12-08 08:00", to: "2026-12-08 12:00", part: Morning},
		{text: "today", from: "2026-12-02 00:00", to: "2026-12-03 00:00"},
		{text: "tomorrow at ten", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 10:00"},
		{text: "the day after tomorrow in the afternoon", from: "2026-12-04 12:00", to: "2026-12-04 17:00", part: Afternoon},
		{text: "on friday", from: "2026-12-04 00:00", to: "2026-12-05 00:00"},
		{text: "wednesday", from: "2026-12-09 00:00", to: "2026-12-10 00:00"}, // today is Wednesday: next week's
		{text: "tuesday next week", from: "2026-12-08 00:00", to: "2026-12-09 00:00"},
		{text: "friday next week", from: "2026-12-11 00:00", to: "2026-12-12 00:00"},
		{text: "thursday evening", from: "2026-12-03 17:00", to: "2026-12-03 20:00", part: Evening},
		{text: "before noon on thursday", from: "2026-12-03 08:00", to: "2026-12-03 12:00", part: Morning},
		{text: "this week", from: "2026-12-03 00:00", to: "2026-12-07 00:00"},
		{text: "next week", from: "2026-12-07 00:00", to: "2026-12-14 00:00"},
		{text: "next week in the mornings", from: "2026-12-07 00:00", to: "2026-12-14 00:00", part: Morning},
		{text: "5 December", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "December 5th", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "the 5th of december at 9", from: "2026-12-05 00:00", to: "2026-12-06 00:00", at: "2026-12-05 09:00"},
		{text: "the 5th", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "on the fifth", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "friday the 11th", from: "2026-12-11 00:00", to: "2026-12-12 00:00"},
		{text: "5.12.", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "5.12.2026", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "january the twenty-first", from: "2027-01-21 00:00", to: "2027-01-22 00:00"},
		{text: "january 1st 2027", from: "2027-01-01 00:00", to: "2027-01-02 00:00"},
		{text: "2026-12-24", from: "2026-12-24 00:00", to: "2026-12-25 00:00"},
		{text: "in may", from: "2027-05-01 00:00", to: "2027-06-01 00:00"},
		{text: "may I come on monday", from: "2026-12-07 00:00", to: "2026-12-08 00:00"},
		{text: "next month", from: "2027-01-01 00:00", to: "2027-02-01 00:00"},
		{text: "at 2 pm", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 14:00"},
		{text: "10 am on friday", from: "2026-12-04 00:00", to: "2026-12-05 00:00", at: "2026-12-04 10:00"},
		{text: "10 a.m. on friday", from: "2026-12-04 00:00", to: "2026-12-05 00:00", at: "2026-12-04 10:00"},
		{text: "ten thirty tomorrow", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 10:30"},
		{text: "half past two tomorrow", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 14:30"},
		{text: "quarter past nine on monday", from: "2026-12-07 00:00", to: "2026-12-08 00:00", at: "2026-12-07 09:15"},
		{text: "quarter to ten", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 09:45"},
		{text: "twenty past three on friday", from: "2026-12-04 00:00", to: "2026-12-05 00:00", at: "2026-12-04 15:20"},
		{text: "14:30 tomorrow", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 14:30"},
		{text: "at 10 30 tomorrow", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 10:30"},
		{text: "ten o'clock", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 10:00"},
		{text: "at noon on monday", from: "2026-12-07 00:00", to: "2026-12-08 00:00", at: "2026-12-07 12:00"},
		// 1-7 without am/pm is the afternoon; a leading zero or "morning" is not.
		{text: "at 7", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 19:00"},
		{text: "tomorrow 07:30", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 07:30"},
		{text: "tomorrow at seven in the morning", from: "2026-12-03 07:00", to: "2026-12-03 12:00", at: "2026-12-03 07:00", part: Morning},
		{text: "tonight at seven", from: "2026-12-02 17:00", to: "2026-12-02 20:00", at: "2026-12-02 19:00", part: Evening},
		{text: "tomorrow evening at nine", from: "2026-12-03 17:00", to: "2026-12-03 22:00", at: "2026-12-03 21:00", part: Evening},
		{text: "from ten to twelve on monday", from: "2026-12-07 00:00", to: "2026-12-08 00:00", at: "2026-12-07 10:00"},
		{text: "as soon as possible", from: "2026-12-02 09:30", earliest: true},
		{text: "the first available slot next week", from: "2026-12-07 00:00", to: "2026-12-14 00:00", earliest: true},
		{text: "earliest tomorrow afternoon", from: "2026-12-03 12:00", to: "2026-12-03 17:00", earliest: true, part: Afternoon},
		// A correction: the later day wins.
		{text: "monday, no sorry, tuesday", from: "2026-12-08 00:00", to: "2026-12-09 00:00"},
	})
}

func TestParseFinnish(t *testing.T) {
	runTable(t, "fi", []want{
		// The example.
		{text: "huomenna kello kymmenen", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 10:00"},
		{text: "tänään", from: "2026-12-02 00:00", to: "2026-12-03 00:00"},
		{text: "ylihuomenna illalla", from: "2026-12-04 17:00", to: "2026-12-04 20:00", part: Evening},
		{text: "ensi tiistaina aamupäivällä", from: "2026-12-08 08:00", to: "2026-12-08 12:00", part: Morning},
		{text: "tiistaina aamulla", from: "2026-12-08 08:00", to: "2026-12-08 12:00", part: Morning},
		{text: "tiistaiaamuna", from: "2026-12-08 08:00", to: "2026-12-08 12:00", part: Morning},
		{text: "maanantai-iltapäivällä", from: "2026-12-07 12:00", to: "2026-12-07 17:00", part: Afternoon},
		{text: "keskiviikkona", from: "2026-12-09 00:00", to: "2026-12-10 00:00"},
		{text: "ensi viikon keskiviikkona", from: "2026-12-09 00:00", to: "2026-12-10 00:00"},
		{text: "ensi viikon perjantaina kello 9", from: "2026-12-11 00:00", to: "2026-12-12 00:00", at: "2026-12-11 09:00"},
		{text: "tällä viikolla", from: "2026-12-03 00:00", to: "2026-12-07 00:00"},
		{text: "ensi viikolla iltapäivällä", from: "2026-12-07 00:00", to: "2026-12-14 00:00", part: Afternoon},
		{text: "huomenna kymmeneltä", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 10:00"},
		{text: "torstaina kahdelta", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 14:00"},
		{text: "kahden aikaan huomenna", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 14:00"},
		// "puoli kolme" is half way to three: 2:30, in the afternoon.
		{text: "puoli kolme", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 14:30"},
		{text: "puoli yhdeksältä perjantaina", from: "2026-12-04 00:00", to: "2026-12-05 00:00", at: "2026-12-04 08:30"},
		{text: "varttia yli yhdeksän perjantaina", from: "2026-12-04 00:00", to: "2026-12-05 00:00", at: "2026-12-04 09:15"},
		{text: "varttia vaille kymmenen", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 09:45"},
		{text: "tänään klo 14.30", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 14:30"},
		{text: "seitsemältä illalla", from: "2026-12-02 17:00", to: "2026-12-02 20:00", at: "2026-12-02 19:00", part: Evening},
		{text: "viides joulukuuta", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "5. joulukuuta kello 10", from: "2026-12-05 00:00", to: "2026-12-06 00:00", at: "2026-12-05 10:00"},
		{text: "joulukuun viidentenä päivänä", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "kahdeskymmenes ensimmäinen joulukuuta", from: "2026-12-21 00:00", to: "2026-12-22 00:00"},
		{text: "tammikuun 10.", from: "2027-01-10 00:00", to: "2027-01-11 00:00"},
		{text: "10.12.", from: "2026-12-10 00:00", to: "2026-12-11 00:00"},
		{text: "3.1.2027", from: "2027-01-03 00:00", to: "2027-01-04 00:00"},
		{text: "15. päivä", from: "2026-12-15 00:00", to: "2026-12-16 00:00"},
		{text: "joulukuussa", from: "2026-12-02 00:00", to: "2027-01-01 00:00"},
		{text: "ensimmäinen vapaa aika", from: "2026-12-02 09:30", earliest: true},
		{text: "mahdollisimman pian", from: "2026-12-02 09:30", earliest: true},
		{text: "heti huomenna aamulla", from: "2026-12-03 08:00", to: "2026-12-03 12:00", earliest: true, part: Morning},
		{text: "TIISTAINA KELLO 10", from: "2026-12-08 00:00", to: "2026-12-09 00:00", at: "2026-12-08 10:00"},
	})
}

func TestParseSwedish(t *testing.T) {
	runTable(t, "sv", []want{
		// The example: "i morgon" is tomorrow, not the morning.
		{text: "i morgon förmiddag", from: "2026-12-03 08:00", to: "2026-12-03 12:00", part: Morning},
		{text: "i morgon", from: "2026-12-03 00:00", to: "2026-12-04 00:00"},
		{text: "imorgon klockan tio", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 10:00"},
		{text: "i morgon bitti", from: "2026-12-03 08:00", to: "2026-12-03 12:00", part: Morning},
		{text: "i morgon eftermiddag vid två", from: "2026-12-03 12:00", to: "2026-12-03 17:00", at: "2026-12-03 14:00", part: Afternoon},
		{text: "i övermorgon", from: "2026-12-04 00:00", to: "2026-12-05 00:00"},
		{text: "idag på morgonen", from: "2026-12-02 08:00", to: "2026-12-02 12:00", part: Morning},
		{text: "i kväll", from: "2026-12-02 17:00", to: "2026-12-02 20:00", part: Evening},
		{text: "på tisdag eftermiddag", from: "2026-12-08 12:00", to: "2026-12-08 17:00", part: Afternoon},
		{text: "nästa tisdag", from: "2026-12-08 00:00", to: "2026-12-09 00:00"},
		{text: "tisdagsförmiddag", from: "2026-12-08 08:00", to: "2026-12-08 12:00", part: Morning},
		{text: "torsdagskväll", from: "2026-12-03 17:00", to: "2026-12-03 20:00", part: Evening},
		{text: "halv tre på fredag", from: "2026-12-04 00:00", to: "2026-12-05 00:00", at: "2026-12-04 14:30"},
		{text: "klockan halv nio", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 08:30"},
		{text: "kvart över nio", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 09:15"},
		{text: "kvart i tio i morgon", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 09:45"},
		{text: "kl 10", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 10:00"},
		{text: "klockan ett", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 13:00"},
		{text: "vid tiotiden på torsdag", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 10:00"},
		{text: "den femte december", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "5 december", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "den 24 december klockan 11", from: "2026-12-24 00:00", to: "2026-12-25 00:00", at: "2026-12-24 11:00"},
		{text: "den 5:e", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "nästa vecka", from: "2026-12-07 00:00", to: "2026-12-14 00:00"},
		{text: "den här veckan", from: "2026-12-03 00:00", to: "2026-12-07 00:00"},
		{text: "första lediga tid", from: "2026-12-02 09:30", earliest: true},
		{text: "så snart som möjligt", from: "2026-12-02 09:30", earliest: true},
	})
}

func TestParseLatvian(t *testing.T) {
	runTable(t, "lv", []want{
		// The example: "rīt" is tomorrow, "no rīta" morning.
		{text: "rīt no rīta", from: "2026-12-03 08:00", to: "2026-12-03 12:00", part: Morning},
		{text: "rit no rita", from: "2026-12-03 08:00", to: "2026-12-03 12:00", part: Morning}, // without diacritics
		{text: "rīt", from: "2026-12-03 00:00", to: "2026-12-04 00:00"},
		{text: "rīt pulksten desmitos", from: "2026-12-03 00:00", to: "2026-12-04 00:00", at: "2026-12-03 10:00"},
		{text: "parīt pēcpusdienā", from: "2026-12-04 12:00", to: "2026-12-04 17:00", part: Afternoon},
		{text: "šodien pulksten 14:30", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 14:30"},
		{text: "šovakar", from: "2026-12-02 17:00", to: "2026-12-02 20:00", part: Evening},
		{text: "rītvakar", from: "2026-12-03 17:00", to: "2026-12-03 20:00", part: Evening},
		{text: "otrdien vakarā", from: "2026-12-08 17:00", to: "2026-12-08 20:00", part: Evening},
		{text: "otrdienas rītā", from: "2026-12-08 08:00", to: "2026-12-08 12:00", part: Morning},
		{text: "nākamajā otrdienā", from: "2026-12-08 00:00", to: "2026-12-09 00:00"},
		{text: "nākamās nedēļas otrdienā", from: "2026-12-08 00:00", to: "2026-12-09 00:00"},
		{text: "piektdien priekšpusdienā", from: "2026-12-04 08:00", to: "2026-12-04 12:00", part: Morning},
		{text: "svētdiena", from: "2026-12-06 00:00", to: "2026-12-07 00:00"},
		{text: "sestdien pulksten 10", from: "2026-12-05 00:00", to: "2026-12-06 00:00", at: "2026-12-05 10:00"},
		// "pusdivos" is half way to two: 1:30, in the afternoon.
		{text: "pusdivos", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 13:30"},
		{text: "pus desmitos", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 09:30"},
		{text: "desmitos", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 10:00"},
		{text: "otrdien divos", from: "2026-12-08 00:00", to: "2026-12-09 00:00", at: "2026-12-08 14:00"},
		{text: "10:00", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 10:00"},
		{text: "ceturksni pāri deviņiem", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 09:15"},
		{text: "bez ceturkšņa desmit", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 09:45"},
		{text: "5. decembrī", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "piektajā decembrī", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "uz piekto decembri", from: "2026-12-05 00:00", to: "2026-12-06 00:00"},
		{text: "divdesmit pirmajā decembrī", from: "2026-12-21 00:00", to: "2026-12-22 00:00"},
		{text: "trešajā janvārī", from: "2027-01-03 00:00", to: "2027-01-04 00:00"},
		{text: "15. datumā", from: "2026-12-15 00:00", to: "2026-12-16 00:00"},
		{text: "janvārī", from: "2027-01-01 00:00", to: "2027-02-01 00:00"},
		{text: "nākamnedēļ", from: "2026-12-07 00:00", to: "2026-12-14 00:00"},
		{text: "šonedēļ", from: "2026-12-03 00:00", to: "2026-12-07 00:00"},
		{text: "pēc iespējas ātrāk", from: "2026-12-02 09:30", earliest: true},
		{text: "pirmo brīvo laiku", from: "2026-12-02 09:30", earliest: true},
	})
}

func TestParseNoTime(t *testing.T) {
	now, loc := testNow(t)
	for _, c := range []struct{ lang, text string }{
		{"en", "I want to book an appointment"},
		{"en", "what are your opening hours"},
		{"en", "good morning I'd like an appointment"},
		{"en", "may I book a check-up"},
		{"en", "I need two appointments for my kids"},
		{"en", "the first one"},
		{"en", ""},
		{"fi", "haluaisin varata ajan"},
		{"fi", "milloin olette auki"},
		{"fi", "hyvää huomenta haluaisin varata ajan"},
		{"fi", "kahden päivän päästä"}, // not supported: "in two days"
		{"sv", "jag vill boka en tid"},
		{"sv", "vilka är era öppettider"},
		{"sv", "god morgon jag vill boka en tid"},
		{"sv", "den andra"}, // the second one, not the 2nd
		{"lv", "es gribu pierakstīties"},
		{"lv", "kāds ir jūsu darba laiks"},
		{"lv", "labrīt gribu pierakstīties pie ārsta"},
		{"xx", "what are your opening hours"},
	} {
		if r, ok := Parse(c.text, c.lang, now, loc); ok {
			t.Errorf("%s %q: got %+v, want no time", c.lang, c.text, r)
		}
	}
}

// Times that have passed are returned as said; the caller decides.
func TestParsePast(t *testing.T) {
	runTable(t, "en", []want{
		{text: "today at 8", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 08:00"},
		{text: "this morning", from: "2026-12-02 08:00", to: "2026-12-02 12:00", part: Morning},
		{text: "5.12.2020", from: "2020-12-05 00:00", to: "2020-12-06 00:00"},
		// A date without a year that has passed is next year's.
		{text: "december 1st", from: "2027-12-01 00:00", to: "2027-12-02 00:00"},
		{text: "in november", from: "2027-11-01 00:00", to: "2027-12-01 00:00"},
		// A day of month that has passed is next month's.
		{text: "the 1st", from: "2027-01-01 00:00", to: "2027-01-02 00:00"},
	})
	runTable(t, "fi", []want{
		{text: "tänään klo 8", from: "2026-12-02 00:00", to: "2026-12-03 00:00", at: "2026-12-02 08:00"},
	})
}

// The weekday readings the package documents, on other days of the week.
func TestParseWeekdayReadings(t *testing.T) {
	loc := helsinki(t)
	monday := time.Date(2026, 12, 7, 12, 0, 0, 0, loc)
	sunday := time.Date(2026, 12, 6, 12, 0, 0, 0, loc)
	tuesday := time.Date(2026, 12, 8, 12, 0, 0, 0, loc)
	for _, c := range []struct {
		now        time.Time
		lang, text string
		from, to   string
	}{
		{monday, "en", "next tuesday", "2026-12-08 00:00", "2026-12-09 00:00"}, // the coming Tuesday: tomorrow
		{monday, "fi", "ensi tiistaina", "2026-12-08 00:00", "2026-12-09 00:00"},
		{monday, "en", "tuesday next week", "2026-12-15 00:00", "2026-12-16 00:00"},
		{tuesday, "en", "tuesday", "2026-12-15 00:00", "2026-12-16 00:00"}, // today's weekday: a week away
		{tuesday, "sv", "nästa tisdag", "2026-12-15 00:00", "2026-12-16 00:00"},
		{sunday, "en", "this week", "2026-12-06 00:00", "2026-12-07 00:00"}, // nothing left but today
		{sunday, "en", "next week", "2026-12-07 00:00", "2026-12-14 00:00"},
		{sunday, "lv", "pirmdien", "2026-12-07 00:00", "2026-12-08 00:00"},
		{monday, "en", "this week", "2026-12-08 00:00", "2026-12-14 00:00"},
	} {
		r, ok := Parse(c.text, c.lang, c.now, loc)
		if !ok || r.From.Format(layout) != c.from || r.To.Format(layout) != c.to {
			t.Errorf("%s %q on %s: got %v %s .. %s, want %s .. %s", c.lang, c.text, c.now.Weekday(),
				ok, r.From.Format(layout), r.To.Format(layout), c.from, c.to)
		}
	}
}

// Over a window longer than a day, At is zero and Clock keeps the time.
func TestParseClockOverWeek(t *testing.T) {
	now, loc := testNow(t)
	r, ok := Parse("next week at three", "en", now, loc)
	if !ok || !r.At.IsZero() || r.Clock != 15*time.Hour || r.From.Format(layout) != "2026-12-07 00:00" {
		t.Errorf("got %v %+v", ok, r)
	}
}

// A day is local midnight to midnight, also across a clock change.
func TestParseDaylightSaving(t *testing.T) {
	loc := helsinki(t)
	now := time.Date(2027, 3, 24, 12, 0, 0, 0, loc) // a Wednesday; clocks go forward on Sunday 28 March
	r, ok := Parse("sunday at 10", "en", now, loc)
	if !ok || r.From.Format(layout) != "2027-03-28 00:00" || r.To.Format(layout) != "2027-03-29 00:00" ||
		r.To.Sub(r.From) != 23*time.Hour || r.At.Format(layout) != "2027-03-28 10:00" {
		t.Errorf("got %v %+v", ok, r)
	}
}

// Language tags with a region, and an unknown language, still work.
func TestParseLanguageTags(t *testing.T) {
	now, loc := testNow(t)
	for _, c := range []struct{ lang, text string }{
		{"fi-FI", "huomenna"}, {"sv_SE", "i morgon"}, {"LV", "rīt"}, {"", "tomorrow"}, {"de", "huomenna"},
	} {
		r, ok := Parse(c.text, c.lang, now, loc)
		if !ok || r.From.Format(layout) != "2026-12-03 00:00" {
			t.Errorf("%s %q: got %v %+v", c.lang, c.text, ok, r)
		}
	}
	// A nil location means now's.
	if r, ok := Parse("tomorrow", "en", now, nil); !ok || r.From.Location() != loc {
		t.Errorf("nil loc: got %v %+v", ok, r)
	}
}

// Every word table says one thing per word.
func TestLexiconConflicts(t *testing.T) {
	for _, l := range languages {
		for _, c := range l.conflicts {
			t.Error(c)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"next Tuesday morning", "huomenna kello kymmenen", "i morgon förmiddag", "rīt no rīta",
		"5.12.2026", "the 31st", "31.2.", "klo 24.61", "at 12 am", "half past", "puoli", "pus",
		"2026-02-30", "99/99/9999", "den 5:e", "twenty first of", "bez ceturkšņa", "kvart i",
		"next week at three", "ensimmäinen vapaa", "0:00", "23:59 tomorrow",
	} {
		f.Add(s, "en")
		f.Add(s, "fi")
	}
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 9, 30, 0, 0, loc)
	f.Fuzz(func(t *testing.T, text, lang string) {
		r, ok := Parse(text, lang, now, loc)
		if !ok {
			if r != (Request{}) {
				t.Fatalf("not ok but %+v", r)
			}
			return
		}
		if r.From.IsZero() {
			t.Fatalf("ok without From: %+v", r)
		}
		if !r.To.IsZero() && r.To.Before(r.From) {
			t.Fatalf("To before From: %+v", r)
		}
		if !r.At.IsZero() && (r.At.Before(r.From) || !r.At.Before(r.To)) {
			t.Fatalf("At outside window: %+v", r)
		}
		if r.To.IsZero() && !r.Earliest {
			t.Fatalf("no To without Earliest: %+v", r)
		}
		if n := Choice(text, lang); n < 0 || n > 3 {
			t.Fatalf("Choice %d", n)
		}
	})
}
