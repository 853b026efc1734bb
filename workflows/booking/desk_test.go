package booking

import (
	"testing"
	"time"
)

func TestDetectService(t *testing.T) {
	cfg, err := LoadConfig("../../examples/booking.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"i would like to see a nurse tomorrow":        "nurse",
		"saisinko ajan hoitajalle":                    "nurse",
		"jag vill boka en tid hos sjuksköterskan":     "nurse",
		"vēlos pierakstīties pie māsas":               "nurse",
		"i need a blood test":                         "lab",
		"verikokeeseen huomenna":                      "lab",
		"kan jag lämna blodprov":                      "lab",
		"asins analīzes rīt":                          "lab",
		"can i see a doctor":                          "gp",
		"lääkäriaika ensi viikolle":                   "gp",
		"jag behöver träffa en läkare":                "gp",
		"pie ārsta piektdien":                         "gp",
		"i want to book an appointment":               "",
		"General practitioner visit on monday please": "gp",
		"haluan varata ajan":                          "",
	} {
		if got := DetectService(text, "", cfg); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

func TestSpoken(t *testing.T) {
	cfg, err := LoadConfig("../../examples/booking.yaml")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 8, 8, 0, 0, 0, time.UTC) // 10:00 in Helsinki, a Tuesday
	for lang, want := range map[string]string{
		"en": "Nurse visit with Nurse Laine on Tuesday 8 December at 10:00",
		"fi": "Hoitajan vastaanotto, Nurse Laine, tiistaina 8. joulukuuta kello 10.00",
		"sv": "Besök hos sjukskötare hos Nurse Laine, tisdag den 8 december klockan 10.00",
		"lv": "Māsas vizīte pie Nurse Laine, otrdien, 8. decembrī, pulksten 10.00",
		"de": "Nurse visit with Nurse Laine on Tuesday 8 December at 10:00",
	} {
		if got := Spoken(cfg, "nurse-room", "nurse", at, lang); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
