package queues

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/vastaa/vastaa/agents"
)

type listener struct {
	mu     sync.Mutex
	events []Event
}

func (l *listener) QueueEvent(ctx context.Context, ev Event) error {
	l.mu.Lock()
	l.events = append(l.events, ev)
	l.mu.Unlock()
	return nil
}

func (l *listener) summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.events {
		s := e.Kind + ":" + e.CallID
		if e.AgentID != "" {
			s += ">" + e.AgentID
		}
		if e.Widened {
			s += "*"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestQueuesWorkflow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(tlog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	lis := &listener{}
	env.RegisterWorkflowWithOptions(QueuesWorkflow, workflow.RegisterOptions{Name: "QueuesWorkflow"})
	env.RegisterActivity(&Activities{Listener: lis})
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(t0)

	var mu sync.Mutex
	results := map[string]any{}
	errs := map[string]error{}
	send := func(key, name string, args ...any) {
		env.UpdateWorkflow(name, key, &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(e error) { mu.Lock(); errs[key] = e; mu.Unlock() },
			OnComplete: func(v any, e error) { mu.Lock(); results[key], errs[key] = v, e; mu.Unlock() },
		}, args...)
	}
	waiting := func(id, queue string, prio int, skills, fallback []string) agents.Waiting {
		return agents.Waiting{Item: agents.Item{CallID: id, Queue: queue, Priority: prio, Language: "fi"}, Skills: skills, Fallback: fallback}
	}
	at := func(d time.Duration, f func()) { env.RegisterDelayedCallback(f, d) }
	at(0, func() {
		send("a2", UpdateAgent, AgentUpdate{ID: "a2", Skills: []string{"lang:fi"}, State: agents.Available})
		send("a3", UpdateAgent, AgentUpdate{ID: "a3", Skills: []string{"lang:sv"}, State: agents.Available})
		send("bad agent", UpdateAgent, AgentUpdate{ID: "a9", State: "sleeping"})
	})
	at(time.Second, func() {
		send("c1", UpdateEnqueue, waiting("c1", "nurses", 0, []string{"lang:fi", "topic:nurse"}, []string{"lang:fi"}))
	})
	at(2*time.Second, func() { send("c2", UpdateEnqueue, waiting("c2", "general", 0, []string{"lang:sv"}, nil)) })
	at(3*time.Second, func() {
		for _, id := range []string{"c3", "c4", "c5", "c6"} {
			send(id, UpdateEnqueue, waiting(id, "general", 0, []string{"lang:en"}, nil))
		}
	})
	at(4*time.Second, func() { send("c7", UpdateEnqueue, waiting("c7", "urgent", 10, []string{"lang:en"}, nil)) })
	at(10*time.Second, func() { send("leave c4", UpdateLeave, "c4", "hangup") })
	at(11*time.Second, func() { send("leave c4 again", UpdateLeave, "c4", "hangup") })
	at(2*time.Minute, func() {
		send("a4", UpdateAgent, AgentUpdate{ID: "a4", Skills: []string{"lang:en"}, State: agents.Available})
	})
	var final State
	at(10*time.Minute, func() {
		v, err := env.QueryWorkflow(QueryState)
		if err != nil {
			t.Error(err)
		} else {
			v.Get(&final)
		}
		env.CancelWorkflow()
	})
	env.ExecuteWorkflow(QueuesWorkflow, Input{Config: Config{MaxLength: 3, MaxWait: 5 * time.Minute, AverageHandle: 4 * time.Minute,
		Policy: agents.Policy{FallbackAfter: time.Minute}}})

	// The listener hears assignments and maximum waits (announcements made
	// at the same moment may arrive in any order); abandonment is in the
	// state's events.
	got := strings.Fields(lis.summary())
	sort.Strings(got[min(3, len(got)):])
	if want := "assigned:c2>a3 assigned:c1>a2* assigned:c7>a4 max-wait:c3 max-wait:c5"; strings.Join(got, " ") != want {
		t.Errorf("events %q, want %q", got, want)
	}
	var ae *temporal.ApplicationError
	if err := errs["c6"]; err == nil || !errorsAs(err, &ae) || ae.Type() != ErrFull {
		t.Errorf("c6 on a full queue: %v", err)
	}
	if errs["bad agent"] == nil || errs["leave c4 again"] == nil {
		t.Errorf("bad updates accepted: %v %v", errs["bad agent"], errs["leave c4 again"])
	}
	if e, ok := results["c5"].(Enqueued); !ok || e.Position != 3 {
		t.Errorf("c5 enqueued %+v", results["c5"])
	}
	if e, ok := results["c3"].(Enqueued); !ok || e.Position != 1 || e.EstimatedWait != 4*time.Minute {
		t.Errorf("c3 enqueued %+v", results["c3"])
	}
	var abandoned *Event
	for i, e := range final.Events {
		if e.Kind == "abandoned" && e.CallID == "c4" {
			abandoned = &final.Events[i]
		}
	}
	if abandoned == nil || abandoned.Wait != 7*time.Second {
		t.Errorf("abandoned c4: %+v", abandoned)
	}
	ids := []string{}
	for _, w := range final.Waiting {
		ids = append(ids, w.CallID)
	}
	if fmt.Sprint(ids) != "[c3 c5]" {
		t.Errorf("still waiting %v", ids)
	}
	busy := map[string]string{}
	for _, a := range final.Agents {
		busy[a.ID] = string(a.State) + ":" + a.Call
	}
	if busy["a2"] != "busy:c1" || busy["a3"] != "busy:c2" || busy["a4"] != "busy:c7" {
		t.Errorf("agents %v", busy)
	}
	// c1 was widened to a2 after its minute with no nurse.
	for _, e := range final.Events {
		if e.CallID == "c1" && e.Kind == "assigned" && (e.Wait != time.Minute || !e.Widened) {
			t.Errorf("c1 %+v", e)
		}
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
