package when

import "testing"

func TestChoice(t *testing.T) {
	for _, c := range []struct {
		lang, text string
		want       int
	}{
		{"en", "the first one", 1},
		{"en", "the first one is fine", 1},
		{"en", "number two", 2},
		{"en", "I'll take the second option", 2},
		{"en", "option 3", 3},
		{"en", "the 2nd", 2},
		{"en", "two", 2},
		{"en", "two please", 2},
		{"en", "the third", 3},
		{"en", "the later one", 3}, // last of three; see ChoiceOf
		{"en", "the earlier one", 1},
		{"en", "not the first one, the second", 2},
		{"en", "wait a second", 0},
		{"en", "at two", 0},
		{"en", "the first available", 0},
		{"en", "the first of january", 0},
		{"en", "I want to book an appointment", 0},
		{"fi", "ensimmäinen", 1},
		{"fi", "otan ensimmäisen", 1},
		{"fi", "toinen", 2},
		{"fi", "toinen käy hyvin", 2},
		{"fi", "kakkonen", 2},
		{"fi", "vaihtoehto kolme", 3},
		{"fi", "kolmas", 3},
		{"fi", "viimeinen", 3},
		{"fi", "ei ensimmäinen vaan toinen", 2},
		{"fi", "jokin toinen aika", 0}, // another time
		{"fi", "puoli kolme", 0},
		{"fi", "ensimmäinen vapaa aika", 0},
		{"sv", "den första", 1},
		{"sv", "den andra", 2},
		{"sv", "tvåan", 2},
		{"sv", "nummer tre", 3},
		{"sv", "den senare", 3},
		{"sv", "inte den första utan den andra", 2},
		{"sv", "andra tider", 0},
		{"sv", "klockan ett", 0},
		{"lv", "pirmais", 1},
		{"lv", "otrais", 2},
		{"lv", "gribu otro", 2},
		{"lv", "numur trīs", 3},
		{"lv", "trešo", 3},
		{"lv", "pēdējo", 3},
		{"lv", "ne pirmo, bet otro", 2},
		{"lv", "trešajā janvārī", 0},
		{"lv", "pirmo brīvo laiku", 0},
	} {
		if got := Choice(c.text, c.lang); got != c.want {
			t.Errorf("%s %q: got %d, want %d", c.lang, c.text, got, c.want)
		}
	}
}

func TestChoiceOf(t *testing.T) {
	for _, c := range []struct {
		lang, text string
		offered    int
		want       int
	}{
		{"en", "the later one", 2, 2},
		{"en", "the last one", 4, 4},
		{"fi", "myöhempi", 2, 2},
		{"sv", "den sista", 2, 2},
		{"lv", "vēlāko", 2, 2},
		{"en", "the third one", 2, 0}, // not offered
		{"en", "the first one", 0, 0},
	} {
		if got := ChoiceOf(c.text, c.lang, c.offered); got != c.want {
			t.Errorf("%s %q of %d: got %d, want %d", c.lang, c.text, c.offered, got, c.want)
		}
	}
}
