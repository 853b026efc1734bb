package pipeline

import (
	"context"
	"time"
)

// Port is one call's audio as the pipeline sees it: 20 ms frames of 8 kHz
// linear PCM from the caller, DTMF digits, and a way to play audio back.
// The media layer implements it; the pipeline never sees SIP or RTP.
type Port interface {
	Frames() <-chan []int16
	DTMF() <-chan rune
	// Play queues 8 kHz PCM for sending and returns at once.
	Play(pcm []int16) Playback
	// StopPlayback drops everything queued (barge-in).
	StopPlayback() int
	// Done is closed when the call has ended.
	Done() <-chan struct{}
}

// Playback is one queued prompt.
type Playback interface {
	Done() <-chan struct{}
	// FirstPacketAt is when its first packet went on the wire (zero before).
	FirstPacketAt() time.Time
}

// TurnRequest is what the pipeline understood of one caller turn.
type TurnRequest struct {
	CallID             string
	Index              int
	Text               string
	Language           Language
	LanguageConfidence float64
	Intent             IntentResult
	DTMF               string
	Silence            bool // the caller said nothing before the no-input timeout
	BargeIn            bool // the caller spoke over the bot
}

// Reply is the decision for one turn: what to say, and where the call goes.
type Reply struct {
	Text             string
	Language         Language
	Route            string
	Queue            string
	Citations        []string
	AnswerConfidence float64
	RetrievalMS      float64
	Hangup           bool // say Text, then end the call
	Record           bool // say Text, then record the caller's voicemail message
}

// RouteHandoff is the route on which the bot hands the caller to a person
// and stops the conversation.
const RouteHandoff = "handoff"

// Decider chooses the reply to a turn (the CallWorkflow in production).
type Decider interface {
	Decide(ctx context.Context, req TurnRequest) (Reply, error)
}

// Timings are the milliseconds each stage of a turn took. FirstAudio is what
// the caller feels: from the end of their speech (or the DTMF press) to the
// first RTP packet of the reply on the wire.
type Timings struct {
	Endpointing float64 `json:"endpointing"`
	STT         float64 `json:"stt"`
	LanguageID  float64 `json:"language_id"`
	Intent      float64 `json:"intent"`
	Decision    float64 `json:"decision"`
	Retrieval   float64 `json:"retrieval"`
	TTS         float64 `json:"tts"`
	FirstAudio  float64 `json:"first_audio"`
	// BargeIn, for an utterance that interrupted the bot, is from the
	// first speech window reaching the VAD to playback stopped (the last
	// bot packet leaves at most one 20 ms tick later).
	BargeIn float64 `json:"barge_in,omitempty"`
}

// TurnRecord is everything worth keeping about one turn.
type TurnRecord struct {
	At      time.Time
	Request TurnRequest
	Reply   Reply
	Timings Timings
	Err     string
}

// TurnSink receives each finished turn (the call record store).
type TurnSink interface {
	RecordTurn(ctx context.Context, rec TurnRecord)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
