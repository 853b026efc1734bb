package langid

import (
	"testing"

	"github.com/vastaa/vastaa/pipeline"
)

func TestDetect(t *testing.T) {
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text string
		want pipeline.Language
	}{
		{"what are your opening hours", pipeline.English},
		{"I would like to book an appointment for next Tuesday", pipeline.English},
		{"milloin olette auki", pipeline.Finnish},
		{"haluaisin varata ajan ensi tiistaille", pipeline.Finnish},
		{"vilka är era öppettider", pipeline.Swedish},
		{"jag vill boka en tid i morgon förmiddag", pipeline.Swedish},
		{"kāds ir jūsu darba laiks", pipeline.Latvian},
		{"es vēlos pieteikt vizīti rīt no rīta", pipeline.Latvian},
		{"kiitos", pipeline.Finnish},
		{"paldies", pipeline.Latvian},
	}
	for _, c := range cases {
		got, conf, ok := d.Detect(c.text)
		if !ok || got != c.want {
			t.Errorf("%q: %s (%.2f, ok %v), want %s", c.text, got, conf, ok, c.want)
		}
	}
	for _, none := range []string{"", "   ", "12345", "?!"} {
		if _, _, ok := d.Detect(none); ok {
			t.Errorf("%q: identified a language", none)
		}
	}
}

func BenchmarkDetect(b *testing.B) {
	d, _ := New()
	for b.Loop() {
		d.Detect("haluaisin varata ajan ensi tiistaille")
	}
}
