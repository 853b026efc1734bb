package knowledge

import (
	"context"
	"strings"
	"testing"
)

func TestAnswerKind(t *testing.T) {
	for _, c := range []struct {
		q, lang string
		want    answerKind
	}{
		{"How much does parking cost?", "en", priceAnswer},
		{"Paljonko pysäköinti maksaa Rantaparkissa?", "fi", priceAnswer},
		{"Vad kostar det att parkera?", "sv", priceAnswer},
		{"Cik maksā krievu valodas tulks?", "lv", priceAnswer},
		{"How long does a prescription renewal take?", "en", durationAnswer},
		{"Kuinka kauan reseptin uusiminen kestää?", "fi", durationAnswer},
		{"Hur lång tid tar det att förnya ett recept?", "sv", durationAnswer},
		{"Cik ilgi jāgaida?", "lv", durationAnswer},
		{"Until what time can I drop in?", "en", timeAnswer},
		{"Mihin aikaan olette auki lauantaisin?", "fi", timeAnswer},
		{"När öppnar ni på lördag?", "sv", timeAnswer},
		{"No cikiem līdz cikiem jūs strādājat?", "lv", timeAnswer},
		{"What is the phone number of the poison centre?", "en", phoneAnswer},
		{"Mikä on Myrkytystietokeskuksen puhelinnumero?", "fi", phoneAnswer},
		{"What is the address of the clinic?", "en", addressAnswer},
		{"Can I renew a prescription by phone?", "en", anyAnswer},
		{"How can I pay my bill?", "en", anyAnswer}, // the way of paying, not a price
		{"Voinko uusia reseptin?", "fi", anyAnswer},
	} {
		if got := kindOf(c.q, c.lang); got != c.want {
			t.Errorf("%s %q: kind %d, want %d", c.lang, c.q, got, c.want)
		}
	}
	for _, c := range []struct {
		k        answerKind
		sentence string
		want     bool
	}{
		{priceAnswer, "Parking costs 4 euros an hour.", true},
		{priceAnswer, "Pysäköinti maksaa 4 euroa tunnilta.", true},
		{priceAnswer, "Tulkkaus maksaa 30 € käynniltä.", true},
		{priceAnswer, "The nearest car park is on Rantakatu 20.", false},
		{durationAnswer, "A renewal takes three working days.", true},
		{durationAnswer, "Uusiminen kestää yleensä kolmen arkipäivän ajan.", true},
		{durationAnswer, "Det tar tre arbetsdagar.", true},
		{durationAnswer, "You can renew it online.", false},
		{timeAnswer, "We are open on Saturdays from 9.00 to 14.00.", true},
		{timeAnswer, "Olemme auki lauantaisin klo 9–14.", true},
		{timeAnswer, "We are closed on Sundays.", false},
		{phoneAnswer, "Call the poison centre on 0800 147 111.", true},
		{phoneAnswer, "Call us when the clinic is open.", false},
		{addressAnswer, "The clinic is at Rantakatu 12 in Helsinki.", true},
		{addressAnswer, "Klinikka on Rantakatu 12:ssa.", true},
		{addressAnswer, "Ask at the reception.", false},
	} {
		if got := c.k.carries(c.sentence); got != c.want {
			t.Errorf("kind %d carries %q: %v, want %v", c.k, c.sentence, got, c.want)
		}
	}
}

// The extractive answer says the sentence with the fact asked for, not
// only the article's lead.
func TestExtractiveSaysTheFactAsked(t *testing.T) {
	text := "The clinic has no parking of its own. The nearest car park is Rantaparkki on Rantakatu 20, about 100 metres away. " +
		"It is open around the clock. Parking there costs 4 euros an hour."
	ps := []Passage{{ArticleID: "parking", Ord: 0, Text: text, Coverage: 1}}
	a, err := Extractive{}.Compose(context.Background(), "How much does parking cost?", "en", ps)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "4 euros") {
		t.Errorf("the price was not said: %q", a.Text)
	}
	a, err = Extractive{}.Compose(context.Background(), "Is there a car park near the clinic?", "en", ps)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "Rantaparkki") {
		t.Errorf("the lead was not said: %q", a.Text)
	}
}
