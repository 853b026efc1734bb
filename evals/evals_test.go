package evals

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/workflows"
)

// The example from the issue must stay accepted as the harness grows.
const issueExample = `id: booking-fi-001
language: fi                 # en | fi | sv | lv
caller: {number: "+358401234567"}        # optional
turns:                       # in order; each is a say or a dtmf, optionally with expectations for that turn
  - say: "Haluaisin varata ajan ensi tiistaille"
    expect: {intent: booking}
  - say: "Aamupäivä sopii"
  - dtmf: "1"
expect:                      # checked when the call ends
  route: booking             # self_service | booking | voicemail | handoff
  queue: nurses              # when route is handoff
  answer_cites: [opening-hours]          # article ids the bot's answers must cite
  answer_contains: ["8", "18"]           # text the bot's answers must contain
  booking: {status: confirmed}
  max_turn_latency_ms: 1500
tags: [booking]
`

func TestIssueExampleParses(t *testing.T) {
	s, err := Parse([]byte(issueExample), "example.yaml")
	if err != nil {
		t.Fatalf("the issue's example: %v", err)
	}
	if s.ID != "booking-fi-001" || s.Language != "fi" || s.Caller.Number != "+358401234567" || len(s.Turns) != 3 ||
		s.Turns[0].Expect.Intent != "booking" || s.Turns[2].DTMF != "1" || s.Expect.Route != "booking" || s.Expect.Queue != "nurses" ||
		s.Expect.Booking["status"] != "confirmed" || s.Expect.MaxTurnLatencyMS != 1500 || s.Tags[0] != "booking" ||
		strings.Join(s.Expect.AnswerContains, ",") != "8,18" || strings.Join(s.Expect.AnswerCites, ",") != "opening-hours" {
		t.Errorf("parsed %+v", s)
	}
}

func TestParseRejects(t *testing.T) {
	for name, c := range map[string]struct{ yaml, want string }{
		"typo":        {"id: a\nlanguage: en\nturns: [{say: hi}]\nexpect: {rout: handoff}\n", "rout"},
		"language":    {"id: a\nlanguage: de\nturns: [{say: hi}]\n", "language \"de\""},
		"no turns":    {"id: a\nlanguage: en\n", "no turns"},
		"both":        {"id: a\nlanguage: en\nturns: [{say: hi, dtmf: '1'}]\n", "exactly one"},
		"bad dtmf":    {"id: a\nlanguage: en\nturns: [{dtmf: x}]\n", "dtmf \"x\""},
		"bad intent":  {"id: a\nlanguage: en\nturns: [{say: hi, expect: {intent: dance}}]\n", "unknown intent"},
		"bad route":   {"id: a\nlanguage: en\nturns: [{say: hi}]\nexpect: {route: moon}\n", "expect.route"},
		"not yaml":    {"id: [\n", "yaml"},
		"missing id":  {"language: en\nturns: [{say: hi}]\n", "id is missing"},
		"empty say":   {"id: a\nlanguage: en\nturns: [{say: '  '}]\n", "exactly one"},
		"neg latency": {"id: a\nlanguage: en\nturns: [{say: hi}]\nexpect: {max_turn_latency_ms: -1}\n", "negative"},
	} {
		if _, err := Parse([]byte(c.yaml), name+".yaml"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want it to mention %q", name, err, c.want)
		}
	}
}

func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "en"), 0o755)
	os.WriteFile(filepath.Join(dir, "en", "a.yaml"), []byte("id: a\nlanguage: en\nturns: [{say: hi}]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "en", "b.yml"), []byte("id: b\nlanguage: en\nturns: [{dtmf: '0'}]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644)
	ss, err := Load([]string{dir})
	if err != nil || len(ss) != 2 || ss[0].ID != "a" {
		t.Fatalf("%v %v", ss, err)
	}
	os.WriteFile(filepath.Join(dir, "dup.yaml"), []byte("id: a\nlanguage: en\nturns: [{say: hi}]\n"), 0o644)
	if _, err := Load([]string{dir}); err == nil || !strings.Contains(err.Error(), "also used") {
		t.Errorf("duplicate id: %v", err)
	}
	if _, err := Load([]string{t.TempDir()}); err == nil {
		t.Error("empty directory accepted")
	}
}

// The shipped suite parses and is as large as the issue asks.
func TestShippedSuite(t *testing.T) {
	ss, err := Load([]string{"scenarios"})
	if err != nil {
		t.Fatal(err)
	}
	langs, tags := map[string]int{}, map[string]int{}
	for _, s := range ss {
		langs[s.Language]++
		for _, tg := range s.Tags {
			tags[tg]++
		}
	}
	if len(ss) < 120 || langs["en"] == 0 || langs["fi"] == 0 || langs["sv"] == 0 || langs["lv"] == 0 {
		t.Errorf("%d scenarios: %v", len(ss), langs)
	}
	for _, tg := range []string{"knowledge", "booking", "voicemail", "handoff", "urgent", "dtmf", "silence", "off-topic", "language-switch"} {
		if tags[tg] == 0 {
			t.Errorf("no scenario tagged %s (tags: %v)", tg, tags)
		}
	}
}

// scriptedBot answers from a table: enough to test what the runner checks
// and measures (the real bot runs in cmd/vastaa's tests).
type scriptedBot struct {
	decisions map[string]workflows.Decision // by text or dtmf
	ended     []string
}

func (b *scriptedBot) Start(ctx context.Context, in workflows.CallInput) error {
	if in.Language == "" {
		return errors.New("no language")
	}
	return nil
}
func (b *scriptedBot) Turn(ctx context.Context, id string, t workflows.TurnInput) (workflows.Decision, error) {
	key := t.Text + t.DTMF
	if t.Silence {
		key = "silence"
	}
	d, ok := b.decisions[key]
	if !ok {
		return workflows.Decision{}, errors.New("workflow failed")
	}
	return d, nil
}
func (b *scriptedBot) End(ctx context.Context, id, reason string) error {
	b.ended = append(b.ended, id)
	return nil
}

// intentTable classifies by exact text (English only).
type intentTable map[string]string

func (it intentTable) Name() string { return "table" }
func (it intentTable) Classify(ctx context.Context, text string, lang pipeline.Language) (pipeline.IntentResult, error) {
	if in, ok := it[text]; ok {
		return pipeline.IntentResult{Intent: pipeline.Intent(in), Confidence: 0.9}, nil
	}
	return pipeline.IntentResult{Intent: "unknown", Confidence: 0.2}, nil
}

func TestRunnerChecksAndMeasures(t *testing.T) {
	bot := &scriptedBot{decisions: map[string]workflows.Decision{
		"when are you open": {Route: "self_service", Reply: "We are open 8-18.", Citations: []string{"opening-hours"}},
		"what does it cost": {Route: "self_service", Reply: "A visit is 65 euros.", Citations: []string{"prices", "parking"}},
		"0":                 {Route: "handoff", Queue: "general", Reply: "Connecting you."},
		"silence":           {Reply: "Goodbye.", Hangup: true},
	}}
	r := &Runner{Bot: bot, RunID: "t", Parallel: 2}
	r.Understand.Intents = intentTable{"when are you open": "question", "what does it cost": "question"}
	sc := []Scenario{
		{ID: "ok", Language: "en", Tags: []string{"knowledge"}, Turns: []Turn{{Say: "when are you open", Expect: &TurnExpect{Intent: "question"}}},
			Expect: Expect{Route: "self_service", AnswerCites: []string{"opening-hours"}, AnswerContains: []string{"8-18"}}},
		{ID: "wrong-cite", Language: "en", Turns: []Turn{{Say: "what does it cost", Expect: &TurnExpect{Intent: "booking"}}},
			Expect: Expect{Route: "self_service", AnswerCites: []string{"prices"}, AnswerContains: []string{"70 euros"}}},
		{ID: "handoff", Language: "fi", Turns: []Turn{{DTMF: "0"}}, Expect: Expect{Route: "handoff", Queue: "urgent"}},
		{ID: "hangup", Language: "sv", Turns: []Turn{{Silence: true}, {DTMF: "0"}}, Expect: Expect{Route: "voicemail"}},
		{ID: "broken", Language: "lv", Turns: []Turn{{Say: "nobody knows this"}}},
	}
	res := r.Run(context.Background(), sc)
	want := map[string][]string{
		"ok":         nil,
		"wrong-cite": {"turn 1: intent question", "no answer contains \"70 euros\""},
		"handoff":    {"queue general, want urgent"},
		"hangup":     {"turn 2: the bot had already hung up", "route (none), want voicemail"},
	}
	for _, x := range res {
		if x.ID == "broken" {
			if x.Passed || !strings.Contains(x.Error, "workflow failed") {
				t.Errorf("broken: %+v", x)
			}
			continue
		}
		if x.Passed != (len(want[x.ID]) == 0) {
			t.Errorf("%s passed=%v: %v", x.ID, x.Passed, x.Failures)
		}
		for _, w := range want[x.ID] {
			if !strings.Contains(strings.Join(x.Failures, "|"), w) {
				t.Errorf("%s: failures %q lack %q", x.ID, x.Failures, w)
			}
		}
	}
	m := Measure(res)
	check := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || abs(*got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, deref(got), want)
		}
	}
	check("task success", m.Success, 1.0/5)
	check("intent accuracy", m.IntentAccuracy, 1.0/2)
	check("route accuracy", m.RouteAccuracy, 3.0/4)
	check("containment", m.Containment, 4.0/5)
	check("handoff correctness", m.HandoffCorrectness, 4.0/4)
	check("citation precision", m.CitationPrecision, 2.0/3) // opening-hours, prices ok; parking not asked for
	check("answer correctness", m.AnswerCorrectness, 1.0/2)
	if m.Confusion["booking"]["question"] != 1 || m.Confusion["question"]["question"] != 1 {
		t.Errorf("confusion %v", m.Confusion)
	}
	if m.WordErrorRate != nil {
		t.Error("WER in text mode")
	}
	if len(bot.ended) != 4 || !slices.Contains(bot.ended, "eval-t-hangup") { // every call is ended, the hung-up one too; the broken one errored
		t.Errorf("ended %v", bot.ended)
	}

	rep := NewReport("t1", "text", time.Now(), time.Second, res)
	if rep.ByLanguage["en"].Scenarios != 2 || rep.ByTag["knowledge"].Scenarios != 1 || rep.PerSecond != 5 {
		t.Errorf("groups %+v %+v", rep.ByLanguage, rep.ByTag)
	}
	var html, js bytes.Buffer
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`id="summary"`, `id="confusion"`, `id="latency-histogram"`, `id="s-wrong-cite"`, "what does it cost", "no answer contains"} {
		if !strings.Contains(html.String(), s) {
			t.Errorf("HTML lacks %q", s)
		}
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	os.WriteFile(path, js.Bytes(), 0o644)
	back, err := ReadReport(path)
	if err != nil || len(back.Results) != 5 || *back.Summary.Success != 0.2 {
		t.Fatalf("round trip: %v", err)
	}

	// Compare: fix one scenario in B, break another.
	b := back
	b.RunID = "t2"
	b.Results = append([]Result(nil), back.Results...)
	for i := range b.Results {
		switch b.Results[i].ID {
		case "handoff":
			b.Results[i].Passed = true
		case "ok":
			b.Results[i].Passed = false
		}
	}
	c := Compare(back, b)
	if strings.Join(c.Regressed, ",") != "ok" || strings.Join(c.Improved, ",") != "handoff" {
		t.Errorf("compare %+v", c)
	}
	var out bytes.Buffer
	c.WriteText(&out)
	if !strings.Contains(out.String(), "regressed") || !strings.Contains(out.String(), "task success") {
		t.Errorf("compare text:\n%s", out.String())
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestWordErrorRate(t *testing.T) {
	for _, c := range []struct {
		said, heard string
		want        float64
	}{
		{"What are your opening hours?", "what are your opening hours", 0},
		{"What are your opening hours?", "what are your open on hours", 0.4}, // one substitution, one insertion
		{"hello there", "", 1},
		{"", "", 0},
		{"Milloin olette auki?", "milloin olette", 1.0 / 3},
	} {
		if got := WordErrorRate(c.said, c.heard); abs(got-c.want) > 1e-9 {
			t.Errorf("WER(%q, %q) = %v, want %v", c.said, c.heard, got, c.want)
		}
	}
}
