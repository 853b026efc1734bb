package knowledge

import (
	"context"
	"math"
	"strings"
	"testing"
)

func TestLocalEmbedding(t *testing.T) {
	e := NewLocalEmbedder(0)
	vs, err := e.Embed(context.Background(), []string{
		"How much does a visit to the doctor cost?",
		"A general practitioner appointment costs 65 euros.",
		"The car park is behind the building.",
		"",
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs[:3] {
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		if math.Abs(n-1) > 1e-5 || len(v) != 512 {
			t.Errorf("vector %d: norm² %f, %d dims", i, n, len(v))
		}
	}
	if Dot(vs[0], vs[1]) <= Dot(vs[0], vs[2]) {
		t.Errorf("price question nearer to parking (%f) than to prices (%f)", Dot(vs[0], vs[2]), Dot(vs[0], vs[1]))
	}
	// Deterministic, and the lexicon's version is part of the model name.
	again, _ := NewLocalEmbedder(0).Embed(context.Background(), []string{"How much does a visit to the doctor cost?"})
	if Dot(again[0], vs[0]) < 0.99999 || !strings.HasPrefix(e.Model(), LocalModel+"+lex-") {
		t.Errorf("not deterministic or model %q", e.Model())
	}
	if Dot(vs[3], vs[3]) != 0 {
		t.Error("empty text has a direction")
	}
	// Without the lexicon, "pay" and "price" share nothing; with it they do.
	plain := NewLocalEmbedderWith(0, nil)
	a, _ := plain.Embed(context.Background(), []string{"pay", "price"})
	b, _ := e.Embed(context.Background(), []string{"pay", "price"})
	if Dot(b[0], b[1]) <= Dot(a[0], a[1])+0.2 {
		t.Errorf("lexicon does not join pay and price: %f vs %f", Dot(b[0], b[1]), Dot(a[0], a[1]))
	}
}

func TestLexicon(t *testing.T) {
	lx, err := ParseLexicon("# c\nprice: pric cost pay maksa\ncar: car auto\n")
	if err != nil {
		t.Fatal(err)
	}
	for w, want := range map[string]string{"prices": "price", "costs": "price", "pay": "price", "payment": "", "maksaa": "price", "car": "car", "cart": "", "autot": "car"} {
		got := strings.Join(lx.Concepts(w), ",")
		if got != want {
			t.Errorf("%s: %q, want %q", w, got, want)
		}
	}
	if _, err := ParseLexicon("a: x\na: y\n"); err == nil {
		t.Error("duplicate concept accepted")
	}
	if len(ShippedLexicon().prefix) < 1000 {
		t.Errorf("shipped lexicon has %d stems", len(ShippedLexicon().prefix))
	}
}

func BenchmarkLocalEmbed(b *testing.B) {
	e := NewLocalEmbedder(0)
	text := strings.Repeat("Vastaa Clinic is open on weekdays from 8:00 to 18:00, Monday to Friday. Yleislääkärin vastaanotto maksaa 65 euroa. ", 6)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		e.Embed(context.Background(), []string{text})
	}
}

// BenchmarkLocalEmbedFinnish embeds Finnish text with the Finnish analysis
// (stems, compound parts); compare its MB/s with BenchmarkLocalEmbed's.
func BenchmarkLocalEmbedFinnish(b *testing.B) {
	e := NewLocalEmbedder(0)
	text := strings.Repeat("Ajanvarauksen voi tehdä verkkopalvelussa tai soittamalla asiakaspalveluumme arkisin kello kahdeksasta kuuteentoista. Työterveyshuollon asiakkaat varaavat ajan työterveyshoitajalle. ", 4)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		embedIn(context.Background(), e, "fi", []string{text})
	}
}
