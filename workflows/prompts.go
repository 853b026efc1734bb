package workflows

import "fmt"

// prompt names
const (
	pGreeting       = "greeting"
	pReprompt       = "reprompt"
	pSilenceBye     = "silence-bye"
	pGoodbye        = "goodbye"
	pHandoff        = "handoff"
	pHandoffFull    = "handoff-full"
	pVoicemail      = "voicemail"
	pBooking        = "booking"
	pReschedule     = "reschedule"
	pCancel         = "cancel"
	pDontKnow       = "dont-know"
	pAnythingElse   = "anything-else"
	pClarify        = "clarify"
	pOfferPerson    = "offer-person"
	pTechnicalError = "technical-error"
)

// prompts holds every sentence the bot says, per language. %d in the
// handoff prompt is the caller's place in the queue.
var prompts = map[string]map[string]string{
	"en": {
		pGreeting:       "Welcome to Vastaa Clinic. How can I help you? You can ask a question, book an appointment, or press zero for a person.",
		pReprompt:       "Sorry, I did not hear anything. How can I help you?",
		pSilenceBye:     "I still cannot hear you, so I will end the call. Please call again. Goodbye.",
		pGoodbye:        "Thank you for calling. Goodbye.",
		pHandoff:        "I will connect you to a person. You are number %d in the queue.",
		pHandoffFull:    "All our staff are busy and the queue is full. Please call again later, or leave a message.",
		pVoicemail:      "Please leave your message after the tone. Press hash when you are done.",
		pBooking:        "I can book an appointment for you. Which day would suit you?",
		pReschedule:     "I can move your appointment. Which day would suit you better?",
		pCancel:         "I can cancel your appointment. Which appointment would you like to cancel?",
		pDontKnow:       "I am sorry, I do not know the answer to that. Would you like to speak to a person?",
		pAnythingElse:   "Is there anything else I can help you with?",
		pClarify:        "Sorry, I did not understand. You can ask about opening hours or prices, book an appointment, or ask for a person.",
		pOfferPerson:    "I am having trouble understanding. Would you like to speak to a person?",
		pTechnicalError: "Sorry, I cannot look that up right now. Would you like to speak to a person?",
	},
	"fi": {
		pGreeting:       "Tervetuloa Vastaa-klinikalle. Miten voin auttaa? Voit kysyä, varata ajan tai painaa nollaa, niin yhdistän ihmiselle.",
		pReprompt:       "Anteeksi, en kuullut mitään. Miten voin auttaa?",
		pSilenceBye:     "En edelleenkään kuule teitä, joten lopetan puhelun. Soittakaa uudelleen. Näkemiin.",
		pGoodbye:        "Kiitos soitosta. Näkemiin.",
		pHandoff:        "Yhdistän teidät henkilökunnalle. Olette jonossa sijalla %d.",
		pHandoffFull:    "Kaikki ovat varattuja ja jono on täynnä. Soittakaa myöhemmin tai jättäkää viesti.",
		pVoicemail:      "Jättäkää viestinne äänimerkin jälkeen. Painakaa risuaitaa, kun olette valmis.",
		pBooking:        "Voin varata teille ajan. Mikä päivä sopisi teille?",
		pReschedule:     "Voin siirtää aikanne. Mikä päivä sopisi paremmin?",
		pCancel:         "Voin perua aikanne. Minkä ajan haluatte perua?",
		pDontKnow:       "Valitettavasti en tiedä vastausta siihen. Haluatteko puhua henkilökunnan kanssa?",
		pAnythingElse:   "Voinko auttaa vielä jossakin muussa?",
		pClarify:        "Anteeksi, en ymmärtänyt. Voitte kysyä aukioloajoista tai hinnoista, varata ajan tai pyytää henkilökuntaa.",
		pOfferPerson:    "Minulla on vaikeuksia ymmärtää. Haluatteko puhua henkilökunnan kanssa?",
		pTechnicalError: "Anteeksi, en pysty tarkistamaan sitä juuri nyt. Haluatteko puhua henkilökunnan kanssa?",
	},
	"sv": {
		pGreeting:       "Välkommen till Vastaa-kliniken. Hur kan jag hjälpa dig? Du kan ställa en fråga, boka en tid eller trycka noll för att tala med en person.",
		pReprompt:       "Förlåt, jag hörde ingenting. Hur kan jag hjälpa dig?",
		pSilenceBye:     "Jag hör dig fortfarande inte, så jag avslutar samtalet. Ring gärna igen. Hej då.",
		pGoodbye:        "Tack för att du ringde. Hej då.",
		pHandoff:        "Jag kopplar dig till en person. Du är nummer %d i kön.",
		pHandoffFull:    "All personal är upptagen och kön är full. Ring igen senare eller lämna ett meddelande.",
		pVoicemail:      "Lämna ditt meddelande efter tonen. Tryck fyrkant när du är klar.",
		pBooking:        "Jag kan boka en tid åt dig. Vilken dag passar dig?",
		pReschedule:     "Jag kan flytta din tid. Vilken dag passar bättre?",
		pCancel:         "Jag kan avboka din tid. Vilken tid vill du avboka?",
		pDontKnow:       "Tyvärr vet jag inte svaret på det. Vill du tala med en person?",
		pAnythingElse:   "Finns det något annat jag kan hjälpa dig med?",
		pClarify:        "Förlåt, jag förstod inte. Du kan fråga om öppettider eller priser, boka en tid eller be om en person.",
		pOfferPerson:    "Jag har svårt att förstå. Vill du tala med en person?",
		pTechnicalError: "Förlåt, jag kan inte kontrollera det just nu. Vill du tala med en person?",
	},
	"lv": {
		pGreeting:       "Laipni lūdzam Vastaa klīnikā. Kā varu palīdzēt? Varat uzdot jautājumu, pieteikt vizīti vai nospiest nulli, lai runātu ar cilvēku.",
		pReprompt:       "Atvainojiet, es neko nedzirdēju. Kā varu palīdzēt?",
		pSilenceBye:     "Es joprojām jūs nedzirdu, tāpēc beigšu zvanu. Lūdzu, zvaniet vēlreiz. Uz redzēšanos.",
		pGoodbye:        "Paldies par zvanu. Uz redzēšanos.",
		pHandoff:        "Es jūs savienošu ar darbinieku. Jūs esat %d. rindā.",
		pHandoffFull:    "Visi darbinieki ir aizņemti, un rinda ir pilna. Lūdzu, zvaniet vēlāk vai atstājiet ziņu.",
		pVoicemail:      "Lūdzu, atstājiet ziņu pēc signāla. Kad esat beiguši, nospiediet restīti.",
		pBooking:        "Es varu pieteikt jums vizīti. Kura diena jums būtu piemērota?",
		pReschedule:     "Es varu pārcelt jūsu vizīti. Kura diena būtu labāka?",
		pCancel:         "Es varu atcelt jūsu vizīti. Kuru vizīti vēlaties atcelt?",
		pDontKnow:       "Diemžēl es nezinu atbildi uz to. Vai vēlaties runāt ar darbinieku?",
		pAnythingElse:   "Vai varu vēl ar ko palīdzēt?",
		pClarify:        "Atvainojiet, es nesapratu. Varat jautāt par darba laiku vai cenām, pieteikt vizīti vai lūgt darbinieku.",
		pOfferPerson:    "Man ir grūti saprast. Vai vēlaties runāt ar darbinieku?",
		pTechnicalError: "Atvainojiet, pašlaik nevaru to pārbaudīt. Vai vēlaties runāt ar darbinieku?",
	},
}

// say returns the prompt in lang (English when lang is not served).
func say(lang, name string, args ...any) string {
	t, ok := prompts[lang]
	if !ok {
		t = prompts["en"]
	}
	if len(args) > 0 {
		return fmt.Sprintf(t[name], args...)
	}
	return t[name]
}

// Greeting is the first thing the bot says, in lang.
func Greeting(lang string) string { return say(lang, pGreeting) }
