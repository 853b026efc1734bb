package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vastaa/vastaa/examples"
	"github.com/vastaa/vastaa/knowledge"
	"github.com/vastaa/vastaa/knowledge/pgstore"
)

const kbUsage = `Usage:
  vastaa kb ingest <dir|file>...   ingest Markdown, text and HTML; only changes are written,
                                   documents gone from an ingested directory are removed
  vastaa kb search "question"      ranked passages with scores and sources (--lang, -k, --answer)
  vastaa kb stats                  documents and chunks per language and source
  vastaa kb eval                   retrieval quality on the labelled questions (recall@1, recall@5, MRR)

Run "vastaa kb <command> --help" for flags. The store is chosen with --kb-store
(sqlite in the data directory by default, or postgres with --database-url).
`

func kbCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, kbUsage)
		return errors.New("kb: missing command")
	}
	switch args[0] {
	case "ingest":
		return kbIngestCmd(ctx, args[1:])
	case "search":
		return kbSearchCmd(ctx, args[1:])
	case "stats":
		return kbStatsCmd(ctx, args[1:])
	case "eval":
		return kbEvalCmd(ctx, args[1:])
	case "help", "--help", "-h":
		fmt.Print(kbUsage)
		return errHelp
	}
	return fmt.Errorf("kb: unknown command %q\n\n%s", args[0], kbUsage)
}

// splitArgs separates positional arguments from flags so both orders work.
func splitArgs(args []string, boolFlags map[string]bool) (flags, pos []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && !boolFlags[name] && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return flags, pos
}

// kbFlags registers the flags every kb command shares.
func kbFlags(fs *flag.FlagSet) (*kbConfig, *string) {
	cfg := &kbConfig{}
	cfg.register(fs, true)
	return cfg, fs.String("data-dir", defaultDataDir(), "data directory (holds the embedded knowledge.db)")
}

func kbIngestCmd(ctx context.Context, args []string) error {
	fs := newFlagSet("kb ingest <dir|file>...", "Ingest Markdown (.md, front matter: id, lang, title), plain text (.txt) and HTML (.html) into the knowledge base.\nUnchanged documents are skipped, changed ones re-embed only their changed chunks, and documents\nno longer in an ingested directory are removed. Each document is written all or nothing.")
	cfg, dataDir := kbFlags(fs)
	level := fs.String("log-level", "warn", "debug, info, warn or error")
	progress := fs.String("progress", "auto", "progress bar: auto (when stderr is a terminal), always or never")
	workers := fs.Int("workers", runtime.NumCPU(), "documents ingested at once")
	bulk := fs.Bool("bulk", false, "PostgreSQL only: drop the vector and full-text indexes, load, then build them in one pass each (faster for a large first load; every tenant's searches are slow until it ends)")
	flags, pos := splitArgs(args, map[string]bool{"help": true, "h": true, "bulk": true})
	if err := parse(fs, flags); err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return errors.New("kb ingest: name at least one directory or file")
	}
	log, err := newLogger(*level)
	if err != nil {
		return err
	}
	kb, err := cfg.openKB(ctx, *dataDir, "", log, false)
	if err != nil {
		return err
	}
	defer kb.Store.Close()
	detect, err := detectLanguage()
	if err != nil {
		return err
	}
	in := &knowledge.Ingester{Store: kb.Store, Embedder: kb.Embedder, Tenant: cfg.Tenant, DetectLang: detect, Log: log, Workers: *workers}
	var pg *pgstore.Store
	if *bulk {
		var ok bool
		if pg, ok = kb.Store.(*pgstore.Store); !ok {
			return errors.New("kb ingest: --bulk is for --kb-store postgres (the SQLite store has no index to defer)")
		}
		if err := kb.Store.UseEmbedding(ctx, in.Tenant, kb.Embedder.Model(), kb.Embedder.Dim()); err != nil {
			return err
		}
		if err := pg.BeginBulk(ctx, kb.Embedder.Dim()); err != nil {
			return err
		}
		// The indexes come back however the load ends, even on Ctrl-C.
		defer func() {
			vec, text, err := pg.EndBulk(context.WithoutCancel(ctx), kb.Embedder.Dim())
			if err != nil {
				fmt.Fprintf(os.Stderr, "kb ingest: building the indexes: %v (run again with --bulk to retry)\n", err)
				return
			}
			fmt.Printf("indexes built: vector %s, full text %s\n", vec.Round(time.Millisecond), text.Round(time.Millisecond))
		}()
	}
	var bar *progressBar
	if *progress == "always" || (*progress == "auto" && isTerminal(os.Stderr)) {
		bar = &progressBar{w: os.Stderr, start: time.Now()}
		in.Progress = bar.update
	}
	rep, err := in.IngestPaths(ctx, pos)
	if bar != nil {
		bar.done()
	}
	printReport(os.Stdout, rep)
	if err != nil {
		return err
	}
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d documents not ingested (the others were)", len(rep.Failed))
	}
	return nil
}

func printReport(w io.Writer, rep knowledge.Report) {
	fmt.Fprintf(w, "documents: %d added, %d updated, %d unchanged, %d removed, %d duplicates skipped, %d failed\n",
		rep.Added, rep.Updated, rep.Unchanged, rep.Deleted, rep.Duplicates, len(rep.Failed))
	fmt.Fprintf(w, "chunks: %d embedded, %d kept, %d removed (%s)\n", rep.ChunksAdded, rep.ChunksKept, rep.ChunksRemoved, rep.Elapsed.Round(time.Millisecond))
	for _, f := range rep.Failed {
		fmt.Fprintf(w, "  failed: %s\n", f.Error())
	}
}

// progressBar draws "[#####.....] 52% 130/250 documents 3.1 MB/s" on one line.
type progressBar struct {
	w     io.Writer
	start time.Time
	last  time.Time
}

func (p *progressBar) update(doneB, totalB int64, doneD, totalD int) {
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond && doneD < totalD {
		return
	}
	p.last = now
	frac := 1.0
	if totalB > 0 {
		frac = float64(doneB) / float64(totalB)
	}
	const width = 30
	n := int(frac * width)
	rate := float64(doneB) / 1e6 / max(now.Sub(p.start).Seconds(), 1e-3)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%% %d/%d documents %.1f MB/s", strings.Repeat("#", n), strings.Repeat(".", width-n), frac*100, doneD, totalD, rate)
}

func (p *progressBar) done() { fmt.Fprintln(p.w) }

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func kbSearchCmd(ctx context.Context, args []string) error {
	fs := newFlagSet(`kb search "question"`, "Print the passages the bot would answer from, best first, with their scores and sources.")
	cfg, dataDir := kbFlags(fs)
	lang := fs.String("lang", "en", "language of the question (en, fi, sv, lv)")
	k := fs.Int("k", 5, "how many passages")
	answer := fs.Bool("answer", false, "also print the grounded answer the bot would say")
	asJSON := fs.Bool("json", false, "print JSON")
	flags, pos := splitArgs(args, map[string]bool{"help": true, "h": true, "answer": true, "json": true})
	if err := parse(fs, flags); err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return errors.New(`kb search: give the question, e.g. vastaa kb search "when are you open" --lang en`)
	}
	q := strings.Join(pos, " ")
	log, _ := newLogger("warn")
	kb, err := cfg.openKB(ctx, *dataDir, "", log, false)
	if err != nil {
		return err
	}
	defer kb.Store.Close()
	ps, err := kb.Search(ctx, q, *lang, *k)
	if err != nil {
		return err
	}
	var ans *knowledge.Answer
	if *answer {
		a, err := kb.Answer(ctx, q, *lang)
		if err != nil {
			return err
		}
		ans = &a
	}
	if *asJSON {
		return printJSON(map[string]any{"passages": ps, "answer": ans})
	}
	if len(ps) == 0 {
		fmt.Println("no passages (is anything ingested for this tenant?)")
	}
	for i, p := range ps {
		where := p.Title
		if p.Heading != "" {
			where += " / " + p.Heading
		}
		fmt.Printf("%d. %s [%s] score %.4f (vector rank %s, text rank %s, coverage %.2f)\n   %s\n   %s\n\n", i+1, p.ArticleID, p.Lang, p.Score,
			rankStr(p.VectorRank), rankStr(p.TextRank), p.Coverage, where, wrap(p.Text, 100, "   "))
		if p.Asked != "" {
			fmt.Printf("   found by how callers ask: %s\n", strings.ReplaceAll(p.Asked, "\n", " | "))
		}
		fmt.Printf("   source: %s\n\n", p.Source)
	}
	if ans != nil {
		if ans.Found {
			fmt.Printf("answer (confidence %.2f, cites %s):\n   %s\n", ans.Confidence, strings.Join(ans.Citations, ", "), wrap(ans.Text, 100, "   "))
		} else {
			fmt.Printf("no answer (confidence %.2f below %.2f): the bot says it does not know and offers a person\n", ans.Confidence, cfg.MinConfidence)
		}
	}
	return nil
}

func rankStr(r int) string {
	if r == 0 {
		return "-"
	}
	return fmt.Sprint(r)
}

func wrap(s string, width int, indent string) string {
	var out, line strings.Builder
	for _, w := range strings.Fields(s) {
		if line.Len() > 0 && line.Len()+len(w)+1 > width {
			out.WriteString(line.String() + "\n" + indent)
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(w)
	}
	out.WriteString(line.String())
	return out.String()
}

func kbStatsCmd(ctx context.Context, args []string) error {
	fs := newFlagSet("kb stats", "Count documents and chunks per language and per source directory.")
	cfg, dataDir := kbFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	log, _ := newLogger("warn")
	kb, err := cfg.openKB(ctx, *dataDir, "", log, false)
	if err != nil {
		return err
	}
	defer kb.Store.Close()
	st, err := kb.Store.Stats(ctx, cfg.Tenant)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(st)
	}
	fmt.Printf("tenant %s: %d documents, %d chunks (embedding %s, dimension %d)\n\n", st.Tenant, st.Documents, st.Chunks, orDash(st.EmbeddingModel), st.Dim)
	printCounts("LANGUAGE", st.ByLang)
	fmt.Println()
	printCounts("SOURCE", st.BySource)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printCounts(title string, m map[string]knowledge.Count) {
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "%s\tDOCUMENTS\tCHUNKS\n", title)
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%s\t%d\t%d\n", k, m[k].Documents, m[k].Chunks)
	}
	w.Flush()
}

func kbEvalCmd(ctx context.Context, args []string) error {
	fs := newFlagSet("kb eval", "Measure retrieval on labelled questions: recall@1, recall@5 and MRR of the answering article, the share\nanswered with the right citation, and unanswerable questions answered anyway, per language and per store.\nThe articles are ingested into a scratch tenant, removed afterwards.")
	cfg, dataDir := kbFlags(fs)
	stores := fs.String("stores", "sqlite", "comma-separated stores to evaluate: sqlite, postgres")
	articles := fs.String("articles", "", "directory of articles (default: the shipped demo clinic)")
	questions := fs.String("questions", "", "questions TSV: lang, article, kind, question (default: the shipped set)")
	asJSON := fs.Bool("json", false, "print JSON")
	misses := fs.Bool("misses", false, "list the questions whose article was not in the top five")
	if err := parse(fs, args); err != nil {
		return err
	}
	var qr io.Reader
	if *questions == "" {
		f, err := examples.KB.Open("kb/questions.tsv")
		if err != nil {
			return err
		}
		defer f.Close()
		qr = f
	} else {
		f, err := os.Open(*questions)
		if err != nil {
			return err
		}
		defer f.Close()
		qr = f
	}
	qs, err := knowledge.ReadQuestions(qr)
	if err != nil {
		return err
	}
	var reports []knowledge.EvalReport
	for _, name := range strings.Split(*stores, ",") {
		c := *cfg
		c.Store = strings.TrimSpace(name)
		c.Demo = "false"
		c.Tenant = fmt.Sprintf("eval-%d", time.Now().UnixNano())
		if c.Store == "sqlite" && c.SQLitePath == "" {
			dir, err := os.MkdirTemp("", "vastaa-kb-eval")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			c.SQLitePath = dir + "/knowledge.db"
		}
		rep, err := evalStore(ctx, c, *dataDir, *articles, qs)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Store, err)
		}
		reports = append(reports, rep)
	}
	if *asJSON {
		return printJSON(reports)
	}
	for _, r := range reports {
		r.WriteTable(os.Stdout)
		if *misses {
			for _, l := range r.ByLang {
				for _, m := range l.Misses {
					fmt.Printf("  miss %s: %s\n", l.Lang, m)
				}
			}
		}
		fmt.Println()
	}
	return nil
}

func evalStore(ctx context.Context, c kbConfig, dataDir, articles string, qs []knowledge.Question) (knowledge.EvalReport, error) {
	log, _ := newLogger("warn")
	kb, err := c.openKB(ctx, dataDir, "", log, false)
	if err != nil {
		return knowledge.EvalReport{}, err
	}
	defer kb.Store.Close()
	defer kb.Store.DropTenant(context.WithoutCancel(ctx), c.Tenant)
	in := &knowledge.Ingester{Store: kb.Store, Embedder: kb.Embedder, Tenant: c.Tenant}
	var rep knowledge.Report
	if articles == "" {
		rep, err = in.IngestFS(ctx, examples.KB, "kb", "embedded:")
	} else {
		rep, err = in.IngestPaths(ctx, []string{articles})
	}
	if err != nil {
		return knowledge.EvalReport{}, err
	}
	if len(rep.Failed) > 0 {
		return knowledge.EvalReport{}, fmt.Errorf("articles not ingested: %v", rep.Failed)
	}
	er, err := knowledge.Evaluate(ctx, kb, qs)
	er.Store = c.Store
	return er, err
}
