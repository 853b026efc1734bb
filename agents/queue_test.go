package agents

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestQueueOrder(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Second); return now }
	q := NewQueues(WithClock(clock), WithMaxLength(4))
	ctx := context.Background()
	steps := []struct {
		id       string
		prio     int
		wantPos  int
		wantFull bool
	}{
		{"a", 0, 1, false},
		{"b", 0, 2, false},
		{"urgent", 10, 1, false}, // jumps ahead of normal calls
		{"c", 0, 4, false},
		{"d", 0, 0, true},  // queue at its limit
		{"b", 0, 3, false}, // retried enqueue keeps its place
	}
	for _, s := range steps {
		pos, err := q.Enqueue(ctx, Item{CallID: s.id, Queue: "general", Priority: s.prio})
		if s.wantFull {
			if !errors.Is(err, ErrQueueFull) {
				t.Fatalf("%s: err %v, want ErrQueueFull", s.id, err)
			}
			continue
		}
		if err != nil || pos != s.wantPos {
			t.Fatalf("%s: pos %d err %v, want %d", s.id, pos, err, s.wantPos)
		}
	}
	if _, err := q.Enqueue(ctx, Item{CallID: "x"}); err == nil {
		t.Fatal("item without queue accepted")
	}
	if !q.Leave("a") || q.Leave("a") {
		t.Fatal("Leave should remove a once")
	}
	ab := q.AbandonedCalls()
	if len(ab) != 1 || ab[0].CallID != "a" || ab[0].Wait <= 0 {
		t.Fatalf("abandoned = %+v", ab)
	}
	snap := q.Snapshot()
	var order []string
	for _, w := range snap[0].Waiting {
		order = append(order, w.CallID)
	}
	if len(order) != 3 || order[0] != "urgent" || order[1] != "b" || order[2] != "c" {
		t.Fatalf("order = %v", order)
	}

	srv := httptest.NewServer(q.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/queues")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Queues []QueueState `json:"queues"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || len(body.Queues) != 1 || len(body.Queues[0].Waiting) != 3 {
		t.Fatalf("api: %+v %v", body, err)
	}
}
