package knowledge_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vastaa/vastaa/examples"
	"github.com/vastaa/vastaa/knowledge"
	"github.com/vastaa/vastaa/knowledge/sqlitestore"
)

func demo(t testing.TB) *knowledge.KB {
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	in := &knowledge.Ingester{Store: st, Embedder: knowledge.NewLocalEmbedder(0)}
	rep, err := in.IngestFS(ctx, examples.KB, "kb", "embedded:")
	if err != nil || len(rep.Failed) > 0 {
		t.Fatalf("%+v %v", rep, err)
	}
	return &knowledge.KB{Store: st, Embedder: knowledge.NewLocalEmbedder(0)}
}

// The demo clinic has what the issue asks: at least 25 articles in English
// and Finnish and 10 in Swedish and Latvian, and 150 labelled questions.
func TestDemoKnowledgeBaseSize(t *testing.T) {
	arts, err := knowledge.ReadArticles(examples.KB, "kb")
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, a := range arts {
		n[a.Lang]++
	}
	if n["en"] < 25 || n["fi"] < 25 || n["sv"] < 10 || n["lv"] < 10 {
		t.Errorf("articles per language: %v", n)
	}
	f, _ := examples.KB.Open("kb/questions.tsv")
	qs, err := knowledge.ReadQuestions(f)
	if err != nil {
		t.Fatal(err)
	}
	answerable, paraphrase := 0, 0
	for _, q := range qs {
		if q.Article != "-" {
			answerable++
		}
		if q.Kind == "paraphrase" {
			paraphrase++
		}
	}
	if answerable < 150 || paraphrase < 50 {
		t.Errorf("%d answerable questions, %d paraphrases", answerable, paraphrase)
	}
}

func TestAnswersFromTheRightArticle(t *testing.T) {
	kb := demo(t)
	cases := []struct {
		lang, q, want string
		contains      []string
	}{
		{"en", "what are your opening hours", "opening-hours", []string{"8:00", "18:00"}},
		{"en", "what are your open on hours on", "opening-hours", []string{"18:00"}}, // as pocketsphinx hears it
		{"en", "are you open on saturday", "opening-hours", []string{"9:00"}},
		{"en", "how much does a visit to a general practitioner cost", "prices", []string{"65"}},
		{"en", "i need to renew my prescription", "prescription-renewal", nil},
		{"en", "where can i park", "parking", nil},
		{"en", "where is the clinic", "address", []string{"Rantakatu"}},
		{"en", "when do i get my lab results", "lab-results", nil},
		{"en", "how do i cancel an appointment", "cancellation-policy", nil},
		{"en", "do you have a dentist", "dental-care", nil},
		{"fi", "milloin olette auki", "opening-hours", []string{"8"}},
		{"fi", "paljonko lääkärikäynti maksaa", "prices", nil},
		{"fi", "miten uusin reseptin", "prescription-renewal", nil},
		{"fi", "missä voin pysäköidä", "parking", nil},
		{"sv", "vilka är era öppettider", "opening-hours", nil},
		{"sv", "vad kostar ett läkarbesök", "prices", nil},
		{"lv", "kāds ir jūsu darba laiks", "opening-hours", nil},
		{"lv", "cik maksā ārsta vizīte", "prices", nil},
	}
	for _, c := range cases {
		a, err := kb.Answer(context.Background(), c.q, c.lang)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Found || !slices.Contains(a.Citations, c.want) {
			t.Errorf("%s %q: found %v cites %v (confidence %.2f), want %s", c.lang, c.q, a.Found, a.Citations, a.Confidence, c.want)
			continue
		}
		for _, s := range c.contains {
			if !strings.Contains(a.Text, s) {
				t.Errorf("%s %q: answer %q lacks %q", c.lang, c.q, a.Text, s)
			}
		}
		if a.Passages[0].Lang != c.lang {
			t.Errorf("%s %q answered from %s", c.lang, c.q, a.Passages[0].Lang)
		}
	}
}

func TestSaysWhenItDoesNotKnow(t *testing.T) {
	kb := demo(t)
	for _, q := range []struct{ lang, text string }{
		{"en", "what is the capital of mongolia"},
		{"en", "tell me a joke about cats"},
		{"en", "who won the football match yesterday"},
		{"fi", "kuka voitti jalkapallo-ottelun eilen"},
		{"sv", "vem vann fotbollsmatchen i går"},
	} {
		a, err := kb.Answer(context.Background(), q.text, q.lang)
		if err != nil {
			t.Fatal(err)
		}
		if a.Found || a.Text != "" || len(a.Citations) != 0 {
			t.Errorf("%q answered: %+v", q.text, a)
		}
	}
	if _, err := kb.Answer(context.Background(), "  ", "en"); err == nil {
		t.Error("empty question accepted")
	}
}

// A language with no articles at all is searched in English.
func TestFallsBackToEnglish(t *testing.T) {
	kb := demo(t)
	a, err := kb.Answer(context.Background(), "where can i park", "et")
	if err != nil || !a.Found || !slices.Contains(a.Citations, "parking") || a.Passages[0].Lang != "en" {
		t.Fatalf("%+v %v", a, err)
	}
}

// retrievalFloor is the recall@5 both question sets must keep with the
// local embedding and hybrid ranking on the embedded store (the issue's
// target is 0.9 in English and Finnish): a change that makes retrieval
// worse fails here. (Measured 2026-12-02, shipped: en 0.982, fi 0.982,
// sv 1.000, lv 0.969; held-out: en 0.939, fi 0.988.)
var retrievalFloor = map[string]float64{"en": 0.90, "fi": 0.90, "sv": 0.90, "lv": 0.90}

func TestRetrievalEval(t *testing.T) {
	for _, set := range []string{"kb/questions.tsv", "kb/questions-heldout.tsv"} {
		t.Run(strings.TrimSuffix(strings.TrimPrefix(set, "kb/"), ".tsv"), func(t *testing.T) { retrievalEval(t, set) })
	}
}

func retrievalEval(t *testing.T, set string) {
	kb := demo(t)
	f, err := examples.KB.Open(set)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := knowledge.ReadQuestions(f)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := knowledge.Evaluate(context.Background(), kb, qs)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	rep.WriteTable(&sb)
	t.Log("\n" + sb.String())
	for _, r := range rep.ByLang {
		if floor, ok := retrievalFloor[r.Lang]; ok && r.RecallAt5 < floor {
			t.Errorf("%s recall@5 %.3f below %.2f; misses:\n%s", r.Lang, r.RecallAt5, floor, strings.Join(r.Misses, "\n"))
		}
		if r.Unanswer > 0 && r.FalseFound > 0.5 {
			t.Errorf("%s: %.0f%% of unanswerable questions answered", r.Lang, r.FalseFound*100)
		}
	}
}

// bigDoc streams a large Markdown document without holding it.
type bigDoc struct {
	left int
	i    int
	buf  []byte
}

func (b *bigDoc) Read(p []byte) (int, error) {
	if len(b.buf) == 0 {
		if b.left <= 0 {
			return 0, io.EOF
		}
		if b.i == 0 {
			b.buf = []byte("---\nid: manual\nlang: en\ntitle: Equipment manual\n---\n")
		} else {
			b.buf = fmt.Appendf(nil, "Step %d: check the autoclave seal %d and write the reading in log book %d before the shift ends.\n\n", b.i, b.i%31, b.i%997)
		}
		b.i++
		b.left -= len(b.buf)
	}
	n := copy(p, b.buf)
	b.buf = b.buf[n:]
	return n, nil
}

// A 40 MB document is ingested in bounded memory: it is streamed twice
// (hash, then chunks) and never held whole.
func TestLargeDocumentBoundedMemory(t *testing.T) {
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, t.TempDir()+"/kb.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const size = 40 << 20
	src := knowledge.Source{Name: "mem:manual.md", Size: size, Open: func() (io.ReadCloser, error) { return io.NopCloser(&bigDoc{left: size}), nil }}
	in := &knowledge.Ingester{Store: st, Embedder: knowledge.NewLocalEmbedder(0), BatchSize: 128, Chunking: knowledge.ChunkOptions{MaxChars: 4000}}
	runtime.GC()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	rep, err := in.Ingest(ctx, []knowledge.Source{src}, nil)
	close(stop)
	wg.Wait()
	if err != nil || rep.Added != 1 || rep.ChunksAdded < 9000 {
		t.Fatalf("%+v %v", rep, err)
	}
	t.Logf("40 MB document: %d chunks in %s, peak heap in use %d MiB", rep.ChunksAdded, rep.Elapsed, peak>>20)
	if peak > 32<<20 {
		t.Errorf("peak heap %d MiB while ingesting a 40 MiB document", peak>>20)
	}
	kb := &knowledge.KB{Store: st, Embedder: knowledge.NewLocalEmbedder(0)}
	ps, err := kb.Search(ctx, "autoclave seal log book 123", "en", 3)
	if err != nil || len(ps) == 0 || ps[0].ArticleID != "manual" {
		t.Errorf("%v %v", ps, err)
	}
}
