// Package agents is the human side of the contact centre: the queues calls
// are handed to, and (in later work) agents, routing and the desk page.
//
// This first version keeps queues in memory with priority-then-FIFO order
// and a length limit; durable queues with skills-based routing replace it
// behind the same Enqueue seam.
package agents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"
)

// ErrQueueFull is returned when a queue is at its maximum length.
var ErrQueueFull = errors.New("queue full")

// Item is one call waiting for a person, with the summary the agent sees.
type Item struct {
	CallID     string    `json:"call_id"`
	Queue      string    `json:"queue"`
	Language   string    `json:"language"`
	Reason     string    `json:"reason"`
	Intent     string    `json:"intent,omitempty"`
	Priority   int       `json:"priority"` // higher first
	Summary    string    `json:"summary"`
	Transcript []string  `json:"transcript,omitempty"`
	EnqueuedAt time.Time `json:"enqueued_at"`
}

// Abandoned is a call that left the queue without reaching a person.
type Abandoned struct {
	Item
	Wait time.Duration `json:"wait_ns"`
}

// Queues holds the waiting calls of every queue.
type Queues struct {
	mu        sync.Mutex
	maxLen    int
	now       func() time.Time
	waiting   map[string][]*Item
	abandoned []Abandoned
}

// Option configures Queues.
type Option func(*Queues)

// WithMaxLength caps every queue (0 = unlimited).
func WithMaxLength(n int) Option { return func(q *Queues) { q.maxLen = n } }

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) Option { return func(q *Queues) { q.now = now } }

// NewQueues makes an empty set of queues.
func NewQueues(opts ...Option) *Queues {
	q := &Queues{now: time.Now, waiting: map[string][]*Item{}}
	for _, o := range opts {
		o(q)
	}
	return q
}

// Enqueue adds a call and returns its 1-based position. A call already
// queued (a retried activity) keeps its place and gets its position back.
func (q *Queues) Enqueue(ctx context.Context, it Item) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if it.CallID == "" || it.Queue == "" {
		return 0, errors.New("enqueue: call id and queue are required")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	list := q.waiting[it.Queue]
	for i, w := range list {
		if w.CallID == it.CallID {
			return i + 1, nil
		}
	}
	if q.maxLen > 0 && len(list) >= q.maxLen {
		return 0, fmt.Errorf("enqueue to %s: %w", it.Queue, ErrQueueFull)
	}
	if it.EnqueuedAt.IsZero() {
		it.EnqueuedAt = q.now()
	}
	item := it
	// Priority first, then who has waited longest.
	pos := sort.Search(len(list), func(i int) bool {
		if list[i].Priority != item.Priority {
			return list[i].Priority < item.Priority
		}
		return list[i].EnqueuedAt.After(item.EnqueuedAt)
	})
	list = append(list, nil)
	copy(list[pos+1:], list[pos:])
	list[pos] = &item
	q.waiting[it.Queue] = list
	return pos + 1, nil
}

// Leave removes a call that hung up while waiting and records it as
// abandoned with its wait. It reports whether the call was queued.
func (q *Queues) Leave(callID string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for name, list := range q.waiting {
		for i, w := range list {
			if w.CallID != callID {
				continue
			}
			q.waiting[name] = append(list[:i:i], list[i+1:]...)
			q.abandoned = append(q.abandoned, Abandoned{Item: *w, Wait: q.now().Sub(w.EnqueuedAt)})
			return true
		}
	}
	return false
}

// QueueState is a snapshot of one queue.
type QueueState struct {
	Name    string `json:"name"`
	Waiting []Item `json:"waiting"`
}

// Snapshot returns every non-empty queue, by name.
func (q *Queues) Snapshot() []QueueState {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := []QueueState{}
	for name, list := range q.waiting {
		if len(list) == 0 {
			continue
		}
		s := QueueState{Name: name}
		for _, w := range list {
			s.Waiting = append(s.Waiting, *w)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// AbandonedCalls returns the calls that left a queue unanswered.
func (q *Queues) AbandonedCalls() []Abandoned {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]Abandoned(nil), q.abandoned...)
}

// Handler serves GET /api/queues.
func (q *Queues) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/queues", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"queues": q.Snapshot(), "abandoned": q.AbandonedCalls()})
	})
	return mux
}
