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
	Handler() http.Handler
}

// durableQueues keeps the queues in the Temporal entity workflow
// (workflows/queues): calls wait for agents with their language and queue
// skills, widening to the whole queue after a minute.
type durableQueues struct {
	c   client.Client
	log *slog.Logger

	mu      sync.Mutex
	waiting map[string]bool // calls this process enqueued
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
func (d *durableQueues) Leave(callID string) bool {
	d.mu.Lock()
	was := d.waiting[callID]
	delete(d.waiting, callID)
	d.mu.Unlock()
	if !was {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return d.update(ctx, qflow.UpdateLeave, nil, callID, "hangup") == nil
}

// QueueEvent hears assignments and maximum waits. The agent desk and the
// audio bridge come later; for now they are logged (ids only).
func (d *durableQueues) QueueEvent(ctx context.Context, ev qflow.Event) error {
	d.mu.Lock()
	if ev.Kind == "assigned" {
		delete(d.waiting, ev.CallID)
	}
	d.mu.Unlock()
	d.log.Info("queue event", "kind", ev.Kind, "call", ev.CallID, "agent", ev.AgentID, "wait", ev.Wait.Round(time.Millisecond))
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
