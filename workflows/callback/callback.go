// Package callback calls a caller back: a caller who chose not to wait on
// the line keeps their place in the queues (package workflows/queues), and
// when routing gives that place to an agent the queues entity starts a
// CallbackWorkflow. It dials the caller over SIP (through a Dialer),
// retries a few times with a pause between attempts, and reports every
// attempt and the final result back to the queues entity by signal, where
// they become queue events.
//
// The package knows nothing of the queues: it is told whom to report to,
// so the queues entity can import it without a cycle.
package callback

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// WorkflowName is the CallbackWorkflow's registered name.
const WorkflowName = "CallbackWorkflow"

// SignalReport carries a Report to the workflow named in Input.ReportTo.
const SignalReport = "callback-report"

// Defaults of Input.
const (
	DefaultMaxAttempts    = 3
	DefaultRetryDelay     = 2 * time.Minute
	DefaultAttemptTimeout = 3 * time.Minute // ringing, the prompt and the hang-up
)

// WorkflowID is the callback workflow of a call: one callback per call.
func WorkflowID(callID string) string { return "vastaa-callback-" + callID }

// Outcome is how one dial attempt ended.
type Outcome string

const (
	Answered Outcome = "answered"
	Busy     Outcome = "busy"      // 486 Busy Here, 600 Busy Everywhere
	NoAnswer Outcome = "no-answer" // rang out, 408, 480, or no response at all
	Rejected Outcome = "rejected"  // any other final 4xx-6xx
	Failed   Outcome = "failed"    // we could not place the call (bad number, no trunk, no prompt)
)

// Status is the callback's final result.
type Status string

const (
	Connected  Status = "connected"
	Unanswered Status = "failed" // every attempt failed, or a permanent failure stopped the retries
)

// Input starts a CallbackWorkflow. Number is personal data: it goes to the
// workflow history (our own store) and never to logs above debug.
type Input struct {
	CallID   string
	Number   string
	Language string
	AgentID  string // the agent who is kept for this call
	Queue    string
	Summary  string // what the agent is told about the call

	MaxAttempts    int           // default DefaultMaxAttempts
	RetryDelay     time.Duration // between attempts, default DefaultRetryDelay
	AttemptTimeout time.Duration // one attempt as an activity, default DefaultAttemptTimeout
	// ReportTo is the workflow ID told of every attempt by SignalReport
	// (the queues entity); "" reports to no one.
	ReportTo string
}

// Attempt is one dial, as the Dialer sees it. Prompt is what to say, in
// Language, once the callee answers.
type Attempt struct {
	CallID   string
	Number   string
	Language string
	AgentID  string
	Queue    string
	Summary  string
	Attempt  int // 1-based
	Prompt   string
}

// AttemptResult is how an attempt went. Detail says why, for people (it
// never holds the number). Permanent stops the retries: dialling again
// cannot help (an invalid number).
type AttemptResult struct {
	Attempt   int       `json:"attempt"`
	Outcome   Outcome   `json:"outcome"`
	Detail    string    `json:"detail,omitempty"`
	Permanent bool      `json:"permanent,omitempty"`
	At        time.Time `json:"at"`
}

// Report is sent to Input.ReportTo after every attempt; Status is set on
// the last one.
type Report struct {
	CallID  string
	AgentID string
	Attempt AttemptResult
	Status  Status // "" while more attempts follow
}

// Result is the workflow's result.
type Result struct {
	CallID   string
	Status   Status
	Attempts []AttemptResult
}

// CallbackWorkflow dials Input.Number up to MaxAttempts times, RetryDelay
// apart (a durable timer: a worker restart between attempts loses
// nothing), until the callee answers.
func CallbackWorkflow(ctx workflow.Context, in Input) (Result, error) {
	if in.MaxAttempts <= 0 {
		in.MaxAttempts = DefaultMaxAttempts
	}
	if in.RetryDelay <= 0 {
		in.RetryDelay = DefaultRetryDelay
	}
	if in.AttemptTimeout <= 0 {
		in.AttemptTimeout = DefaultAttemptTimeout
	}
	log := workflow.GetLogger(ctx)
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: in.AttemptTimeout,
		// A dial is not idempotent (the phone rings): the workflow spaces
		// and counts attempts itself, Temporal never repeats one.
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	res := Result{CallID: in.CallID}
	var a *Activities
	for n := 1; n <= in.MaxAttempts; n++ {
		if n > 1 {
			if err := workflow.Sleep(ctx, in.RetryDelay); err != nil {
				return res, err
			}
		}
		at := Attempt{CallID: in.CallID, Number: in.Number, Language: in.Language, AgentID: in.AgentID,
			Queue: in.Queue, Summary: in.Summary, Attempt: n, Prompt: Prompt(in.Language)}
		var r AttemptResult
		if err := workflow.ExecuteActivity(actx, a.DialCallback, at).Get(ctx, &r); err != nil {
			if ctx.Err() != nil {
				return res, err // the callback itself was cancelled
			}
			r = AttemptResult{Outcome: Failed, Detail: "dial attempt: " + err.Error()}
		}
		r.Attempt, r.At = n, workflow.Now(ctx)
		res.Attempts = append(res.Attempts, r)
		switch {
		case r.Outcome == Answered:
			res.Status = Connected
		case n == in.MaxAttempts || r.Permanent:
			res.Status = Unanswered
		}
		log.Info("callback attempt", "call", in.CallID, "attempt", n, "outcome", r.Outcome, "status", res.Status)
		report(ctx, in, Report{CallID: in.CallID, AgentID: in.AgentID, Attempt: r, Status: res.Status})
		if res.Status != "" {
			break
		}
	}
	return res, nil
}

// report tells the queues entity; a lost report is logged, not fatal: the
// callback has happened either way.
func report(ctx workflow.Context, in Input, r Report) {
	if in.ReportTo == "" {
		return
	}
	if err := workflow.SignalExternalWorkflow(ctx, in.ReportTo, "", SignalReport, r).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("callback report not delivered", "call", in.CallID, "attempt", r.Attempt.Attempt, "error", err)
	}
}

// Register adds the callback workflow and its activity to a worker.
func Register(w worker.Registry, a *Activities) {
	w.RegisterWorkflowWithOptions(CallbackWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	w.RegisterActivity(a)
}
