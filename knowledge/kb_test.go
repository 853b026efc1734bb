package knowledge_test

import (
	"context"
	"os"
	"testing"

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

func TestRetrievalEval(t *testing.T) {
	kb := demo(t)
	f, err := examples.KB.Open("kb/questions.tsv")
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
	rep.WriteTable(os.Stdout)
	for _, r := range rep.ByLang {
		for _, m := range r.Misses {
			t.Logf("%s miss: %s", r.Lang, m)
		}
	}
}
