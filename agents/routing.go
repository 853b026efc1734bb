package agents

import (
	"sort"
	"time"
)

// AgentState is what an agent is doing.
type AgentState string

const (
	Available AgentState = "available"
	Busy      AgentState = "busy"
	WrapUp    AgentState = "wrap-up"
	Away      AgentState = "away"
)

// Agent is a person who takes calls, with skills ("lang:fi",
// "topic:billing") and a state; IdleSince orders available agents.
type Agent struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Skills    []string   `json:"skills"`
	State     AgentState `json:"state"`
	IdleSince time.Time  `json:"idle_since"`
	Call      string     `json:"call,omitempty"` // the call they are on
}

// Waiting is a call in a queue with the skills it needs.
type Waiting struct {
	Item
	Skills []string `json:"skills"` // all required, e.g. lang:fi, topic:nurse
	// Fallback are the skills required once the call has waited
	// FallbackAfter (a wider queue: e.g. only the language).
	Fallback []string `json:"fallback,omitempty"`
	// Callback is set when the caller chose to be called back instead of
	// waiting on the line: the entry keeps its place (EnqueuedAt) and its
	// priority, and is routed like any call, but its agent dials Number
	// instead of taking a live call. Number is personal data: shown to
	// staff, never logged above debug.
	Callback bool   `json:"callback,omitempty"`
	Number   string `json:"number,omitempty"`
}

// Assignment pairs a call with an agent.
type Assignment struct {
	CallID  string        `json:"call_id"`
	AgentID string        `json:"agent_id"`
	Wait    time.Duration `json:"wait_ns"`
	// Widened is true when the call was given to an agent with only its
	// fallback skills.
	Widened bool `json:"widened,omitempty"`
}

// Policy tunes routing.
type Policy struct {
	// FallbackAfter is how long a call waits for its full skills before
	// its fallback skills are enough (0: never widen).
	FallbackAfter time.Duration
}

// HasAll reports whether have holds every skill in want.
func HasAll(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if h == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Route assigns waiting calls to available agents: higher priority first,
// then the longest-waiting call, each to the longest-idle available agent
// who has its skills (or its fallback skills once it has waited long
// enough). It returns the assignments in order; calls and agents are not
// changed.
func Route(calls []Waiting, agents []Agent, now time.Time, p Policy) []Assignment {
	order := make([]int, len(calls))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ca, cb := calls[order[a]], calls[order[b]]
		if ca.Priority != cb.Priority {
			return ca.Priority > cb.Priority
		}
		return ca.EnqueuedAt.Before(cb.EnqueuedAt)
	})
	free := make([]int, 0, len(agents))
	for i, a := range agents {
		if a.State == Available {
			free = append(free, i)
		}
	}
	sort.SliceStable(free, func(a, b int) bool { return agents[free[a]].IdleSince.Before(agents[free[b]].IdleSince) })
	taken := make([]bool, len(agents))
	var out []Assignment
	for _, ci := range order {
		c := calls[ci]
		wait := now.Sub(c.EnqueuedAt)
		widen := p.FallbackAfter > 0 && wait >= p.FallbackAfter
		pick, widened := -1, false
		for _, ai := range free {
			if taken[ai] {
				continue
			}
			if HasAll(agents[ai].Skills, c.Skills) {
				pick = ai
				break
			}
		}
		if pick < 0 && widen {
			for _, ai := range free {
				if !taken[ai] && HasAll(agents[ai].Skills, c.Fallback) {
					pick, widened = ai, true
					break
				}
			}
		}
		if pick < 0 {
			continue
		}
		taken[pick] = true
		out = append(out, Assignment{CallID: c.CallID, AgentID: agents[pick].ID, Wait: wait, Widened: widened})
	}
	return out
}

// NextChange is when waiting calls next become routable to more agents
// (their fallback time), so a router knows when to look again without new
// events; zero when no call will widen.
func NextChange(calls []Waiting, now time.Time, p Policy) time.Time {
	var next time.Time
	if p.FallbackAfter <= 0 {
		return next
	}
	for _, c := range calls {
		at := c.EnqueuedAt.Add(p.FallbackAfter)
		if at.After(now) && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

// EstimatedWait guesses how long the call at 1-based position pos waits
// with n agents who can take it and an average handle time aht.
func EstimatedWait(pos, n int, aht time.Duration) time.Duration {
	if n <= 0 {
		n = 1
	}
	return time.Duration((pos+n-1)/n) * aht
}
