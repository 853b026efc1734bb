package pgstore

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/vastaa/vastaa/knowledge"
	"github.com/vastaa/vastaa/knowledge/storetest"
)

// dbURL is the test database: DATABASE_URL when set, otherwise a real
// PostgreSQL with pgvector that TestMain starts (scripts/pg.sh). These tests
// never skip: without a database the package fails and says why.
var dbURL string

func TestMain(m *testing.M) {
	dbURL = os.Getenv("DATABASE_URL")
	var stop func()
	if dbURL == "" {
		var err error
		dbURL, stop, err = startPostgres("pgstore")
		if err != nil {
			fmt.Fprintf(os.Stderr, "pgstore tests need PostgreSQL with pgvector: set DATABASE_URL, or let scripts/pg.sh start one: %v\n", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	if stop != nil {
		stop()
	}
	os.Exit(code)
}

// startPostgres runs scripts/pg.sh start NAME and returns the URL it prints.
func startPostgres(name string) (string, func(), error) {
	script := "../../scripts/pg.sh"
	var stderr strings.Builder
	cmd := exec.Command("bash", script, "start", name)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", nil, fmt.Errorf("%s start %s: %v\n%s", script, name, err, stderr.String())
	}
	url := strings.TrimSpace(string(out))
	stop := func() { exec.Command("bash", script, "stop", name).Run() }
	return url, stop, nil
}

func open(t testing.TB) *Store {
	s, err := Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) knowledge.Store { return open(t) })
}

func TestMigrationsAreIdempotent(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	s2 := open(t) // a second Open finds everything applied
	var n int
	if err := s2.pool.QueryRow(ctx, `SELECT count(*) FROM kb_schema_migrations`).Scan(&n); err != nil || n < 1 {
		t.Fatalf("migrations recorded: %d %v", n, err)
	}
	var ext string
	if err := s.pool.QueryRow(ctx, `SELECT extversion FROM pg_extension WHERE extname = 'vector'`).Scan(&ext); err != nil {
		t.Fatalf("pgvector not installed: %v", err)
	}
	t.Logf("pgvector %s", ext)
}

// The vector index is HNSW with cosine distance, and the planner uses it.
func TestHNSWIndexUsed(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	tenant := storetest.Tenant(t)
	in := &knowledge.Ingester{Store: s, Embedder: knowledge.NewLocalEmbedder(0), Tenant: tenant}
	if _, err := in.IngestFS(ctx, storetest.Clinic(), "kb", "mem:"); err != nil {
		t.Fatal(err)
	}
	// With statistics, as after autovacuum: the case that failed.
	if _, err := s.pool.Exec(ctx, `ANALYZE kb_chunks`); err != nil {
		t.Fatal(err)
	}
	var def string
	if err := s.pool.QueryRow(ctx, `SELECT indexdef FROM pg_indexes WHERE indexname = 'kb_chunks_hnsw_512_en'`).Scan(&def); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(def, "hnsw") || !strings.Contains(def, "vector_cosine_ops") {
		t.Fatalf("index %s", def)
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// On a table this small, reading every English row and sorting them
	// is rightly cheaper than walking the index once the table has
	// statistics (the plan then depended on whether autovacuum had
	// analysed it yet). Ruling the other paths out asks the question that
	// matters: can the HNSW index serve this query, expression and
	// operator class included? If it could not, the plan would still sort.
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off`); err != nil {
		t.Fatal(err)
	}
	vec := make([]string, 512)
	for i := range vec {
		vec[i] = "0.01"
	}
	rows, err := conn.Query(ctx, `EXPLAIN SELECT id FROM kb_chunks WHERE dim = 512 AND lang = 'en' ORDER BY embedding::vector(512) <=> '[`+strings.Join(vec, ",")+`]' LIMIT 5`)
	if err != nil {
		t.Fatal(err)
	}
	var plan strings.Builder
	for rows.Next() {
		var line string
		rows.Scan(&line)
		plan.WriteString(line + "\n")
	}
	if !strings.Contains(plan.String(), "kb_chunks_hnsw_512_en") {
		t.Errorf("plan does not use the HNSW index:\n%s", plan.String())
	}
}

// Finnish full text stems with the finnish configuration; Latvian uses simple.
func TestTextSearchConfigurations(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	for lang, want := range map[string]string{"en": "english", "fi": "finnish", "sv": "swedish", "lv": "simple"} {
		if got := TSConfig(lang); got != want {
			t.Errorf("%s: %s", lang, got)
		}
	}
	tenant := storetest.Tenant(t)
	in := &knowledge.Ingester{Store: s, Embedder: knowledge.NewLocalEmbedder(0), Tenant: tenant}
	if _, err := in.IngestFS(ctx, storetest.Clinic(), "kb", "mem:"); err != nil {
		t.Fatal(err)
	}
	// "aukiolo" style inflection: the finnish stemmer joins "vastaanotto" and "vastaanotolle".
	hits, err := s.TextSearch(ctx, tenant, "fi", []string{"vastaanotolle"}, 5)
	if err != nil || len(hits) == 0 || hits[0].ArticleID != "prices" {
		t.Errorf("finnish inflection: %v %v", hits, err)
	}
	// Text that is not a plain word never reaches tsquery syntax.
	if _, err := s.TextSearch(ctx, tenant, "en", []string{"a|b", "x:*", "'); drop table kb_chunks; --"}, 5); err != nil {
		t.Errorf("odd terms: %v", err)
	}
}

// A bulk load drops the vector and full-text indexes, still answers
// searches, and builds both at the end; a load killed before its end gets
// them back from the next ordinary ingest.
func TestBulkLoad(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	tenant := storetest.Tenant(t)
	exists := func(name string) bool {
		t.Helper()
		var ok bool
		if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = $1)`, name).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	emb := knowledge.NewLocalEmbedder(0)
	if err := s.UseEmbedding(ctx, tenant, emb.Model(), emb.Dim()); err != nil {
		t.Fatal(err)
	}
	if err := s.BeginBulk(ctx, emb.Dim()); err != nil {
		t.Fatal(err)
	}
	if exists("kb_chunks_tsv") || exists("kb_chunks_hnsw_512_en") {
		t.Fatal("indexes still there during a bulk load")
	}
	in := &knowledge.Ingester{Store: s, Embedder: emb, Tenant: tenant}
	if _, err := in.IngestFS(ctx, storetest.Clinic(), "kb", "mem:"); err != nil {
		t.Fatal(err)
	}
	if exists("kb_chunks_tsv") || exists("kb_chunks_hnsw_512_en") {
		t.Fatal("ingest built an index during a bulk load")
	}
	kb := &knowledge.KB{Store: s, Embedder: emb, Tenant: tenant}
	search := func() string {
		t.Helper()
		ps, err := kb.Search(ctx, "how much does a nurse appointment cost", "en", 3)
		if err != nil || len(ps) == 0 {
			t.Fatalf("search: %v %v", ps, err)
		}
		return ps[0].ArticleID
	}
	if got := search(); got != "prices" {
		t.Errorf("during the load: %s", got)
	}
	vec, text, err := s.EndBulk(ctx, emb.Dim())
	if err != nil {
		t.Fatal(err)
	}
	if !exists("kb_chunks_tsv") || !exists("kb_chunks_hnsw_512_en") || vec <= 0 || text <= 0 {
		t.Fatalf("after the load: indexes missing (vector %s, text %s)", vec, text)
	}
	if got := search(); got != "prices" {
		t.Errorf("after the load: %s", got)
	}

	// Killed mid-load: the indexes are gone and nobody builds them, until
	// the next ordinary ingest (another process, another store).
	if err := s.BeginBulk(ctx, emb.Dim()); err != nil {
		t.Fatal(err)
	}
	s2 := open(t)
	in2 := &knowledge.Ingester{Store: s2, Embedder: emb, Tenant: storetest.Tenant(t)}
	if _, err := in2.IngestFS(ctx, storetest.Clinic(), "kb", "mem:"); err != nil {
		t.Fatal(err)
	}
	if !exists("kb_chunks_tsv") || !exists("kb_chunks_hnsw_512_en") {
		t.Error("an ordinary ingest after an unfinished bulk load did not bring the indexes back")
	}
}

// prefixFreq's binary search sums the same shares as a walk over every
// lexeme.
func TestPrefixFreq(t *testing.T) {
	ls := &lexemeStats{freqs: map[string]float64{}, langShare: map[string]float64{"fi": 0.5}}
	words := []string{"aukio", "aukiolo", "aukioloaika", "auto", "lääkär", "lääkäri", "lääke", "a", "b", "ä"}
	for i, w := range words {
		ls.freqs[w] = float64(i+1) / 100
	}
	ls.index()
	for _, p := range []string{"auki", "au", "a", "lääk", "lääkäri", "x", "", "ä", "aukioloaikaa"} {
		var want float64
		for w, f := range ls.freqs {
			if strings.HasPrefix(w, p) {
				want += f
			}
		}
		if got := ls.prefixFreq(p, "en"); math.Abs(got-want) > 1e-12 {
			t.Errorf("prefix %q: %v, want %v", p, got, want)
		}
		if got := ls.prefixFreq(p, "fi"); math.Abs(got-min(1, want/0.5)) > 1e-12 {
			t.Errorf("prefix %q in fi: %v, want %v", p, got, min(1, want/0.5))
		}
	}
	var none *lexemeStats
	if none.prefixFreq("a", "en") != 0 {
		t.Error("no statistics: want 0")
	}
}
