package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/vastaa/vastaa/agents"
	"github.com/vastaa/vastaa/workflows"
	qflow "github.com/vastaa/vastaa/workflows/queues"
)

// queueStore is where handed-off calls wait for a person.
type queueStore interface {
	Enqueue(ctx context.Context, it agents.Item) (int, error)
	Leave(callID string) bool
	LeaveFor(callID, reason string) bool
	Handler() http.Handler
	Position(ctx context.Context, callID string) (qflow.Enqueued, error)
	Callback(ctx context.Context, req qflow.CallbackRequest) (qflow.Enqueued, error)
	// Watch delivers the queue events of one call (assigned, max-wait)
	// until stop is called.
	Watch(callID string) (events <-chan qflow.Event, stop func())
}

// durableQueues keeps the queues in the Temporal entity workflow
// (workflows/queues): calls wait for agents with their language and queue
// skills, widening to the whole queue after a minute.
type durableQueues struct {
	c   client.Client
	log *slog.Logger

	mu       sync.Mutex
	waiting  map[string]bool             // calls this process enqueued
	watchers map[string]chan qflow.Event // calls on hold in this process
}

// Watch delivers the events of a call on hold.
func (d *durableQueues) Watch(callID string) (<-chan qflow.Event, func()) {
	ch := make(chan qflow.Event, 8)
	d.mu.Lock()
	if d.watchers == nil {
		d.watchers = map[string]chan qflow.Event{}
	}
	d.watchers[callID] = ch
	d.mu.Unlock()
	return ch, func() {
		d.mu.Lock()
		if d.watchers[callID] == ch {
			delete(d.watchers, callID)
		}
		d.mu.Unlock()
	}
}

// queuesConfig is the contact centre's queue policy.
var queuesConfig = qflow.Config{MaxLength: 50, MaxWait: 10 * time.Minute, AverageHandle: 4 * time.Minute,
	Policy: agents.Policy{FallbackAfter: time.Minute}}

// startQueuesWorkflow starts the queues entity, or finds it running (its
// state survived a restart).
func startQueuesWorkflow(ctx context.Context, c client.Client) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: qflow.WorkflowID, TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, "QueuesWorkflow", qflow.Input{Config: queuesConfig})
	if err != nil {
		return fmt.Errorf("starting the queues workflow: %w", err)
	}
	return nil
}

func (d *durableQueues) update(ctx context.Context, name string, out any, args ...any) error {
	return workflows.Update(ctx, d.c, qflow.WorkflowID, name, out, args...)
}

func (d *durableQueues) Enqueue(ctx context.Context, it agents.Item) (int, error) {
	w := agents.Waiting{Item: it, Skills: []string{"queue:" + it.Queue, "lang:" + it.Language}, Fallback: []string{"queue:" + it.Queue}}
	var res qflow.Enqueued
	err := d.update(ctx, qflow.UpdateEnqueue, &res, w)
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && ae.Type() == qflow.ErrFull {
		return 0, fmt.Errorf("%w: %w", agents.ErrQueueFull, err)
	}
	if err != nil {
		return 0, err
	}
	d.mu.Lock()
	d.waiting[it.CallID] = true
	d.mu.Unlock()
	return res.Position, nil
}

// Leave takes a call that hung up out of its queue (recorded as abandoned
// with its wait); false when it was not waiting.
func (d *durableQueues) Leave(callID string) bool { return d.LeaveFor(callID, "hangup") }

// LeaveFor takes a call out of its queue for a reason other than a
// hang-up (e.g. "voicemail"): recorded as "left:<reason>", not abandoned.
func (d *durableQueues) LeaveFor(callID, reason string) bool {
	d.mu.Lock()
	was := d.waiting[callID]
	delete(d.waiting, callID)
	d.mu.Unlock()
	if !was {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return d.update(ctx, qflow.UpdateLeave, nil, callID, reason) == nil
}

// Position is the call's place in its queue and its estimated wait, for
// hold announcements; a zero Position when the call is not waiting.
func (d *durableQueues) Position(ctx context.Context, callID string) (qflow.Enqueued, error) {
	v, err := d.c.QueryWorkflow(ctx, qflow.WorkflowID, "", qflow.QueryPosition, callID)
	var e qflow.Enqueued
	if err == nil {
		err = v.Get(&e)
	}
	if err != nil {
		return qflow.Enqueued{}, fmt.Errorf("queue position: %w", err)
	}
	return e, nil
}

// Callback turns the waiting call into a callback that keeps its place;
// the caller may then hang up (Leave no longer takes it out). It is
// refused when the call is not waiting or the number is not a phone number.
func (d *durableQueues) Callback(ctx context.Context, req qflow.CallbackRequest) (qflow.Enqueued, error) {
	var res qflow.Enqueued
	if err := d.update(ctx, qflow.UpdateCallback, &res, req); err != nil {
		var ae *temporal.ApplicationError
		if errors.As(err, &ae) && (ae.Type() == qflow.ErrNotWaiting || ae.Type() == qflow.ErrInvalidNumber) {
			return qflow.Enqueued{}, fmt.Errorf("callback refused: %s", ae.Message())
		}
		return qflow.Enqueued{}, fmt.Errorf("callback: %w", err)
	}
	// The live call no longer waits: its hang-up is not an abandonment.
	d.mu.Lock()
	delete(d.waiting, req.CallID)
	d.mu.Unlock()
	d.log.Info("caller took a callback", "call", req.CallID, "position", res.Position)
	d.log.Debug("callback number", "call", req.CallID, "number", req.Number)
	return res, nil
}

// QueueEvent hears assignments, maximum waits and callbacks. The agent
// desk and the audio bridge come later; for now they are logged (ids and
// outcomes only: the details may come from a SIP peer).
func (d *durableQueues) QueueEvent(ctx context.Context, ev qflow.Event) error {
	d.mu.Lock()
	if ev.Kind == qflow.KindAssigned || ev.Kind == qflow.KindCallbackAssigned {
		delete(d.waiting, ev.CallID)
	}
	if ch := d.watchers[ev.CallID]; ch != nil {
		select {
		case ch <- ev:
		default: // the call flow is behind; the queue state still has it
		}
	}
	d.mu.Unlock()
	switch ev.Kind {
	case qflow.KindCallbackAttempt, qflow.KindCallbackConnected, qflow.KindCallbackFailed:
		d.log.Info("queue event", "kind", ev.Kind, "call", ev.CallID, "agent", ev.AgentID, "attempt", ev.Attempt, "outcome", ev.Outcome)
		d.log.Debug("callback detail", "call", ev.CallID, "attempt", ev.Attempt, "detail", ev.Detail)
	default:
		d.log.Info("queue event", "kind", ev.Kind, "call", ev.CallID, "agent", ev.AgentID, "wait", ev.Wait.Round(time.Millisecond))
	}
	return nil
}

// Handler serves GET /api/queues (the waiting calls, agents and recent
// events) and PUT /api/agents/{id} ({"name", "skills", "state"}).
func (d *durableQueues) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		switch {
		case r.URL.Path == "/api/queues" && r.Method == http.MethodGet:
			v, err := d.c.QueryWorkflow(ctx, qflow.WorkflowID, "", qflow.QueryState)
			var st qflow.State
			if err == nil {
				err = v.Get(&st)
			}
			if err != nil {
				http.Error(w, "queues: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(st)
		case strings.HasPrefix(r.URL.Path, "/api/agents/") && (r.Method == http.MethodPut || r.Method == http.MethodPost):
			id := strings.TrimPrefix(r.URL.Path, "/api/agents/")
			var u qflow.AgentUpdate
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&u); err != nil || id == "" || strings.Contains(id, "/") {
				http.Error(w, "want PUT /api/agents/{id} with a JSON body {\"name\", \"skills\", \"state\"}", http.StatusBadRequest)
				return
			}
			u.ID = id
			var a agents.Agent
			if err := d.update(ctx, qflow.UpdateAgent, &a, u); err != nil {
				http.Error(w, "agent: "+err.Error(), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(a)
		default:
			http.Error(w, "not found", http.StatusNotFound)
		}
	})
}
