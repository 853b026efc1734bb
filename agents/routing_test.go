package agents

import (
	"fmt"
	"testing"
	"time"
)

func TestRoute(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	call := func(id string, prio int, waitedS int, skills, fallback []string) Waiting {
		return Waiting{Item: Item{CallID: id, Priority: prio, EnqueuedAt: t0.Add(-time.Duration(waitedS) * time.Second)}, Skills: skills, Fallback: fallback}
	}
	agent := func(id string, state AgentState, idleS int, skills ...string) Agent {
		return Agent{ID: id, State: state, IdleSince: t0.Add(-time.Duration(idleS) * time.Second), Skills: skills}
	}
	callback := func(w Waiting) Waiting { w.Callback, w.Number = true, "+358401234567"; return w }
	fi, sv := []string{"lang:fi"}, []string{"lang:sv"}
	fiNurse := []string{"lang:fi", "topic:nurse"}
	cases := []struct {
		name   string
		calls  []Waiting
		agents []Agent
		policy Policy
		want   string
	}{
		{"longest wait to longest idle",
			[]Waiting{call("c1", 0, 10, fi, nil), call("c2", 0, 30, fi, nil)},
			[]Agent{agent("a1", Available, 5, "lang:fi"), agent("a2", Available, 50, "lang:fi")},
			Policy{}, "c2>a2 c1>a1"},
		{"priority before wait",
			[]Waiting{call("old", 0, 300, fi, nil), call("urgent", 10, 1, fi, nil)},
			[]Agent{agent("a1", Available, 5, "lang:fi")},
			Policy{}, "urgent>a1"},
		{"skills must match; busy, wrap-up and away agents take nothing",
			[]Waiting{call("c1", 0, 10, sv, nil), call("c2", 0, 5, fiNurse, nil)},
			[]Agent{agent("a1", Busy, 100, "lang:sv"), agent("a2", WrapUp, 100, "lang:sv"), agent("a3", Away, 100, "lang:fi", "topic:nurse"), agent("a4", Available, 1, "lang:fi")},
			Policy{}, ""},
		{"fallback after the timeout widens the queue",
			[]Waiting{call("c1", 0, 61, fiNurse, fi), call("c2", 0, 59, fiNurse, fi)},
			[]Agent{agent("a1", Available, 10, "lang:fi"), agent("a2", Available, 5, "lang:fi")},
			Policy{FallbackAfter: time.Minute}, "c1>a1*"},
		{"a full match is preferred to widening",
			[]Waiting{call("c1", 0, 120, fiNurse, fi)},
			[]Agent{agent("a1", Available, 100, "lang:fi"), agent("a2", Available, 1, "lang:fi", "topic:nurse")},
			Policy{FallbackAfter: time.Minute}, "c1>a2"},
		{"a callback keeps its place among live calls",
			[]Waiting{call("live", 0, 20, fi, nil), callback(call("cb", 0, 30, fi, nil))},
			[]Agent{agent("a1", Available, 5, "lang:fi")},
			Policy{}, "cb>a1"},
	}
	for _, c := range cases {
		got := ""
		for _, a := range Route(c.calls, c.agents, t0, c.policy) {
			w := ""
			if a.Widened {
				w = "*"
			}
			got += fmt.Sprintf(" %s>%s%s", a.CallID, a.AgentID, w)
		}
		if len(got) > 0 {
			got = got[1:]
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// Fallback is re-checked when the first call's minute is up.
	next := NextChange([]Waiting{call("c1", 0, 50, fiNurse, fi), call("c2", 0, 20, fiNurse, fi)}, t0, Policy{FallbackAfter: time.Minute})
	if !next.Equal(t0.Add(10 * time.Second)) {
		t.Errorf("next change %v", next)
	}
	if d := EstimatedWait(7, 3, 4*time.Minute); d != 12*time.Minute {
		t.Errorf("estimated wait %v", d)
	}
}

func BenchmarkRoute200Calls50Agents(b *testing.B) {
	t0 := time.Now()
	var calls []Waiting
	for i := 0; i < 200; i++ {
		calls = append(calls, Waiting{Item: Item{CallID: fmt.Sprint(i), Priority: i % 3, EnqueuedAt: t0.Add(-time.Duration(i) * time.Second)},
			Skills: []string{[]string{"lang:fi", "lang:sv", "lang:en", "lang:lv"}[i%4]}})
	}
	var agents []Agent
	for i := 0; i < 50; i++ {
		agents = append(agents, Agent{ID: fmt.Sprint(i), State: Available, IdleSince: t0.Add(-time.Duration(i) * time.Second),
			Skills: []string{[]string{"lang:fi", "lang:sv", "lang:en", "lang:lv"}[i%4], "lang:en"}})
	}
	for b.Loop() {
		if n := len(Route(calls, agents, t0, Policy{})); n != 50 {
			b.Fatalf("%d assignments", n)
		}
	}
}
