package pipeline

import "context"

// VAD scores fixed windows of audio for speech. One VAD holds the state of
// one audio stream, so every call makes its own with a VADFactory.
type VAD interface {
	// SampleRate is the rate Process expects (8000 or 16000).
	SampleRate() int
	// WindowSize is the number of samples Process expects per call.
	WindowSize() int
	// Process returns the probability (0..1) that the window holds speech.
	// samples are linear PCM scaled to [-1, 1].
	Process(samples []float32) (float32, error)
	// Reset forgets the stream's state (e.g. after playback or a new utterance).
	Reset()
	Close() error
}

// VADFactory makes the per-call VAD state.
type VADFactory interface {
	NewVAD() (VAD, error)
	Name() string
}

// Transcript is the final text of one caller utterance.
type Transcript struct {
	Text       string
	Confidence float64  // 0..1, provider's own estimate; 0 when unknown
	Language   Language // set when the provider identifies it, else empty
}

// RecognizerStream takes one utterance's audio as it arrives, so that most of
// the decoding is done by the time the caller stops speaking.
type RecognizerStream interface {
	// Write feeds linear 16-bit PCM at the STT's SampleRate.
	Write(pcm []int16) error
	// Partial returns the best hypothesis so far ("" if none or unsupported).
	Partial() string
	// Finish ends the utterance and returns the final transcript.
	Finish(ctx context.Context) (Transcript, error)
	// Close frees the stream; safe after Finish and safe to call twice.
	Close() error
}

// STT is a speech-to-text provider.
type STT interface {
	Name() string
	SampleRate() int
	// NewStream starts recognising one utterance. lang is a hint ("" = unknown).
	NewStream(ctx context.Context, lang Language) (RecognizerStream, error)
}

// LanguageID identifies the language of a transcript.
type LanguageID interface {
	// Detect returns the most likely served language and a confidence 0..1.
	// ok is false when the text gives no usable evidence (empty, digits only).
	Detect(text string) (lang Language, confidence float64, ok bool)
}

// IntentResult is a classifier's verdict on one utterance.
type IntentResult struct {
	Intent     Intent
	Confidence float64 // 0..1
	// Scores holds the score of every intent considered, when available.
	Scores map[Intent]float64 `json:",omitempty"`
}

// IntentClassifier maps an utterance to an intent.
type IntentClassifier interface {
	Name() string
	Classify(ctx context.Context, text string, lang Language) (IntentResult, error)
}

// Speech is synthesised audio: mono linear 16-bit PCM.
type Speech struct {
	PCM        []int16
	SampleRate int
}

// TTS is a text-to-speech provider.
type TTS interface {
	Name() string
	Synthesize(ctx context.Context, text string, lang Language) (Speech, error)
}
