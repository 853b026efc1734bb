package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/vastaa/vastaa/examples"
	"github.com/vastaa/vastaa/knowledge"
	"github.com/vastaa/vastaa/knowledge/pgstore"
)

// benchKB loads a synthetic knowledge base of N chunks into a store and
// measures ingest rate, vector-index build time and hybrid top-10 query
// latency.
func benchKB(ctx context.Context, args []string) error {
	fs := newFlagSet("bench kb", "Load N synthetic chunks (words of the demo clinic's articles, four languages) into a\nknowledge store with the local embedding, then measure ingest rate, index build time\n(postgres: a bulk load, indexes built after) and hybrid top-10 query latency with the labelled questions.")
	var cfg kbConfig
	cfg.register(fs, true)
	dataDir := fs.String("data-dir", os.TempDir(), "data directory for the sqlite store's file")
	chunks := fs.Int("chunks", 100000, "chunks to load")
	perDoc := fs.Int("chunks-per-doc", 20, "chunks per synthetic document")
	queries := fs.Int("queries", 2000, "queries to time")
	keep := fs.Bool("keep", false, "keep the benchmark tenant afterwards")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (not the database's) to this file")
	workers := fs.Int("workers", runtime.NumCPU(), "documents ingested at once")
	corpus := fs.String("corpus", "zipf", "zipf: 10% words of the demo articles among Zipf-distributed words of a 100,000-word vocabulary (like real text);\nclinic: only words of the demo articles (every chunk shares words with every question: the worst case for full text)")
	if err := parse(fs, args); err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	cfg.Demo = "false"
	cfg.Tenant = fmt.Sprintf("bench-%d", time.Now().UnixNano())
	if cfg.Store == "sqlite" && cfg.SQLitePath == "" {
		dir, err := os.MkdirTemp(*dataDir, "vastaa-bench-kb")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.SQLitePath = dir + "/knowledge.db"
	}
	log, _ := newLogger("warn")
	kb, err := cfg.openKB(ctx, *dataDir, "", log, false)
	if err != nil {
		return err
	}
	defer kb.Store.Close()
	if !*keep {
		defer kb.Store.DropTenant(context.WithoutCancel(ctx), cfg.Tenant)
	}
	fmt.Printf("machine: %s\nstore: %s, %d chunks (%d per document), embedding %s (%d dimensions)\n", machine(), cfg.Store, *chunks, *perDoc, kb.Embedder.Model(), kb.Embedder.Dim())

	vocab, err := benchVocabulary()
	if err != nil {
		return err
	}
	if *corpus != "zipf" && *corpus != "clinic" {
		return fmt.Errorf("--corpus must be zipf or clinic")
	}
	zipf := *corpus == "zipf"
	fmt.Printf("corpus: %s\n", *corpus)
	pg, _ := kb.Store.(*pgstore.Store)
	if err := kb.Store.UseEmbedding(ctx, cfg.Tenant, kb.Embedder.Model(), kb.Embedder.Dim()); err != nil {
		return err
	}
	if pg != nil {
		// Bulk load first, index after: the usual way to load a large base.
		if err := pg.BeginBulk(ctx, kb.Embedder.Dim()); err != nil {
			return err
		}
	}
	ndocs := (*chunks + *perDoc - 1) / *perDoc
	var srcs []knowledge.Source
	// The documents are made before the clock starts (about 600 bytes a
	// chunk, 60 MB for 100,000): the ingester reads each one up to three
	// times, and making them is no part of ingesting.
	for d := 0; d < ndocs; d++ {
		n := min(*perDoc, *chunks-d**perDoc)
		text := synthDoc(vocab, d, n, zipf)
		srcs = append(srcs, knowledge.Source{Name: fmt.Sprintf("bench:doc-%06d.md", d), Size: int64(len(text)),
			Open: func() (io.ReadCloser, error) {
				return io.NopCloser(strings.NewReader(text)), nil
			}})
	}
	in := &knowledge.Ingester{Store: kb.Store, Embedder: kb.Embedder, Tenant: cfg.Tenant, BatchSize: 256, Workers: *workers,
		Chunking: knowledge.ChunkOptions{MaxChars: 700}}
	var msBefore, msAfter runtime.MemStats
	runtime.ReadMemStats(&msBefore)
	rep, err := in.Ingest(ctx, srcs, nil)
	if err != nil {
		return err
	}
	runtime.ReadMemStats(&msAfter)
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d documents failed: %v", len(rep.Failed), rep.Failed[0])
	}
	fmt.Printf("ingest (%d workers): %d chunks in %s: %.0f chunks/s (chunking, embedding and writing; heap in use %.0f MiB)\n",
		*workers, rep.ChunksAdded, rep.Elapsed.Round(time.Millisecond), float64(rep.ChunksAdded)/rep.Elapsed.Seconds(), float64(msAfter.HeapInuse)/(1<<20))
	if pg != nil {
		vec, text, err := pg.EndBulk(ctx, kb.Embedder.Dim())
		if err != nil {
			return err
		}
		fmt.Printf("index build: HNSW %s, full text (GIN) %s\n", vec.Round(time.Millisecond), text.Round(time.Millisecond))
	}

	f, err := examples.KB.Open("kb/questions.tsv")
	if err != nil {
		return err
	}
	qs, err := knowledge.ReadQuestions(f)
	f.Close()
	if err != nil {
		return err
	}
	// Warm up, then time.
	for _, q := range qs[:min(50, len(qs))] {
		if _, err := kb.Search(ctx, q.Text, q.Lang, 10); err != nil {
			return err
		}
	}
	lat := make([]float64, 0, *queries)
	var found int
	for i := 0; i < *queries; i++ {
		q := qs[i%len(qs)]
		t0 := time.Now()
		ps, err := kb.Search(ctx, q.Text, q.Lang, 10)
		if err != nil {
			return err
		}
		lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
		if len(ps) == 10 {
			found++
		}
	}
	fmt.Printf("hybrid top-10 query (embed question, vector + full-text search, fusion): p50 %.2f ms, p99 %.2f ms over %d queries (%d returned 10 passages)\n",
		pct(lat, 50), pct(lat, 99), len(lat), found)
	// The parts on their own.
	var embL, vecL, txtL []float64
	for i := 0; i < min(*queries, 500); i++ {
		q := qs[i%len(qs)]
		t0 := time.Now()
		v, err := kb.Embedder.Embed(ctx, []string{q.Text})
		if err != nil {
			return err
		}
		t1 := time.Now()
		if _, err := kb.Store.VectorSearch(ctx, cfg.Tenant, q.Lang, v[0], 40); err != nil {
			return err
		}
		t2 := time.Now()
		if _, err := kb.Store.TextSearch(ctx, cfg.Tenant, q.Lang, knowledge.ContentTerms(q.Text, q.Lang), 40); err != nil {
			return err
		}
		t3 := time.Now()
		embL = append(embL, float64(t1.Sub(t0).Microseconds())/1000)
		vecL = append(vecL, float64(t2.Sub(t1).Microseconds())/1000)
		txtL = append(txtL, float64(t3.Sub(t2).Microseconds())/1000)
	}
	fmt.Printf("  parts (p50/p99 ms): embed %.2f/%.2f, vector top-40 %.2f/%.2f, full-text top-40 %.2f/%.2f\n",
		pct(embL, 50), pct(embL, 99), pct(vecL, 50), pct(vecL, 99), pct(txtL, 50), pct(txtL, 99))
	return nil
}

// benchVocabulary is the words of the demo articles per language.
func benchVocabulary() (map[string][]string, error) {
	arts, err := knowledge.ReadArticles(examples.KB, "kb")
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, a := range arts {
		out[a.Lang] = append(out[a.Lang], strings.Fields(a.Body)...)
	}
	return out, nil
}

// pseudoWord is word i of a synthetic vocabulary: syllables, never a real
// word of the articles.
func pseudoWord(i int) string {
	const cons, vows = "bdfghjklmnprstvz", "aeiouy"
	var sb strings.Builder
	for n := i + 1; n > 0; n /= len(cons) * len(vows) {
		x := n % (len(cons) * len(vows))
		sb.WriteByte(cons[x/len(vows)])
		sb.WriteByte(vows[x%len(vows)])
	}
	sb.WriteString("q")
	return sb.String()
}

// synthDoc is document d: n sections of about 600 characters, one chunk
// each: the language's article words, mixed (zipf) with Zipf-distributed
// words of a large synthetic vocabulary.
func synthDoc(vocab map[string][]string, d, n int, zipf bool) string {
	langs := []string{"en", "en", "fi", "fi", "sv", "lv"}
	lang := langs[d%len(langs)]
	words := vocab[lang]
	r := rand.New(rand.NewPCG(uint64(d), 7))
	z := rand.NewZipf(r, 1.07, 2, 99999)
	var sb strings.Builder
	fmt.Fprintf(&sb, "---\nid: doc-%06d\nlang: %s\ntitle: Document %d\n---\n", d, lang, d)
	for s := 0; s < n; s++ {
		fmt.Fprintf(&sb, "## Section %d\n\n", s)
		l := 0
		for l < 560 {
			w := words[r.IntN(len(words))]
			if zipf && r.IntN(10) != 0 {
				w = pseudoWord(int(z.Uint64()))
			}
			sb.WriteString(w)
			sb.WriteByte(' ')
			l += len(w) + 1
		}
		sb.WriteString("\n\n")
	}
	return sb.String()
}
