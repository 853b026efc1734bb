// Package workflows holds the Temporal workflows that decide, turn by turn,
// what happens to a call, and the activities that do their I/O. Workflow
// code is deterministic and does no I/O; the knowledge base and the human
// queues are reached only through activities.
package workflows

import "context"

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
}

// CallResult is the workflow's result when the call ends.
type CallResult struct {
	Route     Route
	Queue     string
	Turns     int
	EndReason string
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
	Queue      string
	Language   string
	Reason     string
	Intent     string
	Priority   int
	Summary    string
	Transcript []string
}
