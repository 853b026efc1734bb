package callback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
)

// scriptedDialer answers the attempts of a call from a script, one outcome
// per attempt, and remembers what it was asked.
type scriptedDialer struct {
	mu       sync.Mutex
	script   []Outcome
	attempts []Attempt
}

func (d *scriptedDialer) Dial(ctx context.Context, a Attempt) (Outcome, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.attempts = append(d.attempts, a)
	if err := CheckNumber(a.Number); err != nil {
		return Failed, err
	}
	out := Failed
	if i := len(d.attempts) - 1; i < len(d.script) {
		out = d.script[i]
	}
	if out == Answered {
		return out, nil
	}
	return out, fmt.Errorf("attempt %d: %s", a.Attempt, out)
}

func TestCallbackWorkflow(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		number   string
		script   []Outcome
		status   Status
		outcomes string
		dials    int
	}{
		{"answered first attempt", "+358401234567", []Outcome{Answered}, Connected, "answered", 1},
		{"busy then answered", "+358401234567", []Outcome{Busy, Answered}, Connected, "busy answered", 2},
		{"every attempt fails", "0401234567", []Outcome{Busy, NoAnswer, Rejected}, Unanswered, "busy no-answer rejected", 3},
		{"invalid number is not retried", "040-123 4567", nil, Unanswered, "failed", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			s.SetLogger(tlog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
			env := s.NewTestWorkflowEnvironment()
			env.SetStartTime(t0)
			d := &scriptedDialer{script: tc.script}
			Register(env, &Activities{Dialer: d})
			env.ExecuteWorkflow(CallbackWorkflow, Input{CallID: "c1", Number: tc.number, Language: "fi", AgentID: "a1"})
			var res Result
			if err := env.GetWorkflowResult(&res); err != nil {
				t.Fatal(err)
			}
			var outs []string
			for i, a := range res.Attempts {
				outs = append(outs, string(a.Outcome))
				if a.Attempt != i+1 {
					t.Errorf("attempt %d numbered %d", i+1, a.Attempt)
				}
				// Attempts are RetryDelay apart on the workflow clock.
				if want := t0.Add(time.Duration(i) * DefaultRetryDelay); !a.At.Equal(want) {
					t.Errorf("attempt %d at %v, want %v", i+1, a.At, want)
				}
			}
			if res.Status != tc.status || strings.Join(outs, " ") != tc.outcomes || len(d.attempts) != tc.dials {
				t.Errorf("status %q outcomes %q dials %d, want %q %q %d", res.Status, outs, len(d.attempts), tc.status, tc.outcomes, tc.dials)
			}
			if d.attempts[0].Prompt != Prompt("fi") || d.attempts[0].AgentID != "a1" {
				t.Errorf("first attempt %+v", d.attempts[0])
			}
		})
	}
}

// A dialer that hangs past the attempt timeout counts as a failed attempt,
// and the next attempt still comes.
func TestCallbackAttemptTimeout(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(tlog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	Register(env, &Activities{Dialer: dialFunc(func(ctx context.Context, a Attempt) (Outcome, error) {

		if a.Attempt == 1 {
			<-ctx.Done()
			return Failed, ctx.Err()
		}
		return Answered, nil
	})})
	env.SetTestTimeout(30 * time.Second)
	env.ExecuteWorkflow(CallbackWorkflow, Input{CallID: "c1", Number: "112", AttemptTimeout: 200 * time.Millisecond, RetryDelay: time.Second})
	var res Result
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Status != Connected || len(res.Attempts) != 2 || res.Attempts[0].Outcome != Failed || !strings.Contains(res.Attempts[0].Detail, "dial attempt") {
		t.Errorf("result %+v", res)
	}
}

func TestCheckNumber(t *testing.T) {
	for _, n := range []string{"112", "+358401234567", "0401234567", "123456789012345"} {
		if err := CheckNumber(n); err != nil {
			t.Errorf("%q: %v", n, err)
		}
	}
	for _, n := range []string{"", "+", "12", "040 123", "+358-40", "1234567890123456", "sip:x@y", "++358401234567", "040123456a"} {
		err := CheckNumber(n)
		if !errors.Is(err, ErrInvalidNumber) {
			t.Errorf("%q accepted: %v", n, err)
		} else if len(n) > 3 && strings.Contains(err.Error(), n) {
			t.Errorf("%q: the error repeats the number: %v", n, err)
		}
	}
}

func TestPromptLanguages(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range []string{"en", "fi", "sv", "lv"} {
		p := Prompt(l)
		if p == "" || seen[p] {
			t.Errorf("%s prompt %q", l, p)
		}
		seen[p] = true
	}
	if Prompt("xx") != Prompt("en") {
		t.Error("unknown language does not fall back to English")
	}
}

type dialFunc func(ctx context.Context, a Attempt) (Outcome, error)

func (f dialFunc) Dial(ctx context.Context, a Attempt) (Outcome, error) { return f(ctx, a) }
