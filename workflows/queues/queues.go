// Package queues makes the human queues durable: one entity workflow holds
// every waiting call and every agent's state, routes calls to agents
// (priority, longest wait to longest idle, skills with fallback to a wider
// queue after a timeout), enforces queue limits and maximum waits, and
// keeps abandoned calls with their wait. Its state survives worker and
// server restarts because it is workflow state.
//
// A waiting caller may take a callback instead (the "callback" update):
// the entry keeps its place and priority after the caller hangs up, and
// when it is routed to an agent the entity starts a callback workflow
// (package workflows/callback) whose attempts come back as queue events.
package queues

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/vastaa/vastaa/agents"
	"github.com/vastaa/vastaa/workflows/callback"
)

// Handler names.
const (
	UpdateEnqueue  = "enqueue"
	UpdateLeave    = "leave"
	UpdateAgent    = "agent"
	UpdateCallback = "callback" // CallbackRequest -> Enqueued (the place kept)
	QueryState     = "state"
	QueryPosition  = "position" // call id -> Enqueued (zero Position when not waiting)
)

// Event kinds.
const (
	KindAssigned          = "assigned"
	KindAbandoned         = "abandoned"
	KindMaxWait           = "max-wait"
	KindCallbackRequested = "callback-requested"
	KindCallbackAssigned  = "callback-assigned"  // an agent is kept for the callback, dialling starts
	KindCallbackAttempt   = "callback-attempt"   // one dial, with Attempt and Outcome
	KindCallbackConnected = "callback-connected" // the callee answered: the agent stays busy with the call
	KindCallbackFailed    = "callback-failed"    // no attempt got through: the agent is available again
	KindCallbackCancelled = "callback-cancelled"
)

// LeaveCancel is the leave reason that removes a callback entry; any other
// reason (a "hangup" above all) leaves it waiting for its turn.
const LeaveCancel = "cancel"

// WorkflowID is the queues entity of a contact centre.
const WorkflowID = "vastaa-queues"

// Config limits the queues.
type Config struct {
	MaxLength int           // per queue (0: unlimited)
	MaxWait   time.Duration // past it the caller is offered a callback or voicemail (0: never)
	Policy    agents.Policy
	// AverageHandle estimates waits until real handle times are known.
	AverageHandle time.Duration
	// CallbackAttempts and CallbackRetryDelay shape callbacks (0: the
	// callback package's defaults, 3 attempts 2 minutes apart).
	CallbackAttempts   int
	CallbackRetryDelay time.Duration
}

// Enqueued is what the caller is told.
type Enqueued struct {
	Position      int           `json:"position"`
	EstimatedWait time.Duration `json:"estimated_wait_ns"`
}

// CallbackRequest turns a waiting call into a callback to Number (digits,
// optional leading +); Language is the prompt's ("" keeps the call's).
type CallbackRequest struct {
	CallID   string `json:"call_id"`
	Number   string `json:"number"`
	Language string `json:"language,omitempty"`
}

// AgentUpdate changes an agent: state and (when set) skills and name.
type AgentUpdate struct {
	ID     string
	Name   string
	Skills []string
	State  agents.AgentState
}

// Event is something that happened to a call in the queues.
type Event struct {
	CallID  string        `json:"call_id"`
	Kind    string        `json:"kind"` // one of the Kind constants, or left:<reason>
	AgentID string        `json:"agent_id,omitempty"`
	Wait    time.Duration `json:"wait_ns"`
	Widened bool          `json:"widened,omitempty"`
	// Attempt and Outcome are a callback dial's (callback-attempt, and the
	// final callback-connected or callback-failed); Detail says why.
	Attempt int       `json:"attempt,omitempty"`
	Outcome string    `json:"outcome,omitempty"`
	Detail  string    `json:"detail,omitempty"`
	At      time.Time `json:"at"`
}

// State is the queues as the "state" query shows them.
type State struct {
	Waiting []agents.Waiting `json:"waiting"`
	Agents  []agents.Agent   `json:"agents"`
	Events  []Event          `json:"events"` // the latest, newest last
}

// Input starts (or continues) the entity.
type Input struct {
	Config Config
	State  State
}

// Error types of refused updates.
const (
	ErrFull          = "QueueFull"
	ErrNotWaiting    = "NotWaiting"    // a callback for a call that is not waiting
	ErrInvalidNumber = "InvalidNumber" // a callback number that is not a phone number
)

type entity struct {
	cfg       Config
	waiting   []agents.Waiting
	agents    map[string]*agents.Agent
	events    []Event
	offered   map[string]bool // max-wait already reported
	pending   int             // announcements and callback starts not yet done
	dirty     bool
	changes   int
	lastEvent time.Time
}

// QueuesWorkflow is the entity: updates change it, and after each change
// (or when a call's fallback or maximum wait comes due) it routes.
func QueuesWorkflow(ctx workflow.Context, in Input) error {
	e := &entity{cfg: in.Config, waiting: in.State.Waiting, agents: map[string]*agents.Agent{}, events: in.State.Events, offered: map[string]bool{}}
	for i := range in.State.Agents {
		a := in.State.Agents[i]
		e.agents[a.ID] = &a
	}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (State, error) { return e.state(), nil }); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryPosition, func(callID string) (Enqueued, error) { return e.position(callID), nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateEnqueue, e.enqueue, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, w agents.Waiting) error {
			if w.CallID == "" {
				return errors.New("no call id")
			}
			if e.cfg.MaxLength > 0 && e.length(w.Queue) >= e.cfg.MaxLength {
				return temporal.NewNonRetryableApplicationError("queue "+w.Queue+" is full", ErrFull, nil)
			}
			return nil
		},
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateLeave, e.leave); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCallback, e.callback, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, r CallbackRequest) error {
			if r.CallID == "" {
				return errors.New("no call id")
			}
			if e.find(r.CallID) < 0 {
				return temporal.NewNonRetryableApplicationError("call "+r.CallID+" is not waiting in a queue: only a waiting call can take a callback", ErrNotWaiting, nil)
			}
			if err := callback.CheckNumber(r.Number); err != nil {
				return temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidNumber, nil)
			}
			return nil
		},
	}); err != nil {
		return err
	}
	// Callback workflows report their attempts by signal.
	reports := workflow.GetSignalChannel(ctx, callback.SignalReport)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var r callback.Report
			reports.Receive(ctx, &r)
			e.callbackReport(ctx, r)
		}
	})
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAgent, e.agent, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, u AgentUpdate) error {
			switch u.State {
			case agents.Available, agents.Busy, agents.WrapUp, agents.Away:
				return nil
			}
			return fmt.Errorf("agent state %q: want available, busy, wrap-up or away", u.State)
		},
	}); err != nil {
		return err
	}
	for e.changes < 1000 {
		e.route(ctx)
		e.dirty = false
		next := e.nextDue(workflow.Now(ctx))
		if next.IsZero() {
			if err := workflow.Await(ctx, func() bool { return e.dirty }); err != nil {
				return err
			}
		} else if _, err := workflow.AwaitWithTimeout(ctx, next.Sub(workflow.Now(ctx)), func() bool { return e.dirty }); err != nil {
			return err
		}
	}
	// Nothing in flight may be lost to the new run: updates, reports not
	// yet taken, announcements and callback workflows not yet started.
	if err := workflow.Await(ctx, func() bool {
		return workflow.AllHandlersFinished(ctx) && reports.Len() == 0 && e.pending == 0
	}); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, QueuesWorkflow, Input{Config: e.cfg, State: e.state()})
}

func (e *entity) length(queue string) int {
	n := 0
	for _, w := range e.waiting {
		if w.Queue == queue {
			n++
		}
	}
	return n
}

func (e *entity) state() State {
	st := State{Waiting: append([]agents.Waiting(nil), e.waiting...), Events: append([]Event(nil), e.events...)}
	for _, a := range e.agents {
		st.Agents = append(st.Agents, *a)
	}
	sort.Slice(st.Agents, func(i, j int) bool { return st.Agents[i].ID < st.Agents[j].ID })
	return st
}

// find is the index of a waiting call, -1 if it is not waiting.
func (e *entity) find(callID string) int {
	for i := range e.waiting {
		if e.waiting[i].CallID == callID {
			return i
		}
	}
	return -1
}

func (e *entity) enqueue(ctx workflow.Context, w agents.Waiting) (Enqueued, error) {
	for _, x := range e.waiting {
		if x.CallID == w.CallID {
			return e.position(w.CallID), nil // a retry
		}
	}
	w.EnqueuedAt = workflow.Now(ctx)
	e.waiting = append(e.waiting, w)
	e.dirty = true
	e.changes++
	return e.position(w.CallID), nil
}

// position is the call's place among the calls of its queue routed before it.
func (e *entity) position(callID string) Enqueued {
	idx := -1
	for i := range e.waiting {
		if e.waiting[i].CallID == callID {
			idx = i
		}
	}
	if idx < 0 {
		return Enqueued{}
	}
	me := &e.waiting[idx]
	pos := 1
	for i, w := range e.waiting {
		if i == idx || w.Queue != me.Queue {
			continue
		}
		// Ahead: higher priority, or the same and in the queue earlier.
		if w.Priority > me.Priority || w.Priority == me.Priority && (w.EnqueuedAt.Before(me.EnqueuedAt) || w.EnqueuedAt.Equal(me.EnqueuedAt) && i < idx) {
			pos++
		}
	}
	n := 0
	for _, a := range e.agents {
		if a.State != agents.Away && agents.HasAll(a.Skills, me.Skills) {
			n++
		}
	}
	aht := e.cfg.AverageHandle
	if aht <= 0 {
		aht = 4 * time.Minute
	}
	return Enqueued{Position: pos, EstimatedWait: agents.EstimatedWait(pos, n, aht)}
}

// leave removes a call (the caller hung up, or took voicemail instead);
// a hang-up is recorded as abandoned with its wait. A callback entry stays:
// its caller hangs up by design after asking for the callback, and only
// an explicit cancel removes it.
func (e *entity) leave(ctx workflow.Context, callID, reason string) (Event, error) {
	for i, w := range e.waiting {
		if w.CallID == callID {
			now := workflow.Now(ctx)
			if w.Callback && reason != LeaveCancel {
				return Event{CallID: callID, Kind: KindCallbackRequested, Wait: now.Sub(w.EnqueuedAt), At: now}, nil
			}
			e.waiting = append(e.waiting[:i], e.waiting[i+1:]...)
			ev := Event{CallID: callID, Kind: KindAbandoned, Wait: now.Sub(w.EnqueuedAt), At: now}
			switch {
			case w.Callback:
				ev.Kind = KindCallbackCancelled
			case reason != "" && reason != "hangup":
				ev.Kind = "left:" + reason
			}
			e.record(ev)
			e.dirty = true
			e.changes++
			return ev, nil
		}
	}
	return Event{}, fmt.Errorf("call %s is not waiting", callID)
}

// callback turns a waiting call into a callback entry. It keeps its
// EnqueuedAt and priority, so its place; a repeated request only updates
// the number and language.
func (e *entity) callback(ctx workflow.Context, r CallbackRequest) (Enqueued, error) {
	i := e.find(r.CallID)
	if i < 0 { // the validator saw it waiting; kept for safety
		return Enqueued{}, temporal.NewNonRetryableApplicationError("call "+r.CallID+" is not waiting", ErrNotWaiting, nil)
	}
	w := &e.waiting[i]
	first := !w.Callback
	w.Callback, w.Number = true, r.Number
	if r.Language != "" {
		w.Language = r.Language
	}
	// The caller has their answer to the maximum wait: no second offer.
	e.offered[r.CallID] = true
	if first {
		now := workflow.Now(ctx)
		e.record(Event{CallID: r.CallID, Kind: KindCallbackRequested, Wait: now.Sub(w.EnqueuedAt), At: now})
	}
	e.dirty = true
	e.changes++
	return e.position(r.CallID), nil
}

// callbackReport records a callback attempt; on the last one the agent
// stays busy with the call (connected) or is available again (failed).
func (e *entity) callbackReport(ctx workflow.Context, r callback.Report) {
	now := workflow.Now(ctx)
	ev := Event{CallID: r.CallID, Kind: KindCallbackAttempt, AgentID: r.AgentID, Attempt: r.Attempt.Attempt,
		Outcome: string(r.Attempt.Outcome), Detail: r.Attempt.Detail, At: now}
	e.record(ev)
	e.announce(ctx, ev)
	if r.Status == "" {
		return
	}
	fin := Event{CallID: r.CallID, AgentID: r.AgentID, Attempt: r.Attempt.Attempt, Outcome: string(r.Status), At: now}
	switch r.Status {
	case callback.Connected:
		fin.Kind = KindCallbackConnected
	default:
		fin.Kind = KindCallbackFailed
		if a := e.agents[r.AgentID]; a != nil && a.State == agents.Busy && a.Call == r.CallID {
			a.State, a.Call, a.IdleSince = agents.Available, "", now
		}
	}
	e.record(fin)
	e.announce(ctx, fin)
	e.dirty = true
	e.changes++
}

func (e *entity) agent(ctx workflow.Context, u AgentUpdate) (agents.Agent, error) {
	a := e.agents[u.ID]
	if a == nil {
		a = &agents.Agent{ID: u.ID}
		e.agents[u.ID] = a
	}
	if u.Name != "" {
		a.Name = u.Name
	}
	if u.Skills != nil {
		a.Skills = u.Skills
	}
	if u.State == agents.Available && a.State != agents.Available {
		a.IdleSince = workflow.Now(ctx)
		a.Call = ""
	}
	a.State = u.State
	e.dirty = true
	e.changes++
	return *a, nil
}

func (e *entity) record(ev Event) {
	const keep = 500
	e.events = append(e.events, ev)
	if len(e.events) > keep {
		e.events = e.events[len(e.events)-keep:]
	}
}

// route assigns what can be assigned and reports calls past their maximum wait.
func (e *entity) route(ctx workflow.Context) {
	now := workflow.Now(ctx)
	var list []agents.Agent
	for _, a := range e.agents {
		list = append(list, *a)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	for _, as := range agents.Route(e.waiting, list, now, e.cfg.Policy) {
		a := e.agents[as.AgentID]
		a.State, a.Call = agents.Busy, as.CallID
		var w agents.Waiting
		if i := e.find(as.CallID); i >= 0 {
			w = e.waiting[i]
			e.waiting = append(e.waiting[:i], e.waiting[i+1:]...)
		}
		ev := Event{CallID: as.CallID, Kind: KindAssigned, AgentID: as.AgentID, Wait: as.Wait, Widened: as.Widened, At: now}
		if w.Callback {
			ev.Kind = KindCallbackAssigned
			e.startCallback(ctx, w, as.AgentID)
		}
		e.record(ev)
		e.announce(ctx, ev)
	}
	if e.cfg.MaxWait > 0 {
		for _, w := range e.waiting {
			if !w.Callback && !e.offered[w.CallID] && now.Sub(w.EnqueuedAt) >= e.cfg.MaxWait {
				e.offered[w.CallID] = true
				ev := Event{CallID: w.CallID, Kind: "max-wait", Wait: now.Sub(w.EnqueuedAt), At: now}
				e.record(ev)
				e.announce(ctx, ev)
			}
		}
	}
}

// nextDue is when a fallback or a maximum wait next comes due.
func (e *entity) nextDue(now time.Time) time.Time {
	next := agents.NextChange(e.waiting, now, e.cfg.Policy)
	if e.cfg.MaxWait > 0 {
		for _, w := range e.waiting {
			at := w.EnqueuedAt.Add(e.cfg.MaxWait)
			if !w.Callback && !e.offered[w.CallID] && at.After(now) && (next.IsZero() || at.Before(next)) {
				next = at
			}
		}
	}
	return next
}

// announce tells the rest of the system (the call flow bridges an
// assigned call, or offers a callback past the maximum wait).
func (e *entity) announce(ctx workflow.Context, ev Event) {
	e.pending++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { e.pending-- }()
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 10 * time.Second,
			RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, MaximumAttempts: 5},
		})
		var a *Activities
		if err := workflow.ExecuteActivity(actx, a.Announce, ev).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("queue event not delivered", "call", ev.CallID, "kind", ev.Kind, "error", err)
		}
	})
}

// startCallback starts the callback workflow of a routed callback entry.
// It is a child that outlives this run (continue-as-new) and reports to
// the entity by workflow ID, so to whichever run is current. A callback
// that cannot start fails at once and frees its agent.
func (e *entity) startCallback(ctx workflow.Context, w agents.Waiting, agentID string) {
	in := callback.Input{CallID: w.CallID, Number: w.Number, Language: w.Language, AgentID: agentID, Queue: w.Queue,
		Summary: w.Summary, MaxAttempts: e.cfg.CallbackAttempts, RetryDelay: e.cfg.CallbackRetryDelay,
		ReportTo: workflow.GetInfo(ctx).WorkflowExecution.ID}
	e.pending++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { e.pending-- }()
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:        callback.WorkflowID(w.CallID),
			ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		})
		f := workflow.ExecuteChildWorkflow(cctx, callback.WorkflowName, in)
		if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("callback workflow did not start", "call", w.CallID, "error", err)
			e.callbackReport(ctx, callback.Report{CallID: w.CallID, AgentID: agentID, Status: callback.Unanswered,
				Attempt: callback.AttemptResult{Outcome: callback.Failed, Detail: "callback workflow did not start: " + err.Error()}})
		}
	})
}

// Listener receives queue events.
type Listener interface {
	QueueEvent(ctx context.Context, ev Event) error
}

// Activities deliver queue events.
type Activities struct{ Listener Listener }

// Announce delivers one event.
func (a *Activities) Announce(ctx context.Context, ev Event) error {
	return a.Listener.QueueEvent(ctx, ev)
}

// Register adds the queues workflow and activities to a worker.
func Register(w worker.Registry, a *Activities) {
	w.RegisterWorkflowWithOptions(QueuesWorkflow, workflow.RegisterOptions{Name: "QueuesWorkflow"})
	w.RegisterActivity(a)
}
