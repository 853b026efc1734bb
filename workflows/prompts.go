package workflows

import (
	"fmt"
	"time"
)

// prompt names
const (
	pGreeting        = "greeting"
	pReprompt        = "reprompt"
	pSilenceBye      = "silence-bye"
	pGoodbye         = "goodbye"
	pHandoff         = "handoff"
	pHandoffFull     = "handoff-full"
	pVoicemail       = "voicemail"
	pBooking         = "booking"
	pReschedule      = "reschedule"
	pCancel          = "cancel"
	pDontKnow        = "dont-know"
	pAnythingElse    = "anything-else"
	pClarify         = "clarify"
	pOfferPerson     = "offer-person"
	pTechnicalError  = "technical-error"
	pAskWhenAgain    = "ask-when-again"
	pOfferTwo        = "offer-two"
	pOfferOne        = "offer-one"
	pNothingThen     = "nothing-then"
	pNoSlots         = "no-slots"
	pBooked          = "booked"
	pSlotTaken       = "slot-taken"
	pWhichOption     = "which-option"
	pAnotherDay      = "another-day"
	pNoBookingFound  = "no-booking-found"
	pConfirmCancel   = "confirm-cancel"
	pCancelled       = "cancelled"
	pKeepBooking     = "keep-booking"
	pRescheduleWhen  = "reschedule-when"
	pYouHave         = "you-have"
	pMoved           = "moved"
	pBookingError    = "booking-error"
	pClosed          = "closed"
	pHoldPosition    = "hold-position"
	pHoldSoon        = "hold-soon"
	pCallbackTaken   = "callback-taken"
	pMaxWait         = "max-wait"
	pAgentAssigned   = "agent-assigned"
	pVoicemailSaved  = "voicemail-saved"
	pNoMessage       = "no-message"
	pCallbackRefused = "callback-refused"
)

// prompts holds every sentence the bot says, per language. %d in the
// handoff prompt is the caller's place in the queue.
var prompts = map[string]map[string]string{
	"en": {
		pGreeting:        "Welcome to Vastaa Clinic. How can I help you? You can ask a question, book an appointment, or press zero for a person.",
		pReprompt:        "Sorry, I did not hear anything. How can I help you?",
		pSilenceBye:      "I still cannot hear you, so I will end the call. Please call again. Goodbye.",
		pGoodbye:         "Thank you for calling. Goodbye.",
		pHandoff:         "I will connect you to a person. You are number %d in the queue.",
		pHandoffFull:     "All our staff are busy and the queue is full. Please leave a message after the tone, and we will call you back. Press hash when you are done.",
		pVoicemail:       "Please leave your message after the tone. Press hash when you are done.",
		pBooking:         "I can book an appointment for you. Which day would suit you?",
		pReschedule:      "I can move your appointment. Which day would suit you better?",
		pCancel:          "I can cancel your appointment. Which appointment would you like to cancel?",
		pDontKnow:        "I am sorry, I do not know the answer to that. Would you like to speak to a person?",
		pAnythingElse:    "Is there anything else I can help you with?",
		pClarify:         "Sorry, I did not understand. You can ask about opening hours or prices, book an appointment, or ask for a person.",
		pOfferPerson:     "I am having trouble understanding. Would you like to speak to a person?",
		pTechnicalError:  "Sorry, I cannot look that up right now. Would you like to speak to a person?",
		pAskWhenAgain:    "Please tell me a day and a time, for example tomorrow morning, or next Monday at ten.",
		pOfferTwo:        "I have %s, or %s. Which one would you like?",
		pOfferOne:        "I have %s. Shall I book it?",
		pNothingThen:     "That time is fully booked.",
		pNoSlots:         "I could not find a free time in the next two weeks. Would you like to speak to a person?",
		pBooked:          "Booked: %s. A confirmation is on its way.",
		pSlotTaken:       "Sorry, somebody took that time just now.",
		pWhichOption:     "Please say the first or the second one, or name another day.",
		pAnotherDay:      "Which other day would suit you?",
		pNoBookingFound:  "I could not find an appointment for the number you are calling from. Would you like to speak to a person?",
		pConfirmCancel:   "You have %s. Shall I cancel it?",
		pCancelled:       "Your appointment is cancelled: %s.",
		pKeepBooking:     "All right, your appointment stays as it is.",
		pRescheduleWhen:  "You have %s. Which day would suit you better?",
		pYouHave:         "You have %s.",
		pMoved:           "Your appointment is moved: %s. A confirmation is on its way.",
		pBookingError:    "Sorry, I cannot reach the appointment calendar right now. Would you like to speak to a person?",
		pClosed:          "We are closed at the moment. Please leave a message after the tone, and we will call you back. Press hash when you are done.",
		pHoldPosition:    "You are number %d in the queue. The estimated wait is about %d minutes. Press 1 for a callback, or 2 to leave a message.",
		pHoldSoon:        "You are number %d in the queue. Somebody will be with you shortly. Press 1 for a callback, or 2 to leave a message.",
		pCallbackTaken:   "We will call you back at the number you are calling from, and you keep your place in the queue. Goodbye.",
		pMaxWait:         "We are sorry for the long wait. Press 1 for a callback, or 2 to leave a message, or stay on the line.",
		pAgentAssigned:   "A member of our staff is taking your call now.",
		pVoicemailSaved:  "Thank you. Your message is saved and our staff will get back to you. Goodbye.",
		pNoMessage:       "I did not hear a message. Our staff will call you back. Goodbye.",
		pCallbackRefused: "Sorry, I cannot arrange a callback right now. Please stay on the line.",
	},
	"fi": {
		pGreeting:        "Tervetuloa Vastaa-klinikalle. Miten voin auttaa? Voit kysyä, varata ajan tai painaa nollaa, niin yhdistän ihmiselle.",
		pReprompt:        "Anteeksi, en kuullut mitään. Miten voin auttaa?",
		pSilenceBye:      "En edelleenkään kuule teitä, joten lopetan puhelun. Soittakaa uudelleen. Näkemiin.",
		pGoodbye:         "Kiitos soitosta. Näkemiin.",
		pHandoff:         "Yhdistän teidät henkilökunnalle. Olette jonossa sijalla %d.",
		pHandoffFull:     "Kaikki ovat varattuja ja jono on täynnä. Jättäkää viesti äänimerkin jälkeen, niin soitamme takaisin. Painakaa risuaitaa, kun olette valmis.",
		pVoicemail:       "Jättäkää viestinne äänimerkin jälkeen. Painakaa risuaitaa, kun olette valmis.",
		pBooking:         "Voin varata teille ajan. Mikä päivä sopisi teille?",
		pReschedule:      "Voin siirtää aikanne. Mikä päivä sopisi paremmin?",
		pCancel:          "Voin perua aikanne. Minkä ajan haluatte perua?",
		pDontKnow:        "Valitettavasti en tiedä vastausta siihen. Haluatteko puhua henkilökunnan kanssa?",
		pAnythingElse:    "Voinko auttaa vielä jossakin muussa?",
		pClarify:         "Anteeksi, en ymmärtänyt. Voitte kysyä aukioloajoista tai hinnoista, varata ajan tai pyytää henkilökuntaa.",
		pOfferPerson:     "Minulla on vaikeuksia ymmärtää. Haluatteko puhua henkilökunnan kanssa?",
		pTechnicalError:  "Anteeksi, en pysty tarkistamaan sitä juuri nyt. Haluatteko puhua henkilökunnan kanssa?",
		pAskWhenAgain:    "Kertokaa päivä ja kellonaika, esimerkiksi huomenna aamulla, tai ensi maanantaina kello kymmenen.",
		pOfferTwo:        "Vapaana on %s, tai %s. Kumpi sopii teille?",
		pOfferOne:        "Vapaana on %s. Varaanko sen?",
		pNothingThen:     "Silloin kaikki ajat on varattu.",
		pNoSlots:         "En löytänyt vapaata aikaa kahden viikon sisällä. Haluatteko puhua henkilökunnan kanssa?",
		pBooked:          "Varattu: %s. Vahvistus on tulossa.",
		pSlotTaken:       "Valitettavasti joku ehti juuri varata sen ajan.",
		pWhichOption:     "Sanokaa ensimmäinen tai toinen, tai jokin muu päivä.",
		pAnotherDay:      "Mikä muu päivä sopisi teille?",
		pNoBookingFound:  "En löytänyt varausta numerolle, josta soitatte. Haluatteko puhua henkilökunnan kanssa?",
		pConfirmCancel:   "Teillä on varattu %s. Perunko sen?",
		pCancelled:       "Aikanne on peruttu: %s.",
		pKeepBooking:     "Selvä, aikanne pysyy ennallaan.",
		pRescheduleWhen:  "Teillä on varattu %s. Mikä päivä sopisi paremmin?",
		pYouHave:         "Teillä on varattu %s.",
		pMoved:           "Aikanne on siirretty: %s. Vahvistus on tulossa.",
		pBookingError:    "Anteeksi, en saa juuri nyt yhteyttä ajanvarauskalenteriin. Haluatteko puhua henkilökunnan kanssa?",
		pClosed:          "Olemme nyt suljettu. Jättäkää viesti äänimerkin jälkeen, niin soitamme teille takaisin. Painakaa risuaitaa, kun olette valmis.",
		pHoldPosition:    "Olette jonossa sijalla %d. Arvioitu odotusaika on noin %d minuuttia. Painakaa 1, niin soitamme takaisin, tai 2, niin voitte jättää viestin.",
		pHoldSoon:        "Olette jonossa sijalla %d. Vuoronne tulee pian. Painakaa 1, niin soitamme takaisin, tai 2, niin voitte jättää viestin.",
		pCallbackTaken:   "Soitamme teille takaisin numeroon, josta soitatte, ja paikkanne jonossa säilyy. Näkemiin.",
		pMaxWait:         "Pahoittelemme pitkää odotusta. Painakaa 1, niin soitamme takaisin, tai 2, niin voitte jättää viestin, tai pysykää linjalla.",
		pAgentAssigned:   "Henkilökuntamme ottaa nyt puhelunne.",
		pVoicemailSaved:  "Kiitos. Viestinne on tallennettu, ja henkilökuntamme palaa asiaan. Näkemiin.",
		pNoMessage:       "En kuullut viestiä. Henkilökuntamme soittaa teille takaisin. Näkemiin.",
		pCallbackRefused: "Anteeksi, en pysty nyt järjestämään takaisinsoittoa. Pysykää linjalla.",
	},
	"sv": {
		pGreeting:        "Välkommen till Vastaa-kliniken. Hur kan jag hjälpa dig? Du kan ställa en fråga, boka en tid eller trycka noll för att tala med en person.",
		pReprompt:        "Förlåt, jag hörde ingenting. Hur kan jag hjälpa dig?",
		pSilenceBye:      "Jag hör dig fortfarande inte, så jag avslutar samtalet. Ring gärna igen. Hej då.",
		pGoodbye:         "Tack för att du ringde. Hej då.",
		pHandoff:         "Jag kopplar dig till en person. Du är nummer %d i kön.",
		pHandoffFull:     "All personal är upptagen och kön är full. Lämna ett meddelande efter tonen så ringer vi upp dig. Tryck fyrkant när du är klar.",
		pVoicemail:       "Lämna ditt meddelande efter tonen. Tryck fyrkant när du är klar.",
		pBooking:         "Jag kan boka en tid åt dig. Vilken dag passar dig?",
		pReschedule:      "Jag kan flytta din tid. Vilken dag passar bättre?",
		pCancel:          "Jag kan avboka din tid. Vilken tid vill du avboka?",
		pDontKnow:        "Tyvärr vet jag inte svaret på det. Vill du tala med en person?",
		pAnythingElse:    "Finns det något annat jag kan hjälpa dig med?",
		pClarify:         "Förlåt, jag förstod inte. Du kan fråga om öppettider eller priser, boka en tid eller be om en person.",
		pOfferPerson:     "Jag har svårt att förstå. Vill du tala med en person?",
		pTechnicalError:  "Förlåt, jag kan inte kontrollera det just nu. Vill du tala med en person?",
		pAskWhenAgain:    "Säg en dag och en tid, till exempel i morgon förmiddag, eller nästa måndag klockan tio.",
		pOfferTwo:        "Jag har %s, eller %s. Vilken vill du ha?",
		pOfferOne:        "Jag har %s. Ska jag boka den?",
		pNothingThen:     "Den tiden är fullbokad.",
		pNoSlots:         "Jag hittade ingen ledig tid de närmaste två veckorna. Vill du tala med en person?",
		pBooked:          "Bokat: %s. En bekräftelse är på väg.",
		pSlotTaken:       "Tyvärr tog någon annan den tiden alldeles nyss.",
		pWhichOption:     "Säg den första eller den andra, eller en annan dag.",
		pAnotherDay:      "Vilken annan dag skulle passa dig?",
		pNoBookingFound:  "Jag hittade ingen bokning för numret du ringer från. Vill du tala med en person?",
		pConfirmCancel:   "Du har %s. Ska jag avboka den?",
		pCancelled:       "Din tid är avbokad: %s.",
		pKeepBooking:     "Okej, din tid står kvar.",
		pRescheduleWhen:  "Du har %s. Vilken dag passar dig bättre?",
		pYouHave:         "Du har %s.",
		pMoved:           "Din tid är flyttad: %s. En bekräftelse är på väg.",
		pBookingError:    "Förlåt, jag når inte bokningskalendern just nu. Vill du tala med en person?",
		pClosed:          "Vi har stängt just nu. Lämna ett meddelande efter tonen så ringer vi upp dig. Tryck fyrkant när du är klar.",
		pHoldPosition:    "Du är nummer %d i kön. Den beräknade väntetiden är ungefär %d minuter. Tryck 1 för att bli uppringd, eller 2 för att lämna ett meddelande.",
		pHoldSoon:        "Du är nummer %d i kön. Någon är strax hos dig. Tryck 1 för att bli uppringd, eller 2 för att lämna ett meddelande.",
		pCallbackTaken:   "Vi ringer upp dig på numret du ringer från, och du behåller din plats i kön. Hej då.",
		pMaxWait:         "Vi ber om ursäkt för den långa väntetiden. Tryck 1 för att bli uppringd, eller 2 för att lämna ett meddelande, eller stanna kvar i linjen.",
		pAgentAssigned:   "Nu tar någon i vår personal ditt samtal.",
		pVoicemailSaved:  "Tack. Ditt meddelande är sparat och vår personal återkommer till dig. Hej då.",
		pNoMessage:       "Jag hörde inget meddelande. Vår personal ringer upp dig. Hej då.",
		pCallbackRefused: "Förlåt, jag kan inte ordna en uppringning just nu. Stanna kvar i linjen.",
	},
	"lv": {
		pGreeting:        "Laipni lūdzam Vastaa klīnikā. Kā varu palīdzēt? Varat uzdot jautājumu, pieteikt vizīti vai nospiest nulli, lai runātu ar cilvēku.",
		pReprompt:        "Atvainojiet, es neko nedzirdēju. Kā varu palīdzēt?",
		pSilenceBye:      "Es joprojām jūs nedzirdu, tāpēc beigšu zvanu. Lūdzu, zvaniet vēlreiz. Uz redzēšanos.",
		pGoodbye:         "Paldies par zvanu. Uz redzēšanos.",
		pHandoff:         "Es jūs savienošu ar darbinieku. Jūs esat %d. rindā.",
		pHandoffFull:     "Visi darbinieki ir aizņemti, un rinda ir pilna. Lūdzu, atstājiet ziņu pēc signāla, un mēs jums atzvanīsim. Kad esat beiguši, nospiediet restīti.",
		pVoicemail:       "Lūdzu, atstājiet ziņu pēc signāla. Kad esat beiguši, nospiediet restīti.",
		pBooking:         "Es varu pieteikt jums vizīti. Kura diena jums būtu piemērota?",
		pReschedule:      "Es varu pārcelt jūsu vizīti. Kura diena būtu labāka?",
		pCancel:          "Es varu atcelt jūsu vizīti. Kuru vizīti vēlaties atcelt?",
		pDontKnow:        "Diemžēl es nezinu atbildi uz to. Vai vēlaties runāt ar darbinieku?",
		pAnythingElse:    "Vai varu vēl ar ko palīdzēt?",
		pClarify:         "Atvainojiet, es nesapratu. Varat jautāt par darba laiku vai cenām, pieteikt vizīti vai lūgt darbinieku.",
		pOfferPerson:     "Man ir grūti saprast. Vai vēlaties runāt ar darbinieku?",
		pTechnicalError:  "Atvainojiet, pašlaik nevaru to pārbaudīt. Vai vēlaties runāt ar darbinieku?",
		pAskWhenAgain:    "Lūdzu, nosauciet dienu un laiku, piemēram, rīt no rīta, vai nākamajā pirmdienā pulksten desmitos.",
		pOfferTwo:        "Ir brīvs laiks %s, vai %s. Kuru jūs vēlaties?",
		pOfferOne:        "Ir brīvs laiks %s. Vai pierakstīt jūs?",
		pNothingThen:     "Tajā laikā viss ir aizņemts.",
		pNoSlots:         "Nākamajās divās nedēļās neatradu brīvu laiku. Vai vēlaties runāt ar darbinieku?",
		pBooked:          "Pieraksts veikts: %s. Apstiprinājums ir ceļā.",
		pSlotTaken:       "Diemžēl šo laiku kāds tikko aizņēma.",
		pWhichOption:     "Lūdzu, sakiet pirmais vai otrais, vai nosauciet citu dienu.",
		pAnotherDay:      "Kura cita diena jums derētu?",
		pNoBookingFound:  "Neatradu pierakstu numuram, no kura zvanāt. Vai vēlaties runāt ar darbinieku?",
		pConfirmCancel:   "Jums ir pieraksts: %s. Vai to atcelt?",
		pCancelled:       "Jūsu vizīte ir atcelta: %s.",
		pKeepBooking:     "Labi, jūsu vizīte paliek, kā bija.",
		pRescheduleWhen:  "Jums ir pieraksts: %s. Kura diena jums derētu labāk?",
		pYouHave:         "Jums ir pieraksts: %s.",
		pMoved:           "Jūsu vizīte ir pārcelta: %s. Apstiprinājums ir ceļā.",
		pBookingError:    "Atvainojiet, pašlaik nevaru piekļūt pierakstu kalendāram. Vai vēlaties runāt ar darbinieku?",
		pClosed:          "Pašlaik esam slēgti. Lūdzu, atstājiet ziņu pēc signāla, un mēs jums atzvanīsim. Kad esat beiguši, nospiediet restīti.",
		pHoldPosition:    "Jūs esat %d. rindā. Paredzamais gaidīšanas laiks ir apmēram %d minūtes. Nospiediet 1, lai jums atzvanītu, vai 2, lai atstātu ziņu.",
		pHoldSoon:        "Jūs esat %d. rindā. Drīz jūs apkalpos. Nospiediet 1, lai jums atzvanītu, vai 2, lai atstātu ziņu.",
		pCallbackTaken:   "Mēs jums atzvanīsim uz numuru, no kura zvanāt, un jūsu vieta rindā saglabāsies. Uz redzēšanos.",
		pMaxWait:         "Atvainojiet par ilgo gaidīšanu. Nospiediet 1, lai jums atzvanītu, vai 2, lai atstātu ziņu, vai palieciet uz līnijas.",
		pAgentAssigned:   "Tagad jūsu zvanu pieņem mūsu darbinieks.",
		pVoicemailSaved:  "Paldies. Jūsu ziņa ir saglabāta, un mūsu darbinieki ar jums sazināsies. Uz redzēšanos.",
		pNoMessage:       "Es nedzirdēju ziņu. Mūsu darbinieki jums atzvanīs. Uz redzēšanos.",
		pCallbackRefused: "Atvainojiet, pašlaik nevaru noorganizēt atzvanīšanu. Lūdzu, palieciet uz līnijas.",
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

// HoldAnnouncement tells a waiting caller their place and estimated wait
// (rounded up to whole minutes; under a minute says "shortly").
func HoldAnnouncement(lang string, position int, wait time.Duration) string {
	if wait < time.Minute {
		return say(lang, pHoldSoon, position)
	}
	return say(lang, pHoldPosition, position, int((wait+time.Minute-1)/time.Minute))
}

// Hold-time sentences the call flow says, in lang.
func CallbackTaken(lang string) string   { return say(lang, pCallbackTaken) }
func CallbackRefused(lang string) string { return say(lang, pCallbackRefused) }
func MaxWaitOffer(lang string) string    { return say(lang, pMaxWait) }
func AgentAssigned(lang string) string   { return say(lang, pAgentAssigned) }
func VoicemailSaved(lang string) string  { return say(lang, pVoicemailSaved) }
func NoMessage(lang string) string       { return say(lang, pNoMessage) }
func VoicemailPrompt(lang string) string { return say(lang, pVoicemail) }
