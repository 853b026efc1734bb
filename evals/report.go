package evals

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// Report is a whole run, as JSON for machines and HTML for people.
type Report struct {
	RunID      string             `json:"run_id"`
	Mode       string             `json:"mode"`
	StartedAt  time.Time          `json:"started_at"`
	Seconds    float64            `json:"seconds"`
	PerSecond  float64            `json:"scenarios_per_second"`
	Version    string             `json:"version,omitempty"`
	Summary    Metrics            `json:"summary"`
	ByLanguage map[string]Metrics `json:"by_language"`
	ByTag      map[string]Metrics `json:"by_tag"`
	Results    []Result           `json:"results"`
}

// NewReport measures results overall, per language and per tag.
func NewReport(runID, mode string, started time.Time, elapsed time.Duration, rs []Result) Report {
	r := Report{RunID: runID, Mode: mode, StartedAt: started.UTC(), Seconds: elapsed.Seconds(), Results: rs,
		Summary: Measure(rs), ByLanguage: map[string]Metrics{}, ByTag: map[string]Metrics{}}
	if elapsed > 0 {
		r.PerSecond = float64(len(rs)) / elapsed.Seconds()
	}
	byLang, byTag := map[string][]Result{}, map[string][]Result{}
	for _, x := range rs {
		byLang[x.Language] = append(byLang[x.Language], x)
		for _, t := range x.Tags {
			byTag[t] = append(byTag[t], x)
		}
	}
	for k, v := range byLang {
		r.ByLanguage[k] = Measure(v)
	}
	for k, v := range byTag {
		r.ByTag[k] = Measure(v)
	}
	return r
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadReport reads a JSON report.
func ReadReport(path string) (Report, error) {
	var r Report
	b, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("%s: not an eval report: %w", path, err)
	}
	if r.RunID == "" {
		return r, fmt.Errorf("%s: not an eval report (no run_id)", path)
	}
	return r, nil
}

// Failed returns the failed results.
func (r Report) Failed() []Result {
	var out []Result
	for _, x := range r.Results {
		if !x.Passed {
			out = append(out, x)
		}
	}
	return out
}

// WriteText prints the summary and the failures for a terminal.
func (r Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "run %s (%s mode): %d scenarios in %.1f s (%.1f/s)\n\n", r.RunID, r.Mode, r.Summary.Scenarios, r.Seconds, r.PerSecond)
	writeMetricsTable(w, r)
	if f := r.Failed(); len(f) > 0 {
		fmt.Fprintf(w, "\nfailed (%d):\n", len(f))
		for _, x := range f {
			why := strings.Join(x.Failures, "; ")
			if x.Error != "" {
				why = x.Error
			}
			fmt.Fprintf(w, "  %-28s %s\n", x.ID, why)
		}
	}
}

func pct(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", *p*100)
}

func writeMetricsTable(w io.Writer, r Report) {
	fmt.Fprintf(w, "%-16s %5s %8s %8s %8s %8s %8s %8s %8s %9s\n", "", "n", "success", "intent", "route", "contain", "handoff", "cites", "answers", "p50/p95ms")
	row := func(name string, m Metrics) {
		l := m.Latency["total"]
		fmt.Fprintf(w, "%-16s %5d %8s %8s %8s %8s %8s %8s %8s %4.0f/%-4.0f\n", name, m.Scenarios, pct(m.Success), pct(m.IntentAccuracy),
			pct(m.RouteAccuracy), pct(m.Containment), pct(m.HandoffCorrectness), pct(m.CitationPrecision), pct(m.AnswerCorrectness), l.P50, l.P95)
	}
	row("all", r.Summary)
	for _, k := range sortedKeys(r.ByLanguage) {
		row("lang "+k, r.ByLanguage[k])
	}
	for _, k := range sortedKeys(r.ByTag) {
		row("tag "+k, r.ByTag[k])
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Comparison is what changed between two runs.
type Comparison struct {
	A, B      Report
	Regressed []string // passed in A, failed in B
	Improved  []string // failed in A, passed in B
	OnlyA     []string
	OnlyB     []string
}

// Compare lines up two runs scenario by scenario.
func Compare(a, b Report) Comparison {
	c := Comparison{A: a, B: b}
	inA := map[string]Result{}
	for _, x := range a.Results {
		inA[x.ID] = x
	}
	inB := map[string]bool{}
	for _, y := range b.Results {
		inB[y.ID] = true
		x, ok := inA[y.ID]
		switch {
		case !ok:
			c.OnlyB = append(c.OnlyB, y.ID)
		case x.Passed && !y.Passed:
			c.Regressed = append(c.Regressed, y.ID)
		case !x.Passed && y.Passed:
			c.Improved = append(c.Improved, y.ID)
		}
	}
	for _, x := range a.Results {
		if !inB[x.ID] {
			c.OnlyA = append(c.OnlyA, x.ID)
		}
	}
	return c
}

// WriteText prints the two runs side by side.
func (c Comparison) WriteText(w io.Writer) {
	fmt.Fprintf(w, "A %s (%s, %d scenarios)  →  B %s (%s, %d scenarios)\n\n", c.A.RunID, c.A.StartedAt.Format(time.DateTime), c.A.Summary.Scenarios,
		c.B.RunID, c.B.StartedAt.Format(time.DateTime), c.B.Summary.Scenarios)
	fmt.Fprintf(w, "%-24s %9s %9s %9s\n", "metric", "A", "B", "change")
	line := func(name string, a, b *float64) {
		d := "-"
		if a != nil && b != nil {
			d = fmt.Sprintf("%+.1f pt", (*b-*a)*100)
		}
		fmt.Fprintf(w, "%-24s %9s %9s %9s\n", name, pct(a), pct(b), d)
	}
	for _, k := range append([]string{""}, union(sortedKeys(c.A.ByLanguage), sortedKeys(c.B.ByLanguage))...) {
		ma, mb, prefix := c.A.Summary, c.B.Summary, ""
		if k != "" {
			ma, mb, prefix = c.A.ByLanguage[k], c.B.ByLanguage[k], k+" "
		}
		line(prefix+"task success", ma.Success, mb.Success)
		line(prefix+"intent accuracy", ma.IntentAccuracy, mb.IntentAccuracy)
		line(prefix+"route accuracy", ma.RouteAccuracy, mb.RouteAccuracy)
		line(prefix+"containment", ma.Containment, mb.Containment)
		line(prefix+"answer correctness", ma.AnswerCorrectness, mb.AnswerCorrectness)
	}
	la, lb := c.A.Summary.Latency["total"], c.B.Summary.Latency["total"]
	fmt.Fprintf(w, "%-24s %7.0fms %7.0fms %+7.0fms\n", "turn latency p95", la.P95, lb.P95, lb.P95-la.P95)
	list := func(title string, ids []string) {
		if len(ids) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s (%d):\n", title, len(ids))
		for _, id := range ids {
			fmt.Fprintf(w, "  %s\n", id)
		}
	}
	list("regressed (passed in A, failed in B)", c.Regressed)
	list("improved (failed in A, passed in B)", c.Improved)
	list("only in A", c.OnlyA)
	list("only in B", c.OnlyB)
}

// stagesOf lists the measured stages in the order a turn goes through them.
func stagesOf(m Metrics) []string {
	var out []string
	for _, st := range []string{"endpointing", "stt", "understand", "decision", "retrieval", "tts", "total"} {
		if _, ok := m.Latency[st]; ok {
			out = append(out, st)
		}
	}
	return out
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range append(a, b...) {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// WriteHTML writes a self-contained page: summary tables per language and
// tag, the intent confusion matrix, a latency histogram and every failed
// scenario with its transcript and decisions.
func (r Report) WriteHTML(w io.Writer) error {
	var totals []float64
	for _, x := range r.Results {
		for _, t := range x.Turns {
			totals = append(totals, t.TotalMS)
		}
	}
	width := 5.0
	if p := r.Summary.Latency["total"].Max; p > 200 {
		width = 50
	}
	hist := Histogram(totals, width)
	maxCount := 1
	for _, n := range hist {
		maxCount = max(maxCount, n)
	}
	labels := sortedKeys(r.Summary.Confusion)
	for _, row := range r.Summary.Confusion {
		labels = union(labels, sortedKeys(row))
	}
	data := map[string]any{
		"R": r, "Langs": sortedKeys(r.ByLanguage), "Tags": sortedKeys(r.ByTag), "Failed": r.Failed(),
		"Hist": hist, "HistWidth": width, "HistMax": maxCount, "Labels": labels, "Stages": stagesOf(r.Summary),
	}
	return reportTmpl.Execute(w, data)
}

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct": pct,
	"f1":  func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"cell": func(m Metrics, exp, got string) int {
		return m.Confusion[exp][got]
	},
	"barh": func(n, mx int) int { return n * 120 / mx },
	"bary": func(n, mx int) int { return 130 - n*120/mx },
	"x":    func(i int) int { return 40 + i*14 },
	"mul":  func(i int, w float64) string { return fmt.Sprintf("%.0f", float64(i)*w) },
	"join": strings.Join,
	"dict": dict,
	"metrics": func(r Report, group, key string) Metrics {
		if group == "lang" {
			return r.ByLanguage[key]
		}
		return r.ByTag[key]
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vastaa eval {{.R.RunID}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}
.fail{color:#b00}.pass{color:#070}.zero{color:#bbb}.diag{background:#e8f5e9;font-weight:bold}
details{margin:.5em 0;border:1px solid #ddd;padding:.4em}summary{cursor:pointer}
.turn{margin:.3em 0 .3em 1em}.caller{color:#035}.bot{color:#530}.why{font-size:12px;color:#666}
</style></head><body>
<h1>Eval run <span id="run-id">{{.R.RunID}}</span></h1>
<p id="run-meta">{{.R.Mode}} mode · {{.R.StartedAt.Format "2006-01-02 15:04:05 UTC"}} · {{.R.Summary.Scenarios}} scenarios in {{f1 .R.Seconds}} s ({{f1 .R.PerSecond}} per second)</p>
<h2>Summary</h2>
<table id="summary"><tr><th>group</th><th>scenarios</th><th>passed</th><th>task success</th><th>intent accuracy</th><th>route accuracy</th><th>containment</th><th>handoff correct</th><th>citation precision</th><th>answer correctness</th><th>WER</th><th>turn p50 ms</th><th>turn p95 ms</th></tr>
{{template "row" (dict "name" "all" "m" .R.Summary)}}
{{range .Langs}}{{template "row" (dict "name" (print "language " .) "m" (metrics $.R "lang" .))}}{{end}}
{{range .Tags}}{{template "row" (dict "name" (print "tag " .) "m" (metrics $.R "tag" .))}}{{end}}
</table>
<h2>Latency by stage (ms)</h2>
<table id="stages"><tr><th>stage</th><th>p50</th><th>p95</th><th>max</th></tr>
{{range .Stages}}{{with index $.R.Summary.Latency .}}<tr><td>{{$}}</td><td>{{f1 .P50}}</td><td>{{f1 .P95}}</td><td>{{f1 .Max}}</td></tr>{{end}}{{end}}
</table>
<h2>Turn latency histogram</h2>
<svg id="latency-histogram" width="{{x (len .Hist)}}" height="160" role="img" aria-label="turn latency histogram">
<line x1="38" y1="130" x2="{{x (len .Hist)}}" y2="130" stroke="#999"/>
{{range $i, $n := .Hist}}<rect class="bar" x="{{x $i}}" y="{{bary $n $.HistMax}}" width="12" height="{{barh $n $.HistMax}}" fill="#4a7"><title>{{mul $i $.HistWidth}} ms: {{$n}} turns</title></rect>{{end}}
<text x="40" y="148" font-size="11">0 ms</text><text x="{{x (len .Hist)}}" y="148" font-size="11" text-anchor="end">{{mul (len .Hist) .HistWidth}} ms</text>
<text x="2" y="14" font-size="11">{{.HistMax}}</text>
</svg>
<h2>Intent confusion (rows: expected, columns: classified)</h2>
<table id="confusion"><tr><th></th>{{range .Labels}}<th>{{.}}</th>{{end}}</tr>
{{range $exp := .Labels}}<tr><th>{{$exp}}</th>{{range $got := $.Labels}}{{$n := cell $.R.Summary $exp $got}}<td class="{{if eq $exp $got}}diag{{else if eq $n 0}}zero{{end}}">{{$n}}</td>{{end}}</tr>{{end}}
</table>
<h2>Failed scenarios (<span id="failed-count">{{len .Failed}}</span>)</h2>
<div id="failed">
{{range .Failed}}<details class="failed-scenario" id="s-{{.ID}}"><summary><b>{{.ID}}</b> ({{.Language}}{{if .Tags}}; {{join .Tags ", "}}{{end}}): <span class="fail">{{if .Error}}{{.Error}}{{else}}{{join .Failures "; "}}{{end}}</span></summary>
{{range $i, $t := .Turns}}<div class="turn"><div class="caller">caller: {{if $t.Say}}“{{$t.Say}}”{{else if $t.DTMF}}pressed {{$t.DTMF}}{{else}}(silence){{end}}</div>
<div class="why">understood: {{if $t.Intent}}{{$t.Language}} · intent {{$t.Intent}} ({{printf "%.2f" $t.IntentConfidence}}){{if $t.ExpectIntent}} · expected {{$t.ExpectIntent}}{{end}}{{else}}-{{end}} · decision: route {{or $t.Route "-"}}{{if $t.Queue}} / {{$t.Queue}}{{end}} · {{$t.Reason}}{{if $t.Citations}} · cites {{join $t.Citations ", "}}{{end}} · {{f1 $t.TotalMS}} ms</div>
<div class="bot">bot: {{$t.Reply}}</div></div>{{end}}
<div class="why">expected: route {{or .Expect.Route "-"}}{{if .Expect.Queue}} / {{.Expect.Queue}}{{end}}{{if .Expect.AnswerCites}} · cites {{join .Expect.AnswerCites ", "}}{{end}}{{if .Expect.AnswerContains}} · contains {{join .Expect.AnswerContains ", "}}{{end}} · file {{.File}}</div>
</details>{{else}}<p class="pass">Every scenario passed.</p>{{end}}
</div>
</body></html>
{{define "row"}}{{$m := .m}}<tr><td>{{.name}}</td><td>{{$m.Scenarios}}</td><td>{{$m.Passed}}</td><td>{{pct $m.Success}}</td><td>{{pct $m.IntentAccuracy}}</td><td>{{pct $m.RouteAccuracy}}</td><td>{{pct $m.Containment}}</td><td>{{pct $m.HandoffCorrectness}}</td><td>{{pct $m.CitationPrecision}}</td><td>{{pct $m.AnswerCorrectness}}</td><td>{{pct $m.WordErrorRate}}</td><td>{{with index $m.Latency "total"}}{{f1 .P50}}</td><td>{{f1 .P95}}{{end}}</td></tr>
{{end}}`))

func dict(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}
