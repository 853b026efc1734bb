// Package pipeline turns a caller's audio into turns and the bot's replies
// back into audio: voice activity detection, endpointing, barge-in, speech to
// text, language identification, intent classification and speech synthesis.
// It knows nothing about SIP: audio arrives and leaves through the Port
// interface, and decisions come from a Decider.
package pipeline

// Language is a caller language the bot serves, as an ISO 639-1 code.
type Language string

const (
	English Language = "en"
	Finnish Language = "fi"
	Swedish Language = "sv"
	Latvian Language = "lv"
)

// Languages lists every language the bot serves, default first.
var Languages = []Language{English, Finnish, Swedish, Latvian}

// Valid reports whether l is a served language.
func (l Language) Valid() bool {
	switch l {
	case English, Finnish, Swedish, Latvian:
		return true
	}
	return false
}

// Intent is what the caller wants from one turn.
type Intent string

const (
	IntentQuestion   Intent = "question"   // a knowledge question (opening hours, prices, ...)
	IntentBooking    Intent = "booking"    // book a new appointment
	IntentReschedule Intent = "reschedule" // move an existing appointment
	IntentCancel     Intent = "cancel"     // cancel an existing appointment
	IntentVoicemail  Intent = "voicemail"  // leave a message
	IntentHuman      Intent = "human"      // talk to a person
	IntentUrgent     Intent = "urgent"     // an urgent matter: straight to a person
	IntentYes        Intent = "yes"
	IntentNo         Intent = "no"
	IntentGoodbye    Intent = "goodbye"
	IntentUnknown    Intent = "unknown" // nothing matched with enough confidence
)

// Intents lists every intent the classifiers may return, IntentUnknown last.
var Intents = []Intent{
	IntentQuestion, IntentBooking, IntentReschedule, IntentCancel, IntentVoicemail,
	IntentHuman, IntentUrgent, IntentYes, IntentNo, IntentGoodbye, IntentUnknown,
}
