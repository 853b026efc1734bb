package workflows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
)

type fakeKB struct{ fail bool }

func (k fakeKB) Answer(ctx context.Context, q, lang string) (Answer, error) {
	if k.fail {
		return Answer{}, errors.New("kb down")
	}
	if strings.Contains(q, "hours") || strings.Contains(q, "auki") {
		return Answer{Text: "We are open 8-18.", Citations: []string{"opening-hours"}, Confidence: 0.8, Found: true}, nil
	}
	return Answer{Confidence: 0.1}, nil
}

type fakeQueues struct {
	full bool
	got  []Handoff
}

func (q *fakeQueues) Enqueue(ctx context.Context, h Handoff) (int, error) {
	if q.full {
		return 0, fmt.Errorf("general: %w", ErrQueueFull)
	}
	q.got = append(q.got, h)
	return len(q.got), nil
}

type updateResult struct {
	d   Decision
	err error
}

type recorder struct {
	res *updateResult
}

func (r recorder) Accept()          {}
func (r recorder) Reject(err error) { r.res.err = err }
func (r recorder) Complete(v any, err error) {
	if err != nil {
		r.res.err = err
		return
	}
	r.res.d = v.(Decision)
}

// runCall plays turns one second apart through the workflow and returns
// the decisions and the result.
func runCall(t *testing.T, kb fakeKB, q *fakeQueues, lang string, turns ...TurnInput) ([]updateResult, CallResult) {
	t.Helper()
	return runCallWith(t, &Activities{Knowledge: kb, Queues: q}, lang, turns...)
}

// runCallWith is runCall with any activities.
func runCallWith(t *testing.T, acts *Activities, lang string, turns ...TurnInput) ([]updateResult, CallResult) {
	t.Helper()
	env := newEnv()
	env.RegisterActivity(acts)
	results := make([]updateResult, len(turns))
	for i, turn := range turns {
		i, turn := i, turn
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(UpdateTurn, fmt.Sprint(i), recorder{&results[i]}, turn)
		}, time.Duration(i+1)*time.Second)
	}
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalHangup, "caller-hangup")
	}, time.Duration(len(turns)+1)*time.Second)
	env.ExecuteWorkflow(CallWorkflow, CallInput{CallID: "c1", Caller: "+358401234567", Language: lang})
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	var res CallResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return results, res
}

func say1(text, intent string, conf float64) TurnInput {
	return TurnInput{Text: text, Language: "en", Intent: intent, IntentConfidence: conf}
}

func TestCallWorkflowBranches(t *testing.T) {
	type want struct {
		route  Route
		reason string
		hangup bool
		queue  string
	}
	cases := []struct {
		name  string
		kb    fakeKB
		full  bool
		turns []TurnInput
		want  []want
	}{
		{"question answered", fakeKB{}, false,
			[]TurnInput{say1("what are your opening hours", "question", 0.9)},
			[]want{{RouteSelfService, "answered", false, ""}}},
		{"unknown answer, offer accepted", fakeKB{}, false,
			[]TurnInput{say1("what is the meaning of life", "question", 0.9), say1("yes", "yes", 0.9)},
			[]want{{RouteNone, "no-answer", false, ""}, {RouteHandoff, "handoff:accepted the offer of a person", false, "general"}}},
		{"unknown answer, offer declined", fakeKB{}, false,
			[]TurnInput{say1("what is the meaning of life", "question", 0.9), say1("no", "no", 0.9)},
			[]want{{RouteNone, "no-answer", false, ""}, {RouteNone, "declined-person", false, ""}}},
		{"knowledge base down", fakeKB{fail: true}, false,
			[]TurnInput{say1("what are your opening hours", "question", 0.9)},
			[]want{{RouteNone, "retrieval-failed", false, ""}}},
		{"dtmf 0", fakeKB{}, false,
			[]TurnInput{{DTMF: "0"}},
			[]want{{RouteHandoff, "handoff:pressed 0", false, "general"}}},
		{"dtmf 1 and 2", fakeKB{}, false,
			[]TurnInput{{DTMF: "1"}, {DTMF: "2"}, {DTMF: "7"}},
			[]want{{RouteBooking, "dtmf-1:error", false, ""}, {RouteVoicemail, "dtmf-2", false, ""}, {RouteVoicemail, "dtmf-unknown", false, ""}}},
		{"asks for a person", fakeKB{}, false,
			[]TurnInput{say1("i want to talk to a person", "human", 0.95)},
			[]want{{RouteHandoff, "handoff:caller asked for a person", false, "general"}}},
		{"urgent", fakeKB{}, false,
			[]TurnInput{say1("it is an emergency", "urgent", 0.9)},
			[]want{{RouteHandoff, "handoff:urgent matter", false, "urgent"}}},
		{"queue full", fakeKB{}, true,
			[]TurnInput{say1("a person please", "human", 0.9)},
			[]want{{RouteVoicemail, "queue-full", false, ""}}},
		{"silence twice", fakeKB{}, false,
			[]TurnInput{{Silence: true}, {Silence: true}},
			[]want{{RouteNone, "silence-1", false, ""}, {RouteNone, "silence-2", true, ""}}},
		{"silence broken by speech resets", fakeKB{}, false,
			[]TurnInput{{Silence: true}, say1("what are your opening hours", "question", 0.9), {Silence: true}},
			[]want{{RouteNone, "silence-1", false, ""}, {RouteSelfService, "answered", false, ""}, {RouteSelfService, "silence-1", false, ""}}},
		{"not understood twice", fakeKB{}, false,
			[]TurnInput{say1("blah", "unknown", 0.1), say1("hmm", "question", 0.2), say1("yes", "yes", 0.9)},
			[]want{{RouteNone, "not-understood", false, ""}, {RouteNone, "not-understood-2", false, ""}, {RouteHandoff, "handoff:accepted the offer of a person", false, "general"}}},
		{"not recognised, but the knowledge base answers", fakeKB{}, false,
			[]TurnInput{say1("hours on sunday then", "unknown", 0.2), say1("blah", "unknown", 0.1)},
			[]want{{RouteSelfService, "answered-unclassified", false, ""}, {RouteSelfService, "not-understood", false, ""}}},
		{"booking desk missing, voicemail", fakeKB{}, false,
			[]TurnInput{say1("book", "booking", 0.9), say1("move", "reschedule", 0.9), say1("cancel", "cancel", 0.9), say1("message", "voicemail", 0.9)},
			[]want{{RouteBooking, "booking:error", false, ""}, {RouteBooking, "reschedule:error", false, ""}, {RouteBooking, "cancel:error", false, ""}, {RouteVoicemail, "voicemail", false, ""}}},
		{"goodbye", fakeKB{}, false,
			[]TurnInput{say1("bye", "goodbye", 0.9)},
			[]want{{RouteNone, "goodbye", true, ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := &fakeQueues{full: tc.full}
			got, res := runCall(t, tc.kb, q, "en", tc.turns...)
			for i, w := range tc.want {
				g := got[i]
				if g.err != nil {
					t.Fatalf("turn %d: %v", i, g.err)
				}
				if g.d.Route != w.route || g.d.Reason != w.reason || g.d.Hangup != w.hangup || g.d.Queue != w.queue || g.d.Reply == "" {
					t.Errorf("turn %d: got route %q reason %q hangup %v queue %q reply %q; want %+v",
						i, g.d.Route, g.d.Reason, g.d.Hangup, g.d.Queue, g.d.Reply, w)
				}
			}
			if res.Turns != len(tc.turns) || res.EndReason != "caller-hangup" {
				t.Errorf("result %+v", res)
			}
		})
	}
}

func TestCallWorkflowAnswerCitesAndHandoffCarriesSummary(t *testing.T) {
	q := &fakeQueues{}
	got, res := runCall(t, fakeKB{}, q, "en",
		say1("what are your opening hours", "question", 0.9),
		say1("i want to talk to a person", "human", 0.9))
	if c := got[0].d.Citations; len(c) != 1 || c[0] != "opening-hours" || !strings.Contains(got[0].d.Reply, "8-18") {
		t.Fatalf("answer %+v", got[0].d)
	}
	if !strings.Contains(got[1].d.Reply, "number 1") {
		t.Errorf("handoff reply %q does not give the position", got[1].d.Reply)
	}
	if len(q.got) != 1 {
		t.Fatalf("enqueued %d", len(q.got))
	}
	h := q.got[0]
	if h.CallID != "c1" || h.Language != "en" || h.Intent != "human" || !strings.Contains(h.Summary, "opening-hours") {
		t.Errorf("handoff %+v", h)
	}
	if len(h.Transcript) < 3 || !strings.Contains(strings.Join(h.Transcript, "\n"), "what are your opening hours") {
		t.Errorf("transcript %v", h.Transcript)
	}
	if res.Route != RouteHandoff || res.Queue != "general" {
		t.Errorf("result %+v", res)
	}
}

func TestCallWorkflowFollowsCallerLanguage(t *testing.T) {
	got, _ := runCall(t, fakeKB{}, &fakeQueues{}, "en",
		TurnInput{Text: "milloin olette auki", Language: "fi", Intent: "question", IntentConfidence: 0.9},
		TurnInput{Text: "hej då", Language: "sv", Intent: "goodbye", IntentConfidence: 0.9},
		TurnInput{Silence: true}) // no language: stays Swedish
	if got[0].d.Language != "fi" || !strings.Contains(got[0].d.Reply, "Voinko auttaa") {
		t.Errorf("fi: %+v", got[0].d)
	}
	if got[1].d.Language != "sv" || got[1].d.Reply != prompts["sv"][pGoodbye] {
		t.Errorf("sv: %+v", got[1].d)
	}
	if got[2].d.Language != "sv" {
		t.Errorf("silence turn switched language: %+v", got[2].d)
	}
}

func TestCallWorkflowEndsAfterMaxDuration(t *testing.T) {
	env := newEnv()
	env.RegisterActivity(&Activities{})
	env.ExecuteWorkflow(CallWorkflow, CallInput{CallID: "c3"})
	var res CallResult
	if err := env.GetWorkflowResult(&res); err != nil || res.EndReason != "max-duration" {
		t.Fatalf("result %+v err %v", res, err)
	}
}

// newEnv makes a test environment that logs only warnings.
func newEnv() *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	return s.NewTestWorkflowEnvironment()
}
