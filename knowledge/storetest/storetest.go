// Package storetest is the conformance suite every knowledge store must
// pass: the SQLite store and the PostgreSQL + pgvector store run the same
// tests.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/vastaa/vastaa/knowledge"
)

// Opener gives a test an empty store (or one whose tenants are unique to
// the test: every test uses fresh tenant names from Tenant).
type Opener func(t *testing.T) knowledge.Store

var tenantSeq atomic.Int64

// Tenant returns a tenant name no other test uses.
func Tenant(t *testing.T) string {
	return fmt.Sprintf("t%d-%s", tenantSeq.Add(1), strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")))
}

func article(id, lang, title, body string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("---\nid: " + id + "\nlang: " + lang + "\ntitle: " + title + "\n---\n" + body + "\n")}
}

// Clinic is a small multilingual knowledge base the suite ingests.
func Clinic() fstest.MapFS {
	return fstest.MapFS{
		"kb/en/opening-hours.md": article("opening-hours", "en", "Opening hours", "The clinic is open on weekdays from 8:00 to 18:00. On Saturdays we are open from 9:00 to 14:00.\n\n## Holidays\n\nWe are closed on Sundays and public holidays."),
		"kb/en/prices.md":        article("prices", "en", "Prices", "A visit to a general practitioner costs 65 euros. A nurse appointment costs 35 euros."),
		"kb/en/parking.md":       article("parking", "en", "Parking", "Free parking for patients is in the courtyard behind the building. The garage on Rantakatu charges 2 euros an hour."),
		"kb/fi/opening-hours.md": article("opening-hours", "fi", "Aukioloajat", "Klinikka on avoinna arkisin klo 8–18. Lauantaisin olemme auki klo 9–14."),
		"kb/fi/prices.md":        article("prices", "fi", "Hinnat", "Yleislääkärin vastaanotto maksaa 65 euroa. Hoitajan vastaanotto maksaa 35 euroa."),
		"kb/sv/prices.md":        article("prices", "sv", "Priser", "Ett läkarbesök kostar 65 euro. Ett besök hos sjuksköterskan kostar 35 euro."),
		"kb/notes.html":          &fstest.MapFile{Data: []byte(`<html lang="en"><head><title>Lab results</title><script>var x = "opening hours";</script></head><body><nav>Home | Contact</nav><h2>When results arrive</h2><p>Most laboratory results are ready within three working days.</p></body></html>`)},
		"kb/readme.json":         &fstest.MapFile{Data: []byte(`{"ignored": true}`)},
	}
}

// Run runs the whole suite against stores made by open.
func Run(t *testing.T, open Opener) {
	t.Run("IngestAndSearch", func(t *testing.T) { testIngestAndSearch(t, open(t)) })
	t.Run("Reingest", func(t *testing.T) { testReingest(t, open(t)) })
	t.Run("TenantsAreSeparate", func(t *testing.T) { testTenants(t, open(t)) })
	t.Run("EmbeddingMismatch", func(t *testing.T) { testMismatch(t, open(t)) })
	t.Run("AllOrNothing", func(t *testing.T) { testAllOrNothing(t, open(t)) })
	t.Run("BadInput", func(t *testing.T) { testBadInput(t, open(t)) })
	t.Run("LongDocument", func(t *testing.T) { testLongDocument(t, open(t)) })
	t.Run("ParallelIngest", func(t *testing.T) { testParallel(t, open(t)) })
	t.Run("AskedPhrasings", func(t *testing.T) { testAsked(t, open(t)) })
}

func ingester(s knowledge.Store, tenant string) *knowledge.Ingester {
	return &knowledge.Ingester{Store: s, Embedder: knowledge.NewLocalEmbedder(0), Tenant: tenant, BatchSize: 2}
}

func kb(s knowledge.Store, tenant string) *knowledge.KB {
	return &knowledge.KB{Store: s, Embedder: knowledge.NewLocalEmbedder(0), Tenant: tenant}
}

func mustIngest(t *testing.T, in *knowledge.Ingester, fsys fstest.MapFS) knowledge.Report {
	t.Helper()
	rep, err := in.IngestFS(context.Background(), fsys, "kb", "mem:")
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if len(rep.Failed) > 0 {
		t.Fatalf("ingest failures: %v", rep.Failed)
	}
	return rep
}

func top(t *testing.T, k *knowledge.KB, q, lang string) knowledge.Passage {
	t.Helper()
	ps, err := k.Search(context.Background(), q, lang, 5)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	if len(ps) == 0 {
		t.Fatalf("search %q (%s): nothing found", q, lang)
	}
	return ps[0]
}

func testIngestAndSearch(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	tenant := Tenant(t)
	rep := mustIngest(t, ingester(s, tenant), Clinic())
	if rep.Added != 7 || rep.ChunksAdded < 8 {
		t.Fatalf("report %+v: want 7 documents added, at least 8 chunks", rep)
	}
	k := kb(s, tenant)
	for _, c := range []struct{ q, lang, want string }{
		{"when are you open on saturday", "en", "opening-hours"},
		{"how much does a nurse appointment cost", "en", "prices"},
		{"where can I park my car", "en", "parking"},
		{"are you closed on public holidays", "en", "opening-hours"},
		{"when will my laboratory results be ready", "en", "notes"},
		{"milloin olette auki lauantaina", "fi", "opening-hours"},
		{"paljonko yleislääkäri maksaa", "fi", "prices"},
		{"vad kostar ett läkarbesök", "sv", "prices"},
	} {
		p := top(t, k, c.q, c.lang)
		if p.ArticleID != c.want || p.Lang != c.lang {
			t.Errorf("%q (%s): top passage %s/%s %q, want %s", c.q, c.lang, p.Lang, p.ArticleID, p.Text, c.want)
		}
	}
	// Headings and the HTML page's structure survive; scripts and navigation do not.
	p := top(t, k, "are you closed on public holidays", "en")
	if p.Heading != "Holidays" || p.Title != "Opening hours" {
		t.Errorf("heading %q title %q", p.Heading, p.Title)
	}
	lab := top(t, k, "laboratory results", "en")
	if lab.Title != "Lab results" || strings.Contains(lab.Text, "var x") || strings.Contains(lab.Text, "Home | Contact") {
		t.Errorf("html passage %+v", lab)
	}
	// Languages never mix: a Finnish search returns only Finnish chunks.
	ps, err := k.Search(ctx, "opening hours", "fi", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Lang != "fi" {
			t.Errorf("finnish search returned %s/%s", p.Lang, p.ArticleID)
		}
	}
	// Full text finds inflected forms by prefix.
	hits, err := s.TextSearch(ctx, tenant, "en", []string{"opening"}, 5)
	if err != nil || len(hits) == 0 || hits[0].ArticleID != "opening-hours" {
		t.Errorf("text search 'opening': %v %v", hits, err)
	}
	hits, err = s.TextSearch(ctx, tenant, "en", []string{"zebra"}, 5)
	if err != nil || len(hits) != 0 {
		t.Errorf("text search 'zebra': %v %v", hits, err)
	}
	vh, err := s.VectorSearch(ctx, tenant, "en", make([]float32, 512), 3)
	if err != nil || len(vh) > 3 {
		t.Errorf("vector search with a zero vector: %v %v", vh, err)
	}
	// A grounded answer cites what it used.
	a, err := k.Answer(ctx, "how much does a nurse appointment cost", "en")
	if err != nil || !a.Found || len(a.Citations) == 0 || a.Citations[0] != "prices" || !strings.Contains(a.Text, "35") {
		t.Errorf("answer %+v %v", a, err)
	}
	a, err = k.Answer(ctx, "who won the football match yesterday", "en")
	if err != nil || a.Found || a.Text != "" {
		t.Errorf("off-topic answered: %+v %v", a, err)
	}
	st, err := s.Stats(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	if st.Documents != 7 || st.ByLang["en"].Documents != 4 || st.ByLang["fi"].Documents != 2 || st.ByLang["sv"].Documents != 1 ||
		!strings.HasPrefix(st.EmbeddingModel, knowledge.LocalModel) || st.Dim != 512 || st.BySource["mem:kb/en"].Documents != 3 {
		t.Errorf("stats %+v", st)
	}
	if st.Chunks != rep.ChunksAdded {
		t.Errorf("stats count %d chunks, ingest added %d", st.Chunks, rep.ChunksAdded)
	}
}

func testReingest(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	tenant := Tenant(t)
	in := ingester(s, tenant)
	fsys := Clinic()
	first := mustIngest(t, in, fsys)

	again := mustIngest(t, in, fsys)
	if again.Unchanged != 7 || again.Added+again.Updated+again.Deleted+again.ChunksAdded != 0 {
		t.Fatalf("unchanged re-ingest did work: %+v", again)
	}

	// Change one paragraph of a two-paragraph article: only that chunk is
	// embedded again. Remove another document.
	fsys["kb/en/opening-hours.md"] = article("opening-hours", "en", "Opening hours", "The clinic is open on weekdays from 8:00 to 18:00. On Saturdays we are open from 9:00 to 14:00.\n\n## Holidays\n\nWe are closed on Sundays, public holidays and Midsummer Eve.")
	delete(fsys, "kb/en/parking.md")
	rep := mustIngest(t, in, fsys)
	if rep.Updated != 1 || rep.Unchanged != 5 || rep.Deleted != 1 || rep.ChunksAdded != 1 || rep.ChunksKept != 1 {
		t.Fatalf("after editing one paragraph and deleting a file: %+v", rep)
	}
	k := kb(s, tenant)
	if p := top(t, k, "are you closed on midsummer eve", "en"); !strings.Contains(p.Text, "Midsummer") {
		t.Errorf("edited text not found: %+v", p)
	}
	ps, err := k.Search(ctx, "parking courtyard garage", "en", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ArticleID == "parking" || strings.Contains(p.Text, "Sundays and public holidays.") {
			t.Errorf("stale chunk still found: %+v", p)
		}
	}
	if _, ok, _ := s.Doc(ctx, tenant, knowledge.DocKey("en", "parking")); ok {
		t.Error("deleted document still stored")
	}
	st, _ := s.Stats(ctx, tenant)
	if st.Documents != 6 || st.Chunks != first.ChunksAdded-1 {
		t.Errorf("stats after re-ingest %+v (first run added %d chunks)", st, first.ChunksAdded)
	}
}

func testTenants(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	a, b := Tenant(t), Tenant(t)
	mustIngest(t, ingester(s, a), Clinic())
	other := fstest.MapFS{"kb/prices.md": article("prices", "en", "Prices", "Tenant B sells bicycles for 400 euros. Bicycle repairs cost 25 euros.")}
	mustIngest(t, ingester(s, b), other)
	for _, q := range []string{"how much does a bicycle cost", "how much does a nurse appointment cost", "opening hours"} {
		ps, err := kb(s, a).Search(ctx, q, "en", 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if strings.Contains(p.Text, "bicycle") {
				t.Errorf("tenant A sees tenant B: %q", p.Text)
			}
		}
		ps, err = kb(s, b).Search(ctx, q, "en", 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if !strings.Contains(p.Text, "icycle") {
				t.Errorf("tenant B sees tenant A: %q", p.Text)
			}
		}
		hits, _ := s.TextSearch(ctx, b, "en", knowledge.ContentTerms(q, "en"), 20)
		for _, h := range hits {
			if !strings.Contains(h.Text, "icycle") {
				t.Errorf("text search of tenant B sees tenant A: %q", h.Text)
			}
		}
	}
	// Deleting B's document leaves A's document of the same id alone.
	if err := s.Delete(ctx, b, knowledge.DocKey("en", "prices")); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Doc(ctx, a, knowledge.DocKey("en", "prices")); !ok {
		t.Error("deleting tenant B's document removed tenant A's")
	}
	if st, _ := s.Stats(ctx, b); st.Documents != 0 {
		t.Errorf("tenant B after delete: %+v", st)
	}
	// Dropping tenant A removes everything of it, and nothing of B.
	mustIngest(t, ingester(s, b), other)
	if err := s.DropTenant(ctx, a); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(ctx, a); st.Documents != 0 || st.EmbeddingModel != "" {
		t.Errorf("tenant A after drop: %+v", st)
	}
	if hits, _ := s.VectorSearch(ctx, a, "en", make([]float32, 512), 5); len(hits) != 0 {
		t.Errorf("dropped tenant still has chunks: %v", hits)
	}
	if st, _ := s.Stats(ctx, b); st.Documents != 1 {
		t.Errorf("tenant B after dropping A: %+v", st)
	}
}

type otherEmbedder struct{ knowledge.Embedder }

func (otherEmbedder) Model() string { return "text-embedding-3-small" }
func (otherEmbedder) Dim() int      { return 1536 }

func testMismatch(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	tenant := Tenant(t)
	mustIngest(t, ingester(s, tenant), Clinic())
	in := &knowledge.Ingester{Store: s, Embedder: otherEmbedder{knowledge.NewLocalEmbedder(1536)}, Tenant: tenant}
	_, err := in.IngestFS(ctx, Clinic(), "kb", "mem:")
	if !errors.Is(err, knowledge.ErrEmbeddingMismatch) || !strings.Contains(err.Error(), knowledge.LocalModel) || !strings.Contains(err.Error(), "1536") {
		t.Errorf("ingest with another model: %v", err)
	}
	k := &knowledge.KB{Store: s, Embedder: otherEmbedder{knowledge.NewLocalEmbedder(1536)}, Tenant: tenant}
	if _, err := k.Search(ctx, "opening hours", "en", 3); !errors.Is(err, knowledge.ErrEmbeddingMismatch) {
		t.Errorf("search with another model: %v", err)
	}
	// A dimension change with the same model name is refused too.
	if err := s.UseEmbedding(ctx, tenant, knowledge.NewLocalEmbedder(0).Model(), 256); !errors.Is(err, knowledge.ErrEmbeddingMismatch) {
		t.Errorf("dimension change: %v", err)
	}
	// Another tenant may use another model.
	if err := s.UseEmbedding(ctx, Tenant(t), "text-embedding-3-small", 1536); err != nil {
		t.Errorf("second tenant with its own model: %v", err)
	}
}

// failingEmbedder fails after a number of successful calls.
type failingEmbedder struct {
	knowledge.Embedder
	ok atomic.Int64
}

func (f *failingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if f.ok.Add(-1) < 0 {
		return nil, errors.New("embeddings endpoint unreachable")
	}
	return f.Embedder.Embed(ctx, texts)
}

func testAllOrNothing(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	tenant := Tenant(t)
	fsys := Clinic()
	mustIngest(t, ingester(s, tenant), fsys)
	before, _ := s.Stats(ctx, tenant)
	beforeDoc, _, _ := s.Doc(ctx, tenant, knowledge.DocKey("en", "opening-hours"))

	// A new version of a long document whose embedding fails half way:
	// nothing of it is written and the old version stays searchable.
	var body strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&body, "Paragraph %d about the new opening hours of the clinic on weekday number %d.\n\n", i, i)
	}
	fsys["kb/en/opening-hours.md"] = article("opening-hours", "en", "Opening hours", body.String())
	fe := &failingEmbedder{Embedder: knowledge.NewLocalEmbedder(0)}
	fe.ok.Store(2)
	in := &knowledge.Ingester{Store: s, Embedder: fe, Tenant: tenant, BatchSize: 2, Chunking: knowledge.ChunkOptions{MaxChars: 100}}
	_, err := in.IngestFS(ctx, fsys, "kb", "mem:")
	if err == nil || !strings.Contains(err.Error(), "unreachable") || !strings.Contains(err.Error(), "opening-hours.md") {
		t.Fatalf("ingest with a failing embedder: %v", err)
	}
	after, _ := s.Stats(ctx, tenant)
	if after.Chunks != before.Chunks || after.Documents != before.Documents {
		t.Errorf("half-written document: before %+v after %+v", before, after)
	}
	if p := top(t, kb(s, tenant), "are you closed on public holidays", "en"); p.ArticleID != "opening-hours" || strings.Contains(p.Text, "Paragraph") {
		t.Errorf("old version lost: %+v", p)
	}
	d, _, _ := s.Doc(ctx, tenant, knowledge.DocKey("en", "opening-hours"))
	if d.Hash != beforeDoc.Hash || d.Chunks != beforeDoc.Chunks {
		t.Errorf("document row changed: %+v, was %+v", d, beforeDoc)
	}
}

func testBadInput(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	tenant := Tenant(t)
	fsys := Clinic()
	fsys["kb/empty.md"] = &fstest.MapFile{Data: []byte("  \n\n")}
	fsys["kb/frontmatter-only.md"] = &fstest.MapFile{Data: []byte("---\nid: x\nlang: en\n---\n\n")}
	fsys["kb/binary.txt"] = &fstest.MapFile{Data: []byte("PK\x03\x04\x00\x00binary")}
	fsys["kb/latin1.txt"] = &fstest.MapFile{Data: []byte("Aukioloajat: p\xe4ivitt\xe4in")}
	fsys["kb/copy-of-prices.md"] = fsys["kb/en/prices.md"]
	fsys["kb/unclosed.md"] = &fstest.MapFile{Data: []byte("---\nid: y\nlang: en\n")}
	fsys["kb/nolang.txt"] = &fstest.MapFile{Data: []byte("Some words.")}
	rep, err := ingester(s, tenant).IngestFS(ctx, fsys, "kb", "mem:")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 7 || rep.Duplicates != 1 {
		t.Errorf("good documents not all ingested: %+v", rep)
	}
	want := map[string]string{
		"mem:kb/empty.md": "empty", "mem:kb/frontmatter-only.md": "empty", "mem:kb/binary.txt": "binary",
		"mem:kb/latin1.txt": "UTF-8", "mem:kb/unclosed.md": "front matter", "mem:kb/nolang.txt": "language",
	}
	got := map[string]string{}
	for _, f := range rep.Failed {
		got[f.Source] = f.Err.Error()
	}
	for src, frag := range want {
		if !strings.Contains(got[src], frag) {
			t.Errorf("%s: error %q, want it to mention %q", src, got[src], frag)
		}
	}
	if len(rep.Failed) != len(want) {
		t.Errorf("failed: %v", rep.Failed)
	}
	if _, err := kb(s, tenant).Search(ctx, "   ", "en", 3); err == nil {
		t.Error("empty question accepted")
	}
}

// bigSource is a generated document read as a stream.
type bigSource struct {
	paras, i int
	buf      []byte
}

func (b *bigSource) Read(p []byte) (int, error) {
	for len(b.buf) == 0 {
		if b.i == 0 {
			b.buf = []byte("---\nid: handbook\nlang: en\ntitle: Staff handbook\n---\n")
		} else if b.i > b.paras {
			return 0, io.EOF
		} else {
			b.buf = fmt.Appendf(nil, "## Section %d\n\nRule %d: the ward %d keeps its medicine cabinet locked and logs every key handover at shift change %d.\n\n", b.i, b.i, b.i%97, b.i)
		}
		b.i++
	}
	n := copy(p, b.buf)
	b.buf = b.buf[n:]
	return n, nil
}
func (b *bigSource) Close() error { return nil }

func testLongDocument(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	tenant := Tenant(t)
	const paras = 3000
	src := knowledge.Source{Name: "mem:handbook.md", Size: 1, Open: func() (io.ReadCloser, error) { return &bigSource{paras: paras}, nil }}
	in := ingester(s, tenant)
	in.BatchSize = 256
	rep, err := in.Ingest(ctx, []knowledge.Source{src}, nil)
	if err != nil || rep.Added != 1 || rep.ChunksAdded != paras {
		t.Fatalf("long document: %+v %v", rep, err)
	}
	p := top(t, kb(s, tenant), "rule 2718 medicine cabinet ward 2718", "en")
	if p.Heading != "Section 2718" {
		t.Errorf("found %q %q", p.Heading, p.Text)
	}
}

// Four workers ingesting 60 documents (and re-ingesting them with every
// third one changed) leave the same store one worker would.
func testParallel(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	tenant := Tenant(t)
	fsys := fstest.MapFS{}
	for i := 0; i < 60; i++ {
		fsys[fmt.Sprintf("kb/doc%02d.md", i)] = article(fmt.Sprintf("doc%02d", i), []string{"en", "fi"}[i%2], fmt.Sprintf("Topic %d", i),
			fmt.Sprintf("Paragraph one of topic %d.\n\nParagraph two of topic %d about item %d.", i, i, i*7))
	}
	in := ingester(s, tenant)
	in.Workers = 4
	rep := mustIngest(t, in, fsys)
	if rep.Added != 60 || rep.ChunksAdded != 60 {
		t.Fatalf("parallel ingest: %+v", rep)
	}
	for i := 0; i < 60; i += 3 {
		fsys[fmt.Sprintf("kb/doc%02d.md", i)] = article(fmt.Sprintf("doc%02d", i), []string{"en", "fi"}[i%2], fmt.Sprintf("Topic %d", i),
			fmt.Sprintf("Paragraph one of topic %d.\n\nParagraph two of topic %d, revised, about item %d.", i, i, i*7))
	}
	rep = mustIngest(t, in, fsys)
	if rep.Updated != 20 || rep.Unchanged != 40 || rep.ChunksAdded != 20 {
		t.Fatalf("parallel re-ingest: %+v", rep)
	}
	st, err := s.Stats(ctx, tenant)
	if err != nil || st.Documents != 60 || st.Chunks != 60 || st.ByLang["fi"].Documents != 30 {
		t.Errorf("stats %+v %v", st, err)
	}
	if p := top(t, kb(s, tenant), "topic 42 revised item 294", "en"); p.ArticleID != "doc42" || !strings.Contains(p.Text, "revised") {
		t.Errorf("found %+v", p)
	}
}

// sickLeave is an article whose own words share nothing with how callers
// ask for it, unless it lists those ways under "asked".
func sickLeave(asked ...string) *fstest.MapFile {
	fm := "---\nid: sick-leave\nlang: en\ntitle: Certificates\n"
	if len(asked) > 0 {
		fm += "asked:\n"
		for _, a := range asked {
			fm += "  - " + a + "\n"
		}
	}
	return &fstest.MapFile{Data: []byte(fm + "---\nA physician issues certificates of incapacity after an appointment.\n\n## Fees\n\nThe form for Kela costs 30 euros.\n")}
}

func testAsked(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	tenant := Tenant(t)
	in := ingester(s, tenant)
	fsys := Clinic()
	fsys["kb/en/sick-leave.md"] = sickLeave()
	mustIngest(t, in, fsys)
	k := kb(s, tenant)
	const q = "my boss wants a note saying I was unwell"
	found := func() (knowledge.Passage, bool) {
		ps, err := k.Search(ctx, q, "en", 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) > 0 && ps[0].ArticleID == "sick-leave" {
			return ps[0], true
		}
		return knowledge.Passage{}, false
	}
	if p, ok := found(); ok {
		t.Fatalf("found without phrasings (the test needs a question the article's words do not match): %+v", p)
	}

	// With the ways callers ask, the article is found, and what would be
	// said is its lead passage, never a phrasing.
	fsys["kb/en/sick-leave.md"] = sickLeave("My boss wants a note from a doctor.", "I was unwell last week and work needs a paper.")
	rep := mustIngest(t, in, fsys)
	if rep.Updated != 1 || rep.ChunksAdded != 1 || rep.ChunksKept != 2 {
		t.Fatalf("adding phrasings should add one passage and keep the others: %+v", rep)
	}
	p, ok := found()
	if !ok {
		t.Fatal("not found by a caller's phrasing")
	}
	if p.Text != "A physician issues certificates of incapacity after an appointment." || p.Asked == "" || p.Ord != 0 {
		t.Errorf("asked passage %+v: want the lead passage's text, found by its phrasings", p)
	}
	if p.Coverage >= 0.5 {
		t.Errorf("coverage %.2f: a passage matched only by phrasings must not be trusted to answer", p.Coverage)
	}
	// Found by its own words, the lead passage appears once, not twice.
	ps, err := k.Search(ctx, "certificates of incapacity physician", "en", 5)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, p := range ps {
		if strings.HasPrefix(p.Text, "A physician issues") {
			seen++
		}
	}
	if seen != 1 {
		t.Errorf("lead passage listed %d times: %+v", seen, ps)
	}
	// Full text searches the phrasings too.
	th, err := s.TextSearch(ctx, tenant, "en", knowledge.ContentTerms("boss note", "en"), 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(th) == 0 || th[0].ArticleID != "sick-leave" || th[0].Asked == "" {
		t.Errorf("full text of phrasings: %+v", th)
	}

	// Taking the phrasings away removes that passage and nothing else.
	fsys["kb/en/sick-leave.md"] = sickLeave()
	rep = mustIngest(t, in, fsys)
	if rep.ChunksAdded != 0 || rep.ChunksRemoved != 1 {
		t.Fatalf("removing phrasings: %+v", rep)
	}
	if p, ok := found(); ok {
		t.Errorf("still found by removed phrasings: %+v", p)
	}
}
