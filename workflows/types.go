// Package workflows holds the Temporal workflows that decide, turn by turn,
// what happens to a call, and the activities that do their I/O. Workflow
// code is deterministic and does no I/O; the knowledge base and the human
// queues are reached only through activities.
package workflows

import (
	"context"
	"errors"
	"time"
)

// TaskQueue is the Temporal task queue of the call workflows and activities.
const TaskQueue = "vastaa-calls"

// Names of the CallWorkflow's handlers.
const (
	UpdateTurn   = "turn"   // TurnInput -> Decision
	SignalHangup = "hangup" // string reason; ends the workflow
	QueryState   = "state"  // -> CallState
)

// Route is where the bot sends the call.
type Route string

const (
	RouteNone        Route = ""
	RouteSelfService Route = "self_service" // answered from the knowledge base
	RouteBooking     Route = "booking"
	RouteVoicemail   Route = "voicemail"
	RouteHandoff     Route = "handoff" // queued for a person
)

// CallInput starts a CallWorkflow. Caller is personal data: it goes to the
// workflow history (our own store) and never to logs.
type CallInput struct {
	CallID   string
	Caller   string
	Language string
}

// TurnInput is what the pipeline understood of one caller turn.
type TurnInput struct {
	Text             string
	Language         string
	Intent           string
	IntentConfidence float64
	DTMF             string
	Silence          bool
	BargeIn          bool
}

// Decision is the workflow's answer to one turn.
type Decision struct {
	Route            Route
	Reply            string
	Language         string
	Citations        []string
	Queue            string
	Hangup           bool
	AnswerConfidence float64
	RetrievalMS      float64
	// Reason is a short machine-readable why (e.g. "dtmf-0", "answered",
	// "no-answer", "silence-2"), for call records and evals.
	Reason string
	// Record: after saying Reply, record the caller's voicemail message.
	Record bool
	// Booking is the appointment this turn booked, moved or cancelled.
	Booking *BookingOutcome `json:",omitempty"`
}

// BookingOutcome is an appointment a call booked, moved or cancelled.
type BookingOutcome struct {
	Action  string // booked | moved | cancelled
	Booking BookingInfo
}

// CallResult is the workflow's result when the call ends.
type CallResult struct {
	Route     Route
	Queue     string
	Turns     int
	EndReason string
	Bookings  []BookingOutcome
}

// CallState is what the "state" query returns.
type CallState struct {
	Turns    int
	Route    Route
	Queue    string
	Language string
	Ended    bool
}

// Answerer answers questions from the knowledge base.
type Answerer interface {
	Answer(ctx context.Context, question, lang string) (Answer, error)
}

// Answer is a grounded answer; Found is false when the articles do not say.
type Answer struct {
	Text       string
	Citations  []string
	Confidence float64
	Found      bool
}

// Queuer puts a call in a human queue and returns its 1-based position.
type Queuer interface {
	Enqueue(ctx context.Context, h Handoff) (int, error)
}

// Handoff is a call handed to a person, with what the agent should know.
type Handoff struct {
	CallID     string
	Caller     string
	Queue      string
	Language   string
	Reason     string
	Intent     string
	Priority   int
	Summary    string
	Transcript []string
}

// Bookings is the booking desk the call workflow talks to (implemented by
// workflows/booking over its resource workflows).
type Bookings interface {
	// Offer finds free slots for what the caller said ("next Tuesday
	// morning"); Understood is false when no time was named.
	Offer(ctx context.Context, req OfferRequest) (Offer, error)
	// Book takes a slot for the caller; a slot someone else took meanwhile
	// is an error wrapping ErrSlotTaken.
	Book(ctx context.Context, req BookSlot) (BookingInfo, error)
	// Find lists the caller's upcoming appointments, soonest first.
	Find(ctx context.Context, caller, lang string) ([]BookingInfo, error)
	Cancel(ctx context.Context, b BookingInfo) error
	Reschedule(ctx context.Context, b BookingInfo, to Slot, lang string) (BookingInfo, error)
}

// ErrSlotTaken: somebody else booked the slot first.
var ErrSlotTaken = errors.New("slot taken")

// OfferRequest asks for free slots.
type OfferRequest struct {
	Text     string // what the caller said
	Language string
	Service  string        // "" = from the text, else the default service
	Resource string        // only this resource (a reschedule stays with it)
	Earliest bool          // the earliest free slots, whatever the text says
	Within   time.Duration // with Earliest: only slots starting within this long (0 = two weeks)
}

// Offer is what the desk found.
type Offer struct {
	Understood bool   // a day or time was named (or Earliest was asked)
	InWindow   bool   // the slots are within what was asked (else the nearest after it)
	Earliest   bool   // the caller asked for the earliest time ("as soon as possible")
	Service    string // the service understood
	Slots      []Slot // at most two, best first
}

// Slot is one bookable time.
type Slot struct {
	Resource string
	Service  string
	Start    time.Time
	Spoken   string // how the bot says it, in the caller's language
}

// BookSlot books a slot; ID makes retries idempotent.
type BookSlot struct {
	ID       string
	Slot     Slot
	Caller   string
	Language string
}

// BookingInfo is an appointment as the call workflow sees it.
type BookingInfo struct {
	ID       string
	Resource string
	Service  string
	Start    time.Time
	Spoken   string
}

// Contacts tells the handoff summary about the caller's earlier calls.
type Contacts interface {
	PastContacts(ctx context.Context, caller, exceptCallID string) (PastContacts, error)
}

// PastContacts summarises a caller's earlier calls (last 90 days).
type PastContacts struct {
	Calls     int
	LastAt    time.Time
	LastRoute string
	LastTopic string
}
