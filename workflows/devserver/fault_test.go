package devserver

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/vastaa/vastaa/agents"
	"github.com/vastaa/vastaa/workflows"
	qflow "github.com/vastaa/vastaa/workflows/queues"
)

type eventLog struct {
	mu sync.Mutex
	ev []qflow.Event
}

func (l *eventLog) QueueEvent(ctx context.Context, ev qflow.Event) error {
	l.mu.Lock()
	l.ev = append(l.ev, ev)
	l.mu.Unlock()
	return nil
}

// The worker dies in the middle of a call and of a queue, and the whole
// server restarts on its database; a new worker picks both up with nothing
// lost: the call's turn count, language and route, the queued calls and
// their order, and the agents.
func TestWorkerKilledMidCallAndMidQueue(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	db := filepath.Join(t.TempDir(), "temporal.db")
	s, err := Start(ctx, Config{DBPath: db, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: s.HostPort(), Logger: quietSDKLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	events := &eventLog{}
	newWorker := func(c client.Client) worker.Worker {
		w := worker.New(c, workflows.TaskQueue, worker.Options{})
		workflows.Register(w, &workflows.Activities{Knowledge: kb{}, Queues: queues{}})
		qflow.Register(w, &qflow.Activities{Listener: events})
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		return w
	}
	w := newWorker(c)
	d := workflows.NewDecider(c, "")
	if err := d.Start(ctx, workflows.CallInput{CallID: "f1", Language: "fi"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Turn(ctx, "f1", workflows.TurnInput{Text: "milloin olette auki", Language: "fi", Intent: "question", IntentConfidence: 0.9}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: qflow.WorkflowID, TaskQueue: workflows.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, "QueuesWorkflow", qflow.Input{}); err != nil {
		t.Fatal(err)
	}
	update := func(c client.Client, name string, args ...any) error {
		return workflows.Update(ctx, c, qflow.WorkflowID, name, nil, args...)
	}
	for _, id := range []string{"q1", "q2", "q3"} {
		if err := update(c, qflow.UpdateEnqueue, agents.Waiting{Item: agents.Item{CallID: id, Queue: "general"}, Skills: []string{"lang:fi"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := update(c, qflow.UpdateAgent, qflow.AgentUpdate{ID: "a1", Skills: []string{"lang:fi"}, State: agents.Away}); err != nil {
		t.Fatal(err)
	}

	// First only the worker dies and a new one takes over (the server
	// stays up): the call goes on.
	w.Stop()
	w = newWorker(c)
	t1 := time.Now()
	if dec, err := d.Turn(ctx, "f1", workflows.TurnInput{Text: "milloin olette auki lauantaina", Language: "fi", Intent: "question", IntentConfidence: 0.9}); err != nil || dec.Language != "fi" || dec.Reply == "" {
		t.Fatalf("after a new worker: %+v %v", dec, err)
	}
	t.Logf("first turn after a worker restart answered in %v", time.Since(t1).Round(time.Millisecond))

	// Then the worker dies again and the server goes down and comes back
	// on the same file.
	stopping := time.Now()
	defer func() {
		t.Logf("from the worker stopping to the end: %v", time.Since(stopping).Round(time.Millisecond))
	}()
	w.Stop()
	c.Close()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	s, err = Start(ctx, Config{DBPath: db, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	c, err = client.Dial(client.Options{HostPort: s.HostPort(), Logger: quietSDKLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w = newWorker(c)
	defer w.Stop()

	restarted := time.Now()
	// The call goes on where it was: third turn, Finnish, handoff.
	d = workflows.NewDecider(c, "")
	dec, err := d.Turn(ctx, "f1", workflows.TurnInput{DTMF: "0"})
	if err != nil || dec.Route != workflows.RouteHandoff || dec.Language != "fi" {
		t.Fatalf("after restart: %+v %v", dec, err)
	}
	t.Logf("first turn after the restart answered in %v", time.Since(restarted).Round(time.Millisecond))
	if err := d.End(ctx, "f1", "caller-hangup"); err != nil {
		t.Fatal(err)
	}
	var res workflows.CallResult
	if err := c.GetWorkflow(ctx, workflows.WorkflowID("f1"), "").Get(ctx, &res); err != nil || res.Turns != 3 {
		t.Fatalf("call result %+v %v", res, err)
	}
	// The queue kept its calls in order and its agent: the agent comes
	// back and takes the longest-waiting call.
	t0 := time.Now()
	if err := update(c, qflow.UpdateAgent, qflow.AgentUpdate{ID: "a1", State: agents.Available}); err != nil {
		t.Fatal(err)
	}
	t.Logf("first queue update after the restart took %v", time.Since(t0).Round(time.Millisecond))
	v, err := c.QueryWorkflow(ctx, qflow.WorkflowID, "", qflow.QueryState)
	if err != nil {
		t.Fatal(err)
	}
	var st qflow.State
	v.Get(&st)
	if len(st.Waiting) != 2 || st.Waiting[0].CallID != "q2" || st.Waiting[1].CallID != "q3" || len(st.Agents) != 1 || st.Agents[0].Call != "q1" {
		t.Fatalf("queue after restart: %+v", st)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		events.mu.Lock()
		n := len(events.ev)
		var first qflow.Event
		if n > 0 {
			first = events.ev[0]
		}
		events.mu.Unlock()
		if n > 0 {
			if first.CallID != "q1" || first.AgentID != "a1" || first.Kind != "assigned" {
				t.Fatalf("event %+v", first)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the assignment was not announced after the restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
