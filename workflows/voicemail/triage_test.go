package voicemail

import "testing"

func TestTriage(t *testing.T) {
	cases := []struct {
		lang, text string
		want       Result
	}{
		// English
		{"en", "Hi, this is Anna Smith. I need to renew my blood pressure prescription, my number is 040 123 4567. Thanks.",
			Result{Team: TeamPrescriptions, Topic: TopicPrescription, Priority: 3, CallbackNumber: "0401234567", CallerName: "Anna Smith"}},
		{"en", "my name is john and I have terrible chest pain please call me back as soon as possible on plus three five eight four oh one two three double four five six seven",
			Result{Team: TeamGeneral, Topic: TopicOther, Urgent: true, Priority: 1, CallbackNumber: "+3584012344567", CallerName: "John"}},
		{"en", "I'd like to cancel my appointment on Friday, it's not urgent.",
			Result{Team: TeamAppointments, Topic: TopicCancel, Priority: 3}},
		{"en", "Calling about my lab results from last week. Reach me at +358 40 1234567.",
			Result{Team: TeamResults, Topic: TopicResults, Priority: 3, CallbackNumber: "+358401234567"}},
		{"en", "There is a mistake on my invoice number 88812345, please call 050-765-4321",
			Result{Team: TeamBilling, Topic: TopicBilling, Priority: 3, CallbackNumber: "0507654321"}},
		{"en", "I am running out of my medicine, can someone renew it today",
			Result{Team: TeamPrescriptions, Topic: TopicPrescription, Priority: 2}},
		{"en", "I need more painkillers", Result{Team: TeamGeneral, Topic: TopicOther, Priority: 3}},
		{"en", "I was there on 12.3.2026 and want to move my appointment",
			Result{Team: TeamAppointments, Topic: TopicReschedule, Priority: 3}},
		{"en", "hello", Result{Team: TeamGeneral, Topic: TopicOther, Priority: 3}},
		// Finnish: inflected forms, spoken digits
		{"fi", "Hei, nimeni on Matti Virtanen. Haluaisin uusia reseptin, lääkkeet loppuvat. Numero on nolla neljä nolla yksi kaksi kolme neljä viisi kuusi seitsemän.",
			Result{Team: TeamPrescriptions, Topic: TopicPrescription, Priority: 2, CallbackNumber: "0401234567", CallerName: "Matti Virtanen"}},
		{"fi", "täällä Liisa, minulla on kova kipu ja verenvuoto, soittakaa heti",
			Result{Team: TeamGeneral, Topic: TopicOther, Urgent: true, Priority: 1, CallerName: "Liisa"}},
		{"fi", "Haluaisin perua ajan ensi viikolla, ei ole kiireellinen",
			Result{Team: TeamAppointments, Topic: TopicCancel, Priority: 3}},
		{"fi", "Soitan laskusta, lasku on mennyt kahdesti", Result{Team: TeamBilling, Topic: TopicBilling, Priority: 3}},
		{"fi", "Kysyisin verikokeiden tuloksia", Result{Team: TeamResults, Topic: TopicResults, Priority: 3}},
		{"fi", "Tarvitsen kipulääkkeen reseptin", Result{Team: TeamPrescriptions, Topic: TopicPrescription, Priority: 3}},
		{"fi", "haluaisin siirtää aikani", Result{Team: TeamAppointments, Topic: TopicReschedule, Priority: 3}},
		// Swedish
		{"sv", "Hej, jag heter Karin Andersson och jag behöver förnya mitt recept. Ring mig på noll fyra noll ett två tre fyra fem sex sju.",
			Result{Team: TeamPrescriptions, Topic: TopicPrescription, Priority: 3, CallbackNumber: "0401234567", CallerName: "Karin Andersson"}},
		{"sv", "Det här är Erik, jag har väldigt ont i bröstet, det är brådskande",
			Result{Team: TeamGeneral, Topic: TopicOther, Urgent: true, Priority: 1, CallerName: "Erik"}},
		{"sv", "Jag vill boka om min tid", Result{Team: TeamAppointments, Topic: TopicReschedule, Priority: 3}},
		{"sv", "Jag har fått en faktura som är fel", Result{Team: TeamBilling, Topic: TopicBilling, Priority: 3}},
		{"sv", "Det är inte brådskande, jag undrar över provsvaren", Result{Team: TeamResults, Topic: TopicResults, Priority: 3}},
		// Latvian
		{"lv", "Labdien, mani sauc Jānis Bērziņš. Man vajag atjaunot recepti zālēm. Mans numurs ir divi seši nulle nulle četri pieci seši septiņi.",
			Result{Team: TeamPrescriptions, Topic: TopicPrescription, Priority: 3, CallbackNumber: "26004567", CallerName: "Jānis Bērziņš"}},
		{"lv", "Man ļoti sāp vēders, lūdzu steidzami atzvaniet", Result{Team: TeamGeneral, Topic: TopicOther, Urgent: true, Priority: 1}},
		{"lv", "Gribu atcelt vizīti", Result{Team: TeamAppointments, Topic: TopicCancel, Priority: 3}},
		{"lv", "Jautājums par rēķinu", Result{Team: TeamBilling, Topic: TopicBilling, Priority: 3}},
		{"lv", "Kad būs analīžu rezultāti? Nav steidzami.", Result{Team: TeamResults, Topic: TopicResults, Priority: 3}},
		{"lv", "mans vārds ir Anna, lūdzu pārcelt manu vizīti", Result{Team: TeamAppointments, Topic: TopicReschedule, Priority: 3, CallerName: "Anna"}},
		// Language unknown: every lexicon.
		{"", "resepti loppu, soittakaa 0401234567", Result{Team: TeamPrescriptions, Topic: TopicPrescription, Priority: 2, CallbackNumber: "0401234567"}},
	}
	for _, tc := range cases {
		got := Triage(tc.text, tc.lang)
		if got != tc.want {
			t.Errorf("%s %q:\n got %+v\nwant %+v", tc.lang, tc.text, got, tc.want)
		}
	}
}

func TestCallbackNumberNeedsSixDigits(t *testing.T) {
	for text, want := range map[string]string{
		"call me on one two three four five":                     "",
		"call me on one two three four five six":                 "123456",
		"room 12, floor 3":                                       "",
		"040 123 4567":                                           "0401234567",
		"+358 40 123 4567 or +358 50 765 4321":                   "+358401234567",
		"invoice 12345678":                                       "12345678", // nothing better
		"my invoice is 12345678 and my phone is 040-111-2222":    "0401112222",
		"nulle četri nulle viens divi trīs četri":                "0401234",
		"noll fyra noll, ett två tre. fyra fem sex":              "040123456",
		"kaks kolme nelj viis":                                   "",
		"seiska kasi ysi nolla yks kaks, ei kun kolme":           "789012",
		"tupla nolla kolme viisi kahdeksan neljä nolla yks kaks": "003584012",
	} {
		if got := callbackNumber(text); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

func TestCallerNumber(t *testing.T) {
	for id, want := range map[string]string{
		"+358401234567":                "+358401234567",
		"sip:+358401234567@pbx.local":  "+358401234567",
		"tel:040-123 4567":             "0401234567",
		"anonymous":                    "",
		"caller":                       "",
		"1234":                         "",
		"sip:reception@clinic.invalid": "",
	} {
		if got := CallerNumber(id); got != want {
			t.Errorf("%q: %q, want %q", id, got, want)
		}
	}
}
