package evals

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/workflows"
)

// Bot is the call workflow as the runner drives it (workflows.Decider).
type Bot interface {
	Start(ctx context.Context, in workflows.CallInput) error
	Turn(ctx context.Context, callID string, t workflows.TurnInput) (workflows.Decision, error)
	End(ctx context.Context, callID, reason string) error
}

// Runner plays scenarios in text mode: each "say" goes to language
// identification and intent classification as if speech recognition had
// heard it exactly, then to the call workflow.
type Runner struct {
	Bot        Bot
	Understand pipeline.Understanding
	// Parallel scenarios at once (default 4).
	Parallel int
	// Progress is told after each scenario.
	Progress func(done, total int, r Result)
	// RunID names the calls (eval-<run>-<scenario>).
	RunID string
}

// Result is one scenario's outcome.
type Result struct {
	ID       string       `json:"id"`
	Language string       `json:"language"`
	Tags     []string     `json:"tags,omitempty"`
	File     string       `json:"file,omitempty"`
	Passed   bool         `json:"passed"`
	Failures []string     `json:"failures,omitempty"`
	Turns    []TurnResult `json:"turns"`
	Route    string       `json:"route,omitempty"`
	Queue    string       `json:"queue,omitempty"`
	HungUp   bool         `json:"hung_up,omitempty"`
	Expect   Expect       `json:"expect,omitzero"`
	Error    string       `json:"error,omitempty"`
	Millis   float64      `json:"ms"`
}

// TurnResult is what happened in one turn.
type TurnResult struct {
	Say              string   `json:"say,omitempty"`
	DTMF             string   `json:"dtmf,omitempty"`
	Silence          bool     `json:"silence,omitempty"`
	Language         string   `json:"language,omitempty"`
	Intent           string   `json:"intent,omitempty"`
	IntentConfidence float64  `json:"intent_confidence,omitempty"`
	ExpectIntent     string   `json:"expect_intent,omitempty"`
	Route            string   `json:"route,omitempty"`
	Queue            string   `json:"queue,omitempty"`
	Reason           string   `json:"reason,omitempty"`
	Reply            string   `json:"reply"`
	Citations        []string `json:"citations,omitempty"`
	// Stage timings in milliseconds: understanding (language + intent),
	// the decision round trip (retrieval inside), retrieval alone, total.
	UnderstandMS float64 `json:"understand_ms"`
	DecisionMS   float64 `json:"decision_ms"`
	RetrievalMS  float64 `json:"retrieval_ms"`
	TotalMS      float64 `json:"total_ms"`
	// Audio mode only: what speech recognition heard, its word error
	// rate against the script, and the speech stages.
	Booking       *TurnBooking `json:"booking,omitempty"`
	Heard         string       `json:"heard,omitempty"`
	WordErrorRate *float64     `json:"wer,omitempty"`
	EndpointingMS float64      `json:"endpointing_ms,omitempty"`
	STTMS         float64      `json:"stt_ms,omitempty"`
	TTSMS         float64      `json:"tts_ms,omitempty"`
}

// WordErrorRate is the word-level edit distance between what was said and
// what was heard, over the number of words said (case and punctuation
// ignored).
func WordErrorRate(said, heard string) float64 {
	a, b := normWords(said), normWords(heard)
	if len(a) == 0 {
		if len(b) == 0 {
			return 0
		}
		return 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return float64(prev[len(b)]) / float64(len(a))
}

func normWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' })
}

// Run plays every scenario and returns the results in the scenarios' order.
func (r *Runner) Run(ctx context.Context, scenarios []Scenario) []Result {
	par := r.Parallel
	if par <= 0 {
		par = 4
	}
	return RunEach(scenarios, par, func(s Scenario) Result { return r.one(ctx, s) }, r.Progress)
}

// RunEach plays scenarios with play, parallel at a time, and returns the
// results in the scenarios' order; progress (may be nil) is told after each.
// Text and audio mode share it.
func RunEach(scenarios []Scenario, parallel int, play func(Scenario) Result, progress func(done, total int, r Result)) []Result {
	out := make([]Result, len(scenarios))
	var mu sync.Mutex
	done := 0
	sem := make(chan struct{}, max(1, parallel))
	var wg sync.WaitGroup
	for i := range scenarios {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res := play(scenarios[i])
			out[i] = res
			mu.Lock()
			done++
			if progress != nil {
				progress(done, len(scenarios), res)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

func (r *Runner) one(ctx context.Context, s Scenario) (res Result) {
	start := time.Now()
	res = Result{ID: s.ID, Language: s.Language, Tags: s.Tags, File: s.File, Expect: s.Expect}
	callID := fmt.Sprintf("eval-%s-%s", r.RunID, s.ID)
	fail := func(f string, a ...any) { res.Failures = append(res.Failures, fmt.Sprintf(f, a...)) }
	defer func() {
		res.Passed = len(res.Failures) == 0 && res.Error == ""
		res.Millis = float64(time.Since(start).Microseconds()) / 1000
	}()
	if err := r.Bot.Start(ctx, workflows.CallInput{CallID: callID, Caller: s.Caller.Number, Language: s.Language}); err != nil {
		res.Error = "starting the call: " + err.Error()
		return res
	}
	current := pipeline.Language(s.Language)
	for i, t := range s.Turns {
		if res.HungUp {
			fail("turn %d: the bot had already hung up", i+1)
			break
		}
		tr := TurnResult{Say: t.Say, DTMF: t.DTMF, Silence: t.Silence}
		in := workflows.TurnInput{DTMF: t.DTMF, Silence: t.Silence}
		t0 := time.Now()
		if strings.TrimSpace(t.Say) != "" {
			u, err := r.Understand.Understand(ctx, t.Say, "", current)
			if err != nil {
				res.Error = fmt.Sprintf("turn %d: %v", i+1, err)
				return res
			}
			current = u.Language
			in.Text, in.Language = t.Say, string(u.Language)
			in.Intent, in.IntentConfidence = string(u.Intent.Intent), u.Intent.Confidence
			tr.Language, tr.Intent, tr.IntentConfidence = in.Language, in.Intent, in.IntentConfidence
		}
		t1 := time.Now()
		d, err := r.Bot.Turn(ctx, callID, in)
		t2 := time.Now()
		if err != nil {
			res.Error = fmt.Sprintf("turn %d: %v", i+1, err)
			return res
		}
		tr.Route, tr.Queue, tr.Reason, tr.Reply, tr.Citations = string(d.Route), d.Queue, d.Reason, d.Reply, d.Citations
		if b := d.Booking; b != nil {
			tr.Booking = &TurnBooking{Action: b.Action, Service: b.Booking.Service, Resource: b.Booking.Resource, Start: b.Booking.Start}
		}
		tr.UnderstandMS = ms(t1.Sub(t0))
		tr.DecisionMS = ms(t2.Sub(t1))
		tr.RetrievalMS = d.RetrievalMS
		tr.TotalMS = ms(t2.Sub(t0))
		res.Turns = append(res.Turns, tr)
		res.Route, res.Queue = tr.Route, tr.Queue
		res.HungUp = d.Hangup
	}
	// The call ends either way, as the call flow ends it after a real
	// call: a caller the bot said goodbye to while queued leaves the queue.
	reason := "eval-done"
	if res.HungUp {
		reason = "bot-hangup"
	}
	if err := r.Bot.End(ctx, callID, reason); err != nil {
		res.Error = "ending the call: " + err.Error()
	}
	Check(s, &res)
	return res
}

// Check compares what happened (res.Turns, one per scripted turn, and the
// final route) with what the scenario expects, adding failures. Both modes
// use it.
func Check(s Scenario, res *Result) {
	fail := func(f string, a ...any) { res.Failures = append(res.Failures, fmt.Sprintf(f, a...)) }
	for i := range res.Turns {
		tr := &res.Turns[i]
		if i >= len(s.Turns) {
			break
		}
		if e := s.Turns[i].Expect; e != nil {
			tr.ExpectIntent = e.Intent
			if e.Intent != "" && tr.Intent != e.Intent {
				fail("turn %d: intent %s (%.2f), want %s", i+1, orNone(tr.Intent), tr.IntentConfidence, e.Intent)
			}
			if e.Route != "" && tr.Route != e.Route {
				fail("turn %d: route %s, want %s", i+1, orNone(tr.Route), e.Route)
			}
			if e.Language != "" && tr.Language != e.Language {
				fail("turn %d: language %s, want %s", i+1, orNone(tr.Language), e.Language)
			}
		}
		if max := s.Expect.MaxTurnLatencyMS; max > 0 && tr.TotalMS > max {
			fail("turn %d took %.0f ms, more than %.0f", i+1, tr.TotalMS, max)
		}
	}
	e := s.Expect
	if e.Route != "" && res.Route != e.Route {
		fail("route %s, want %s", orNone(res.Route), e.Route)
	}
	if e.Queue != "" && res.Queue != e.Queue {
		fail("queue %s, want %s", orNone(res.Queue), e.Queue)
	}
	res.Failures = append(res.Failures, answerFailures(e, res.Turns)...)
	res.Failures = append(res.Failures, bookingFailures(e.Booking, res.Turns)...)
}

// TurnBooking is an appointment a turn booked, moved or cancelled.
type TurnBooking struct {
	Action   string    `json:"action"` // booked | moved | cancelled
	Service  string    `json:"service"`
	Resource string    `json:"resource"`
	Start    time.Time `json:"start"`
}

// bookingKeys are what expect.booking may ask of the call's last booking
// change: status (confirmed: booked or moved; cancelled), action, service,
// resource.
var bookingKeys = map[string]bool{"status": true, "action": true, "service": true, "resource": true}

func bookingFailures(want map[string]any, turns []TurnResult) []string {
	if len(want) == 0 {
		return nil
	}
	var last *TurnBooking
	for i := range turns {
		if turns[i].Booking != nil {
			last = turns[i].Booking
		}
	}
	if last == nil {
		return []string{"no appointment was booked, moved or cancelled"}
	}
	got := map[string]string{"action": last.Action, "service": last.Service, "resource": last.Resource, "status": "confirmed"}
	if last.Action == "cancelled" {
		got["status"] = "cancelled"
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if w := fmt.Sprint(want[k]); got[k] != w {
			out = append(out, fmt.Sprintf("booking %s %s, want %s", k, orNone(got[k]), w))
		}
	}
	return out
}

// answerFailures says which of the answer expectations (citations, text)
// the bot's answers did not meet.
func answerFailures(e Expect, turns []TurnResult) []string {
	var out []string
	var cited []string
	var replies strings.Builder
	for _, t := range turns {
		cited = append(cited, t.Citations...)
		if len(t.Citations) > 0 {
			replies.WriteString(t.Reply + "\n")
		}
	}
	for _, id := range e.AnswerCites {
		if !slices.Contains(cited, id) {
			out = append(out, fmt.Sprintf("no answer cites %s (cited: %s)", id, orNone(strings.Join(cited, ", "))))
		}
	}
	for _, want := range e.AnswerContains {
		if !strings.Contains(strings.ToLower(replies.String()), strings.ToLower(want)) {
			out = append(out, fmt.Sprintf("no answer contains %q", want))
		}
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
