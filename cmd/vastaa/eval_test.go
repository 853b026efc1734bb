package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vastaa/vastaa/evals"
)

// TestEvalSuiteTextMode is the CI gate: the shipped scenarios, in text
// mode, against the whole running bot (embedded Temporal, knowledge base,
// language identification, intents). Task success must stay at or above
// evals/gate.yaml. The reports it writes are then checked in a real
// headless Chromium.
func TestEvalSuiteTextMode(t *testing.T) {
	a := runningApp(t)
	gate, err := evals.ReadGate("../../evals/gate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	scenarios, err := evals.Load([]string{"../../evals/scenarios"})
	if err != nil {
		t.Fatal(err)
	}
	// The KPI page checked below needs a call record even when this test
	// runs alone: a sipp caller presses 0.
	sippPressesZero(t, a)
	runID := "ci-" + time.Now().UTC().Format("20060102-150405")
	rep := runEvals(context.Background(), a, runID, scenarios, 4, nil)
	var sb strings.Builder
	rep.WriteText(&sb)
	t.Log("\n" + sb.String())
	dir := filepath.Join(a.cfg.DataDir, "evals", runID)
	if err := writeEvalReport(dir, rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Scenarios != len(scenarios) || rep.Summary.Success == nil {
		t.Fatalf("report %+v", rep.Summary)
	}
	if *rep.Summary.Success < gate.MinTaskSuccess {
		t.Errorf("task success %.1f%% is below the gate %.1f%% (evals/gate.yaml)", *rep.Summary.Success*100, gate.MinTaskSuccess*100)
	}
	// Every language and the main tags are measured.
	for _, l := range []string{"en", "fi", "sv", "lv"} {
		if rep.ByLanguage[l].Scenarios == 0 {
			t.Errorf("no %s scenarios measured", l)
		}
	}
	checkReportInBrowser(t, "http://"+a.httpAddr, runID, rep)
}

// checkReportInBrowser opens /evals and the run's HTML report in headless
// Chromium and checks what a person would see.
func checkReportInBrowser(t *testing.T, base, runID string, rep evals.Report) {
	chrome := "/usr/bin/chromium"
	if _, err := os.Stat(chrome); err != nil {
		t.Fatalf("the report test needs Debian's chromium (scripts/setup.sh --test installs it): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first Run starts the browser; later steps get a deadline.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/evals")); err != nil {
		t.Fatalf("/evals in the browser: %v", err)
	}
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("runs table", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#runs"))))
	runs, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("#runs tr.run")))
	must("runs", err)
	listText, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#runs")))
	must("runs text", err)
	if len(runs) == 0 || !strings.Contains(listText, runID) {
		t.Errorf("/evals lists %d runs, text %q", len(runs), listText)
	}

	must("open the report", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/evals/`+runID+`/report.html"]`)),
		chromedp.WaitVisible(chromedp.CSS("#summary"))))
	title, err := chromedp.Run(ctx, chromedp.Title())
	must("title", err)
	failedCount, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#failed-count")))
	must("failed count", err)
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#summary")))
	must("summary", err)
	bars, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("#latency-histogram rect.bar")))
	must("histogram", err)
	confRows, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("#confusion tr")))
	must("confusion", err)
	if !strings.Contains(title, runID) {
		t.Errorf("title %q", title)
	}
	if n, _ := strconv.Atoi(strings.TrimSpace(failedCount)); n != len(rep.Failed()) {
		t.Errorf("report shows %q failed, the JSON has %d", failedCount, len(rep.Failed()))
	}
	for _, want := range []string{"all", "language fi", "language lv", "tag knowledge", fmt.Sprint(rep.Summary.Scenarios)} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary table lacks %q", want)
		}
	}
	if len(bars) == 0 || len(confRows) < 3 {
		t.Errorf("%d histogram bars, %d confusion rows", len(bars), len(confRows))
	}
	if len(rep.Failed()) > 0 {
		// Open the first failed scenario: its transcript and decisions show.
		f := rep.Failed()[0]
		sel := "#s-" + f.ID
		failed, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("#failed details.failed-scenario")))
		must("failed scenarios", err)
		must("open a failed scenario", chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(sel+" summary")),
			chromedp.WaitVisible(chromedp.CSS(sel+" .turn"))))
		open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("`+sel+`").open`))
		must("details open", err)
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must("details text", err)
		if len(failed) != len(rep.Failed()) || !open || !strings.Contains(text, "caller:") || !strings.Contains(text, "bot:") {
			t.Errorf("%d failed shown; details open=%v: %q", len(failed), open, text)
		}
	}

	// The KPI page from the call records (the sipp call above at least):
	// tiles and the volume chart are there.
	must("kpi page", chromedp.Do(ctx, chromedp.Navigate(base+"/kpis?since=all"), chromedp.WaitVisible(chromedp.CSS("#chart-volume"))))
	total, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#kpi-total .value")))
	must("kpi total", err)
	containment, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#kpi-containment .value")))
	must("kpi containment", err)
	if n, err := strconv.Atoi(strings.TrimSpace(total)); err != nil || n < 1 || !strings.Contains(containment, "%") {
		t.Errorf("KPI page: total %q, containment %q", total, containment)
	}
}

// Audio mode: the scenario's words are synthesised, dialled over SIP/RTP
// with the project's own caller and scored from the bot's call records;
// word error rate and the speech stages are measured.
func TestEvalAudioMode(t *testing.T) {
	a := runningApp(t)
	sc := []evals.Scenario{
		{ID: "audio-knowledge-en", Language: "en", Tags: []string{"knowledge"},
			Turns:  []evals.Turn{{Say: "What are your opening hours?", Expect: &evals.TurnExpect{Intent: "question"}}},
			Expect: evals.Expect{Route: "self_service", AnswerCites: []string{"opening-hours"}}},
		{ID: "audio-dtmf-en", Language: "en", Tags: []string{"dtmf"},
			Turns:  []evals.Turn{{DTMF: "0"}},
			Expect: evals.Expect{Route: "handoff", Queue: "general"}},
	}
	rep := runAudioEvals(context.Background(), a, "audio-test", sc, 2, nil)
	var sb strings.Builder
	rep.WriteText(&sb)
	t.Log("\n" + sb.String())
	if rep.Mode != "audio" || len(rep.Results) != 2 {
		t.Fatalf("report %+v", rep)
	}
	for _, r := range rep.Results {
		if r.Error != "" || !r.Passed {
			t.Errorf("%s: error %q failures %v", r.ID, r.Error, r.Failures)
		}
	}
	k := rep.Results[0]
	if len(k.Turns) != 1 || k.Turns[0].WordErrorRate == nil || k.Turns[0].Heard == "" || k.Turns[0].STTMS <= 0 || k.Turns[0].EndpointingMS <= 0 {
		t.Fatalf("knowledge turn %+v", k.Turns)
	}
	if *k.Turns[0].WordErrorRate > 0.5 {
		t.Errorf("heard %q for %q: WER %.2f", k.Turns[0].Heard, k.Turns[0].Say, *k.Turns[0].WordErrorRate)
	}
	if rep.Summary.WordErrorRate == nil || rep.Summary.Latency["stt"].P50 <= 0 {
		t.Errorf("summary WER %v, stages %v", rep.Summary.WordErrorRate, rep.Summary.Latency)
	}
}
