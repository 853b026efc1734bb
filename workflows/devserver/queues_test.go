package devserver

import (
	"context"
	"fmt"
	"sort"
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

// assignments records when each call was assigned.
type assignments struct {
	mu sync.Mutex
	at map[string]time.Time
	to map[string]string
	ch chan string
}

func (a *assignments) QueueEvent(ctx context.Context, ev qflow.Event) error {
	if ev.Kind != "assigned" {
		return nil
	}
	a.mu.Lock()
	if _, dup := a.at[ev.CallID]; !dup {
		a.at[ev.CallID] = time.Now()
		a.to[ev.CallID] = ev.AgentID
		a.ch <- ev.CallID
	}
	a.mu.Unlock()
	return nil
}

// TestQueueAssignmentLatency measures, on the in-process server, how long
// an agent who becomes free waits for the next of 200 waiting calls (50
// agents): from the agent's "available" update to the assignment reaching
// the listener. It asserts that every call is assigned exactly once to an
// agent with its skill; the figures go to the README.
func TestQueueAssignmentLatency(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	s, err := Start(ctx, Config{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	c, err := client.Dial(client.Options{HostPort: s.HostPort(), Logger: quietSDKLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := &assignments{at: map[string]time.Time{}, to: map[string]string{}, ch: make(chan string, 300)}
	w := worker.New(c, "queues-test", worker.Options{})
	qflow.Register(w, &qflow.Activities{Listener: rec})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: qflow.WorkflowID, TaskQueue: "queues-test",
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, "QueuesWorkflow", qflow.Input{}); err != nil {
		t.Fatal(err)
	}
	update := func(name string, args ...any) error {
		return workflows.Update(ctx, c, qflow.WorkflowID, name, nil, args...)
	}
	langs := []string{"en", "fi", "sv", "lv"}
	skill := map[string]string{}
	for i := 0; i < 200; i++ {
		id := fmt.Sprintf("call-%03d", i)
		skill[id] = "lang:" + langs[i%4]
		if err := update(qflow.UpdateEnqueue, agents.Waiting{Item: agents.Item{CallID: id, Queue: "general"}, Skills: []string{skill[id]}}); err != nil {
			t.Fatal(err)
		}
	}
	agentSkill := map[string]string{}
	var lat []time.Duration
	free := func(id string) {
		start := time.Now()
		if err := update(qflow.UpdateAgent, qflow.AgentUpdate{ID: id, Skills: []string{agentSkill[id]}, State: agents.Available}); err != nil {
			t.Fatal(err)
		}
		select {
		case call := <-rec.ch:
			rec.mu.Lock()
			lat = append(lat, rec.at[call].Sub(start))
			rec.mu.Unlock()
		case <-ctx.Done():
			v, err := c.QueryWorkflow(context.Background(), qflow.WorkflowID, "", "state")
			var st qflow.State
			if err == nil {
				v.Get(&st)
			}
			t.Fatalf("no assignment after %s became available (%d assigned so far); state: %d waiting, agents %+v, query err %v", id, len(lat), len(st.Waiting), st.Agents, err)
		}
	}
	for i := 0; i < 50; i++ {
		id := fmt.Sprintf("agent-%02d", i)
		agentSkill[id] = "lang:" + langs[i%4]
		free(id)
	}
	// Agents finish calls and take the next one until all 200 are served
	// (the next agent whose language still has calls waiting).
	remaining := map[string]int{}
	for _, sk := range skill {
		remaining[sk]++
	}
	rec.mu.Lock()
	for call := range rec.at {
		remaining[skill[call]]--
	}
	rec.mu.Unlock()
	for n, next := 0, 0; n < 150; n++ {
		for remaining[agentSkill[fmt.Sprintf("agent-%02d", next%50)]] == 0 {
			next++
		}
		id := fmt.Sprintf("agent-%02d", next%50)
		next++
		free(id)
		remaining[agentSkill[id]]--
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.at) != 200 {
		t.Fatalf("%d calls assigned", len(rec.at))
	}
	for call, agent := range rec.to {
		if agentSkill[agent] != skill[call] {
			t.Errorf("%s (%s) went to %s (%s)", call, skill[call], agent, agentSkill[agent])
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	t.Logf("agent available -> next of 200 waiting calls assigned (50 agents, %d assignments): p50 %v, p99 %v, max %v",
		len(lat), p(0.50).Round(100*time.Microsecond), p(0.99).Round(100*time.Microsecond), lat[len(lat)-1].Round(100*time.Microsecond))
}
