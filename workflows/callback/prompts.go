package callback

// prompts is what the callee hears on answering, per language.
var prompts = map[string]string{
	"en": "Hello, this is Vastaa Clinic calling you back as you asked. An agent will be with you shortly.",
	"fi": "Hei, täällä Vastaa-klinikka. Soitamme teille takaisin, kuten pyysitte. Asiakaspalvelija on kohta linjalla.",
	"sv": "Hej, det här är Vastaa-kliniken som ringer tillbaka som du bad om. En handläggare är strax med dig.",
	"lv": "Labdien, šeit Vastaa klīnika. Mēs jums atzvanām, kā jūs lūdzāt. Speciālists ar jums runās pēc brīža.",
}

// Prompt is the answer prompt in lang, English when lang has none.
func Prompt(lang string) string {
	if p, ok := prompts[lang]; ok {
		return p
	}
	return prompts["en"]
}
