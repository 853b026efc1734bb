// Package callstore keeps the record of every call: who called, when it was
// answered and ended and why, and for each turn what the caller said, how the
// bot understood it, what it answered and how long each stage took. Ops teams
// review calls from these records and the evals compute KPIs from them.
//
// Records are personal data (numbers, transcripts): they stay in the store
// and are served only on the local HTTP API; they never go to logs.
package callstore

import (
	"time"

	"github.com/vastaa/vastaa/pipeline"
)

// Call is the record of one call, inbound or outbound.
type Call struct {
	ID         string    `json:"id"`
	SIPCallID  string    `json:"sip_call_id,omitempty"`
	Direction  string    `json:"direction"` // "inbound" | "outbound"
	Caller     string    `json:"caller"`
	Callee     string    `json:"callee,omitempty"`
	Codec      string    `json:"codec,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	EndedAt    time.Time `json:"ended_at,omitzero"`
	// EndReason says how the call ended: caller-hangup, bot-hangup,
	// rtp-timeout, rejected:no-common-codec, ... (empty while in progress).
	EndReason string `json:"end_reason,omitempty"`
	// Route is the last route the bot chose (self_service, booking, voicemail,
	// handoff) and Queue the human queue for a handoff.
	Route     string     `json:"route,omitempty"`
	Queue     string     `json:"queue,omitempty"`
	Language  string     `json:"language,omitempty"`
	Recording string     `json:"recording,omitempty"` // path of the stereo WAV
	Media     MediaStats `json:"media"`
	Turns     []Turn     `json:"turns,omitempty"`
	TurnCount int        `json:"turn_count"`
}

// MediaStats summarises the RTP leg at the end of the call.
type MediaStats struct {
	PacketsReceived uint64  `json:"packets_received"`
	PacketsSent     uint64  `json:"packets_sent"`
	PacketsLost     uint64  `json:"packets_lost"`
	PacketsLate     uint64  `json:"packets_late"`
	Garbage         uint64  `json:"garbage"`
	JitterMS        float64 `json:"jitter_ms"`
}

// Turn is one exchange: the caller's utterance (or DTMF, or silence) and the
// bot's reply.
type Turn struct {
	Index              int       `json:"index"`
	At                 time.Time `json:"at"`
	CallerText         string    `json:"caller_text"`
	DTMF               string    `json:"dtmf,omitempty"`
	Silence            bool      `json:"silence,omitempty"`
	BargeIn            bool      `json:"barge_in,omitempty"`
	Language           string    `json:"language,omitempty"`
	LanguageConfidence float64   `json:"language_confidence,omitempty"`
	Intent             string    `json:"intent,omitempty"`
	IntentConfidence   float64   `json:"intent_confidence,omitempty"`
	Route              string    `json:"route,omitempty"`
	Queue              string    `json:"queue,omitempty"`
	Reply              string    `json:"reply"`
	ReplyLanguage      string    `json:"reply_language,omitempty"`
	Citations          []string  `json:"citations,omitempty"`
	AnswerConfidence   float64   `json:"answer_confidence,omitempty"`
	Timings            Timings   `json:"timings_ms"`
	Error              string    `json:"error,omitempty"`
}

// Timings are the milliseconds each stage of a turn took (see
// pipeline.Timings: the pipeline measures them, the store keeps them).
type Timings = pipeline.Timings
