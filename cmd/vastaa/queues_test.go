package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vastaa/vastaa/evals"
	qflow "github.com/vastaa/vastaa/workflows/queues"
)

// A caller presses 0 and is queued in the durable queues; an agent set
// available over the HTTP API gets the call; a second caller, with the
// agent busy, hangs up and is recorded as abandoned with their wait.
func TestDurableQueuesOverHTTP(t *testing.T) {
	a := runningApp(t)
	base := "http://" + a.httpAddr
	put := func(id, body string) int {
		req, _ := http.NewRequest(http.MethodPut, base+"/api/agents/"+id, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := put("agent-q1", `{"name":"Aino","skills":["queue:general","lang:en"],"state":"available"}`); code != 200 {
		t.Fatalf("agent update: %d", code)
	}
	if code := put("agent-q2", `{"state":"sleeping"}`); code != 400 {
		t.Errorf("bad state: %d", code)
	}
	if code := put("agent-q3", `not json`); code != 400 {
		t.Errorf("bad body: %d", code)
	}
	state := func() qflow.State {
		resp, err := http.Get(base + "/api/queues")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st qflow.State
		if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	press0 := evals.Scenario{ID: "q", Language: "en", Turns: []evals.Turn{{DTMF: "0"}}}
	ctx := context.Background()
	if err := playScenario(ctx, a, "queue-caller-1", press0); err != nil {
		t.Fatal(err)
	}
	rec1, err := endedCallFrom(ctx, a.store, "queue-caller-1", 10*time.Second)
	if err != nil || rec1.Route != "handoff" {
		t.Fatalf("first call %+v %v", rec1.Route, err)
	}
	if err := playScenario(ctx, a, "queue-caller-2", press0); err != nil {
		t.Fatal(err)
	}
	rec2, err := endedCallFrom(ctx, a.store, "queue-caller-2", 10*time.Second)
	if err != nil || rec2.Route != "handoff" {
		t.Fatalf("second call %+v %v", rec2.Route, err)
	}
	var assigned, abandoned *qflow.Event
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && (assigned == nil || abandoned == nil) {
		st := state()
		for i, e := range st.Events {
			if e.CallID == rec1.ID && e.Kind == "assigned" {
				assigned = &st.Events[i]
			}
			if e.CallID == rec2.ID && e.Kind == "abandoned" {
				abandoned = &st.Events[i]
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if assigned == nil || assigned.AgentID != "agent-q1" {
		t.Errorf("first call not assigned to agent-q1: %+v", assigned)
	}
	if abandoned == nil || abandoned.Wait <= 0 {
		t.Errorf("second call not recorded as abandoned: %+v", abandoned)
	}
	st := state()
	for _, ag := range st.Agents {
		if ag.ID == "agent-q1" && (ag.State != "busy" || ag.Call != rec1.ID) {
			t.Errorf("agent %+v", ag)
		}
	}
	for _, w := range st.Waiting {
		if w.CallID == rec2.ID {
			t.Error("the abandoned call still waits")
		}
	}
}
