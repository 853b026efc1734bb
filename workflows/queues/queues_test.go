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
	"github.com/vastaa/vastaa/workflows/callback"
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

// callbackDialer answers each call's attempts from its script.
type callbackDialer struct {
	mu     sync.Mutex
	script map[string][]callback.Outcome
	dials  map[string]int
}

func (d *callbackDialer) Dial(ctx context.Context, a callback.Attempt) (callback.Outcome, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dials[a.CallID]++
	s := d.script[a.CallID]
	if a.Attempt > len(s) {
		return callback.Failed, errors.New("no script")
	}
	if s[a.Attempt-1] == callback.Answered {
		return callback.Answered, nil
	}
	return s[a.Attempt-1], fmt.Errorf("scripted %s", s[a.Attempt-1])
}

// Callers c1 and c3 take callbacks and hang up; their entries keep their
// places. c1 is routed before c2 (same priority, enqueued later) and is
// connected on its second attempt, two minutes after a busy first; c3
// gets no answer three times, so its agent is available again. A callback
// for a call not waiting, or to a bad number, is refused; an explicit
// cancel removes a callback entry.
func TestQueuesCallbacks(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(tlog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	lis := &listener{}
	env.RegisterWorkflowWithOptions(QueuesWorkflow, workflow.RegisterOptions{Name: "QueuesWorkflow"})
	env.RegisterActivity(&Activities{Listener: lis})
	dialer := &callbackDialer{dials: map[string]int{}, script: map[string][]callback.Outcome{
		"c1": {callback.Busy, callback.Answered},
		"c3": {callback.NoAnswer, callback.NoAnswer, callback.NoAnswer},
	}}
	callback.Register(env, &callback.Activities{Dialer: dialer})
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
	positions := map[string]int{}
	position := func(key, callID string) {
		v, err := env.QueryWorkflow(QueryPosition, callID)
		var p Enqueued
		if err == nil {
			err = v.Get(&p)
		}
		if err != nil {
			t.Errorf("position %s: %v", key, err)
		}
		positions[key] = p.Position
	}
	var during State
	query := func(st *State) {
		v, err := env.QueryWorkflow(QueryState)
		if err == nil {
			err = v.Get(st)
		}
		if err != nil {
			t.Error(err)
		}
	}
	fi := func(id string) agents.Waiting {
		return agents.Waiting{Item: agents.Item{CallID: id, Queue: "general", Language: "fi"}, Skills: []string{"lang:fi"}}
	}
	at := func(d time.Duration, f func()) { env.RegisterDelayedCallback(f, d) }
	at(0, func() {
		send("a1", UpdateAgent, AgentUpdate{ID: "a1", Skills: []string{"lang:fi"}, State: agents.Away})
		send("a2", UpdateAgent, AgentUpdate{ID: "a2", Skills: []string{"lang:fi"}, State: agents.Away})
	})
	at(1*time.Second, func() { send("c1", UpdateEnqueue, fi("c1")) })
	at(2*time.Second, func() { send("c2", UpdateEnqueue, fi("c2")) })
	at(3*time.Second, func() { send("c3", UpdateEnqueue, fi("c3")) })
	at(5*time.Second, func() {
		send("callback c1", UpdateCallback, CallbackRequest{CallID: "c1", Number: "+358401234567"})
		send("callback c3", UpdateCallback, CallbackRequest{CallID: "c3", Number: "0401234567", Language: "sv"})
		send("callback unknown", UpdateCallback, CallbackRequest{CallID: "zz", Number: "0401234567"})
		send("callback bad number", UpdateCallback, CallbackRequest{CallID: "c2", Number: "040 123 4567"})
	})
	at(6*time.Second, func() {
		send("leave c1", UpdateLeave, "c1", "hangup")
		send("leave c3", UpdateLeave, "c3", "hangup")
	})
	at(7*time.Second, func() {
		position("c1", "c1")
		position("c2", "c2")
		position("c3", "c3")
		position("unknown", "zz")
		query(&during)
	})
	at(time.Minute, func() {
		send("a1 available", UpdateAgent, AgentUpdate{ID: "a1", State: agents.Available})
	})
	at(10*time.Minute, func() {
		send("a2 available", UpdateAgent, AgentUpdate{ID: "a2", State: agents.Available})
	})
	at(11*time.Minute, func() {
		send("callback c2 assigned", UpdateCallback, CallbackRequest{CallID: "c2", Number: "0401234567"})
	})
	at(15*time.Minute, func() {
		send("a2 available again", UpdateAgent, AgentUpdate{ID: "a2", State: agents.Available})
	})
	at(20*time.Minute, func() {
		send("c5", UpdateEnqueue, agents.Waiting{Item: agents.Item{CallID: "c5", Queue: "general", Language: "en"}, Skills: []string{"lang:en"}})
	})
	at(20*time.Minute+time.Second, func() { send("callback c5", UpdateCallback, CallbackRequest{CallID: "c5", Number: "112"}) })
	at(21*time.Minute, func() { send("cancel c5", UpdateLeave, "c5", LeaveCancel) })
	var final State
	at(30*time.Minute, func() {
		query(&final)
		env.CancelWorkflow()
	})
	env.ExecuteWorkflow(QueuesWorkflow, Input{Config: Config{AverageHandle: 4 * time.Minute, MaxWait: 30 * time.Second}})

	mu.Lock()
	defer mu.Unlock()
	for _, k := range []string{"callback c1", "callback c3", "leave c1", "leave c3", "callback c5", "cancel c5"} {
		if errs[k] != nil {
			t.Errorf("%s: %v", k, errs[k])
		}
	}
	if e, ok := results["callback c1"].(Enqueued); !ok || e.Position != 1 {
		t.Errorf("callback c1 kept place %+v", results["callback c1"])
	}
	var ae *temporal.ApplicationError
	for k, typ := range map[string]string{"callback unknown": ErrNotWaiting, "callback c2 assigned": ErrNotWaiting, "callback bad number": ErrInvalidNumber} {
		if err := errs[k]; err == nil || !errorsAs(err, &ae) || ae.Type() != typ {
			t.Errorf("%s: %v, want a %s error", k, err, typ)
		} else {
			t.Logf("%s refused: %v", k, err)
		}
	}
	if fmt.Sprint(positions) != "map[c1:1 c2:2 c3:3 unknown:0]" {
		t.Errorf("positions %v", positions)
	}
	// After the hang-ups both callback entries still wait, with their place.
	byID := map[string]agents.Waiting{}
	for _, w := range during.Waiting {
		byID[w.CallID] = w
	}
	if w := byID["c1"]; !w.Callback || w.Number != "+358401234567" || !w.EnqueuedAt.Equal(t0.Add(time.Second)) {
		t.Errorf("c1 entry %+v", w)
	}
	if w := byID["c3"]; !w.Callback || w.Language != "sv" || !w.EnqueuedAt.Equal(t0.Add(3*time.Second)) {
		t.Errorf("c3 entry %+v", w)
	}

	var got []string
	times := map[string]time.Time{}
	for _, e := range final.Events {
		s := e.Kind + ":" + e.CallID
		if e.AgentID != "" {
			s += ">" + e.AgentID
		}
		if e.Attempt > 0 {
			s += fmt.Sprintf("#%d=%s", e.Attempt, e.Outcome)
		}
		got = append(got, s)
		times[s] = e.At
	}
	want := strings.Join([]string{
		"callback-requested:c1", "callback-requested:c3", "max-wait:c2",
		"callback-assigned:c1>a1", "callback-attempt:c1>a1#1=busy",
		"callback-attempt:c1>a1#2=answered", "callback-connected:c1>a1#2=connected",
		"assigned:c2>a2",
		"callback-assigned:c3>a2", "callback-attempt:c3>a2#1=no-answer", "callback-attempt:c3>a2#2=no-answer",
		"callback-attempt:c3>a2#3=no-answer", "callback-failed:c3>a2#3=failed",
		"callback-requested:c5", "callback-cancelled:c5",
	}, " ")
	if strings.Join(got, " ") != want {
		t.Errorf("events\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	// Attempts are two minutes apart, on workflow timers.
	if at := times["callback-attempt:c1>a1#2=answered"]; !at.Equal(t0.Add(3 * time.Minute)) {
		t.Errorf("c1 second attempt at %v", at.Sub(t0))
	}
	if at := times["callback-failed:c3>a2#3=failed"]; !at.Equal(t0.Add(19 * time.Minute)) {
		t.Errorf("c3 failed at %v", at.Sub(t0))
	}
	states := map[string]string{}
	for _, a := range final.Agents {
		states[a.ID] = string(a.State) + ":" + a.Call
	}
	if states["a1"] != "busy:c1" || states["a2"] != "available:" {
		t.Errorf("agents %v: want a1 busy with the connected callback, a2 available after the failed one", states)
	}
	if len(final.Waiting) != 0 {
		t.Errorf("still waiting %+v", final.Waiting)
	}
	if dialer.dials["c1"] != 2 || dialer.dials["c3"] != 3 || dialer.dials["c5"] != 0 {
		t.Errorf("dials %v", dialer.dials)
	}
	// The listener hears the callback events too.
	if sum := lis.summary(); !strings.Contains(sum, "callback-connected:c1>a1") || !strings.Contains(sum, "callback-failed:c3>a2") {
		t.Errorf("listener heard %s", sum)
	}
}
