package main

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vastaa/vastaa/evals"
	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/workflows"
)

const evalUsage = `Usage:
  vastaa eval run <dir|file>... [--mode text|audio] [--out DIR] [--parallel N] [--min-success 0.8]
                     play scripted callers (YAML scenarios) through the bot and score them;
                     writes report.json and report.html (default under <data-dir>/evals/<run>)
  vastaa eval compare A B
                     what regressed and what improved between two runs (report.json files or run directories)
`

func evalCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, evalUsage)
		return errors.New("eval: missing command")
	}
	switch args[0] {
	case "run":
		return evalRunCmd(ctx, args[1:])
	case "compare":
		return evalCompareCmd(args[1:])
	case "help", "--help", "-h":
		fmt.Print(evalUsage)
		return errHelp
	}
	return fmt.Errorf("eval: unknown command %q\n\n%s", args[0], evalUsage)
}

func evalRunCmd(ctx context.Context, args []string) error {
	fs := newFlagSet("eval run <dir|file>...", "Play scripted callers through the whole bot in one process (embedded Temporal, knowledge base,\nlanguage identification and intents) and score them. Text mode feeds each \"say\" in as if speech\nrecognition had heard it exactly.")
	mode := fs.String("mode", "text", "text (each say goes in as text after speech recognition) or audio (synthesised, dialled over SIP/RTP, scored from the call records)")
	out := fs.String("out", "", "directory for report.json and report.html (default <data-dir>/evals/<run id>)")
	dataDir := fs.String("data-dir", defaultDataDir(), "data directory (eval runs are kept under evals/ for the /evals page)")
	parallel := fs.Int("parallel", 4, "scenarios at once")
	minSuccess := fs.Float64("min-success", 0, "exit with an error when task success is below this (0..1)")
	progress := fs.String("progress", "auto", "progress bar: auto (when stderr is a terminal), always or never")
	flags, pos := splitArgs(args, map[string]bool{"help": true, "h": true})
	if err := parse(fs, flags); err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return errors.New("eval run: name scenario files or directories (e.g. evals/scenarios)")
	}
	if *mode != "text" && *mode != "audio" {
		return fmt.Errorf("eval run: --mode must be text or audio, not %q", *mode)
	}
	scenarios, err := evals.Load(pos)
	if err != nil {
		return err
	}
	runID := time.Now().UTC().Format("20060102-150405")
	if *out == "" {
		*out = filepath.Join(*dataDir, "evals", runID)
	}
	tmp, err := os.MkdirTemp("", "vastaa-eval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cfg := benchServeConfig(tmp)
	cfg.NoInput = 3 * time.Second
	a, err := startApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.stop()
	var bar *progressBar
	if *progress == "always" || (*progress == "auto" && isTerminal(os.Stderr)) {
		bar = &progressBar{w: os.Stderr, start: time.Now()}
	}
	var rep evals.Report
	if *mode == "audio" {
		rep = runAudioEvals(ctx, a, runID, scenarios, min(*parallel, 2), bar)
	} else {
		rep = runEvals(ctx, a, runID, scenarios, *parallel, bar)
	}
	if err := writeEvalReport(*out, rep); err != nil {
		return err
	}
	rep.WriteText(os.Stdout)
	fmt.Printf("\nreports: %s, %s\n", filepath.Join(*out, "report.json"), filepath.Join(*out, "report.html"))
	if s := rep.Summary.Success; *minSuccess > 0 && (s == nil || *s < *minSuccess) {
		return fmt.Errorf("task success %s is below the threshold %.1f%%", evalPct(s), *minSuccess*100)
	}
	return nil
}

// runEvals plays scenarios against a running app in text mode.
func runEvals(ctx context.Context, a *app, runID string, scenarios []evals.Scenario, parallel int, bar *progressBar) evals.Report {
	r := &evals.Runner{
		Bot:        evalBot{a},
		Understand: pipeline.Understanding{LanguageID: a.providers.langID, Intents: a.providers.intents, MinLanguageConfidence: 0.5},
		Parallel:   parallel,
		RunID:      runID,
	}
	if bar != nil {
		r.Progress = func(done, total int, _ evals.Result) { bar.update(int64(done), int64(total), done, total) }
	}
	start := time.Now()
	results := r.Run(ctx, scenarios)
	if bar != nil {
		bar.done()
	}
	rep := evals.NewReport(runID, "text", start, time.Since(start), results)
	rep.Version = version
	return rep
}

// evalBot is the call workflow for text-mode scenarios; a scripted call
// that ends while queued leaves the queue, as a real caller hanging up does.
type evalBot struct{ a *app }

func (b evalBot) Start(ctx context.Context, in workflows.CallInput) error {
	return b.a.decider.Start(ctx, in)
}
func (b evalBot) Turn(ctx context.Context, id string, t workflows.TurnInput) (workflows.Decision, error) {
	return b.a.decider.Turn(ctx, id, t)
}
func (b evalBot) End(ctx context.Context, id, reason string) error {
	b.a.queues.Leave(id)
	return b.a.decider.End(ctx, id, reason)
}

func writeEvalReport(dir string, rep evals.Report) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	for name, write := range map[string]func(f *os.File) error{
		"report.json": func(f *os.File) error { return rep.WriteJSON(f) },
		"report.html": func(f *os.File) error { return rep.WriteHTML(f) },
	} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

func evalPct(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", *p*100)
}

func evalCompareCmd(args []string) error {
	if len(args) != 2 {
		return errors.New("eval compare: give two runs: report.json files or run directories")
	}
	var reps [2]evals.Report
	for i, p := range args {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			p = filepath.Join(p, "report.json")
		}
		r, err := evals.ReadReport(p)
		if err != nil {
			return err
		}
		reps[i] = r
	}
	evals.Compare(reps[0], reps[1]).WriteText(os.Stdout)
	return nil
}

// evalsHandler serves /evals (the runs kept in the data directory, newest
// first) and /evals/<run>/report.html|json.
func evalsHandler(dataDir string) http.Handler {
	root := filepath.Join(dataDir, "evals")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.Trim(strings.TrimPrefix(r.URL.Path, "/evals"), "/")
		if rest != "" {
			run, file, ok := strings.Cut(rest, "/")
			if !ok || (file != "report.html" && file != "report.json") || strings.Contains(run, "..") || strings.ContainsAny(run, `/\`) {
				http.NotFound(w, r)
				return
			}
			http.ServeFile(w, r, filepath.Join(root, run, file))
			return
		}
		entries, _ := os.ReadDir(root)
		type row struct {
			ID                           string
			Scenarios                    int
			Success, Containment, Intent string
			Failed                       int
			Started                      string
		}
		var rows []row
		for _, e := range entries {
			rep, err := evals.ReadReport(filepath.Join(root, e.Name(), "report.json"))
			if err != nil {
				continue
			}
			rows = append(rows, row{ID: e.Name(), Scenarios: rep.Summary.Scenarios, Success: evalPct(rep.Summary.Success),
				Containment: evalPct(rep.Summary.Containment), Intent: evalPct(rep.Summary.IntentAccuracy),
				Failed: len(rep.Failed()), Started: rep.StartedAt.Format(time.DateTime)})
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].ID > rows[j].ID })
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		evalsListTmpl.Execute(w, rows)
	})
}

var evalsListTmpl = template.Must(template.New("evals").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vastaa eval runs</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 8px}th{background:#f3f3f3}</style>
</head><body><h1>Eval runs</h1>
{{if .}}<table id="runs"><tr><th>run</th><th>started (UTC)</th><th>scenarios</th><th>task success</th><th>intent accuracy</th><th>containment</th><th>failed</th><th>report</th></tr>
{{range .}}<tr class="run"><td>{{.ID}}</td><td>{{.Started}}</td><td>{{.Scenarios}}</td><td>{{.Success}}</td><td>{{.Intent}}</td><td>{{.Containment}}</td><td>{{.Failed}}</td><td><a href="/evals/{{.ID}}/report.html">HTML</a> · <a href="/evals/{{.ID}}/report.json">JSON</a></td></tr>{{end}}
</table>{{else}}<p id="no-runs">No eval runs yet: <code>vastaa eval run evals/scenarios</code>.</p>{{end}}
</body></html>`))
