package knowledge

import (
	"slices"
	"testing"
)

func TestFinnishStem(t *testing.T) {
	// Each group holds forms of one word: they must share a stem, and
	// differ from the next group's.
	groups := [][]string{
		{"lääkäri", "lääkärin", "lääkärille", "lääkäriltä", "lääkäreiden", "lääkäreissä", "lääkärinä"},
		{"hinta", "hinnan", "hinnat", "hintaa", "hinnoissa"},  // nt/nn
		{"aika", "ajan", "ajat", "aikaa", "aikoja"},           // k/j, from the word list
		{"rokotus", "rokotuksen", "rokotukset", "rokotuksia"}, // -s/-kse-
		{"terveys", "terveyden"},                             // -s/-de-
		{"puhelin", "puhelimen", "puhelimella"},              // -in/-ime-
		{"kiireellinen", "kiireellisen", "kiireellisissä"},   // -nen/-se-
		{"lapsi", "lapsen", "lapselle", "lapsesi", "lasten"}, // possessive; lasten from the word list
		{"hammas", "hampaan", "hampaat"},                     // mm/mp, from the word list
		{"helsinki", "helsingissä", "helsingin"},             // nk/ng
		{"tunti", "tunnin", "tuntia"},                        // nt/nn
		{"kela", "kelan", "kelalta", "kelasta", "kelakin"},   // clitic
		{"lähete", "lähetteen", "lähetettä", "lähetteitä"},   // tt/t
		{"kipu", "kivun", "kipua"},                           // p/v
		{"katu", "kadulla", "kadun"},                         // t/d
		{"paljon", "paljonko"},                               // clitic after n
		{"työ", "työhön"},                                    // illative -hön
		{"arki", "arkisin"},                                  // -sin
		{"resepti", "reseptin", "reseptini", "reseptejä"},    // plural -j-
		{"korvaus", "korvausta", "korvauksen"},               // partitive -ta
	}
	a := ShippedFinnish()
	var prev string
	for _, g := range groups {
		want := a.Stem(g[0])
		for _, w := range g[1:] {
			if got := a.Stem(w); got != want {
				t.Errorf("%s: stem %q, want %q (of %s)", w, got, want, g[0])
			}
		}
		if want == prev {
			t.Errorf("%s: same stem %q as the group before", g[0], want)
		}
		prev = want
	}
	// Digits and short words are left alone.
	for _, w := range []string{"112", "0800", "yö"} {
		if got := finnishStem(w); got != w {
			t.Errorf("%s: %q", w, got)
		}
	}
}

func TestFinnishCompounds(t *testing.T) {
	a := ShippedFinnish()
	for w, want := range map[string][]string{
		"ajanvarauksen":       {"ajan", "varauksen"},
		"lääkäriaika":         {"lääkäri", "aika"},
		"hammaslääkärille":    {"hammas", "lääkärille"},
		"lastenlääkäri":       {"lasten", "lääkäri"},
		"työterveyshuollon":   {"työ", "terveys", "huollon"},
		"sairauslomatodistus": {"sairaus", "loma", "todistus"},
		"pysäköintitalo":      {"pysäköinti", "talo"},
		"vastaanotto":         nil, // one word, not "vasta" + "anotto"
		"lääkäri":             nil,
		"kuukausi":            nil,
		"xyzlääkäri":          nil, // an unknown first part: no split
	} {
		if got := a.Parts(w); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", w, got, want)
		}
	}
	// A compound's parts meet the words said apart.
	if a.Stem(a.Parts("ajanvaraus")[0]) != a.Stem("aika") {
		t.Error("ajanvaraus does not contain aika")
	}
	if got := StemTerms("en", "doctor's appointment"); got != nil {
		t.Errorf("English stems %q", got)
	}
	if got := SearchStems("fi", "lääkäriajan"); !slices.Equal(got, []string{a.Stem("lääkäriajan"), "lääkär", "aik"}) {
		t.Errorf("search stems %q", got)
	}
}
