package pipeline

import (
	"context"
	"fmt"
	"time"
)

// Understanding turns a transcript into language and intent. The text-mode
// eval runner uses it directly; the audio Conversation uses it after STT.
type Understanding struct {
	LanguageID LanguageID
	Intents    IntentClassifier
	// MinLanguageConfidence is the confidence below which the detected
	// language is ignored and the call's current language kept.
	MinLanguageConfidence float64
}

// Understood is the outcome of Understand.
type Understood struct {
	Language           Language
	LanguageConfidence float64
	Intent             IntentResult
	LanguageIDTime     time.Duration
	IntentTime         time.Duration
}

// Understand identifies the language of text and classifies its intent.
// sttLang is the language the recogniser reported ("" if none): a recogniser
// that can only hear one language is more trustworthy than text statistics on
// its output. current is the call's language so far.
func (u Understanding) Understand(ctx context.Context, text string, sttLang, current Language) (Understood, error) {
	var out Understood
	t0 := time.Now()
	out.Language, out.LanguageConfidence = current, 0
	switch {
	case sttLang.Valid():
		out.Language, out.LanguageConfidence = sttLang, 1
	case u.LanguageID != nil:
		if l, conf, ok := u.LanguageID.Detect(text); ok && l.Valid() && conf >= u.MinLanguageConfidence {
			out.Language, out.LanguageConfidence = l, conf
		}
	}
	if !out.Language.Valid() {
		out.Language = English
	}
	out.LanguageIDTime = time.Since(t0)

	t1 := time.Now()
	res, err := u.Intents.Classify(ctx, text, out.Language)
	out.IntentTime = time.Since(t1)
	if err != nil {
		return out, fmt.Errorf("classify intent: %w", err)
	}
	out.Intent = res
	return out, nil
}
