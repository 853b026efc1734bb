package openaicompat

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vastaa/vastaa/knowledge"
	"github.com/vastaa/vastaa/knowledge/sqlitestore"
)

func TestEmbeddingsBatchedAndChecked(t *testing.T) {
	var sizes []int
	srv, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		var req struct {
			Input []string `json:"input"`
			Model string   `json:"model"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Fatalf("request body: %v", err)
		}
		if req.Model != "embed-small" {
			t.Errorf("model %q", req.Model)
		}
		sizes = append(sizes, len(req.Input))
		var data []string
		for i, s := range req.Input {
			// A vector that depends on the text: its length and first letter.
			data = append(data, fmt.Sprintf(`{"object":"embedding","index":%d,"embedding":[%d,%d,0,0]}`, i, len(s), int(s[0])))
		}
		fmt.Fprintf(w, `{"object":"list","data":[%s],"model":"embed-small"}`, strings.Join(data, ","))
	})
	srv.failStatus, srv.failFirst = 429, 1
	cfg.EmbeddingModel, cfg.EmbeddingDim = "embed-small", 4
	e, err := NewEmbedder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.Batch = 3
	texts := []string{"a", "bb", "ccc", "dddd", "eeeee", "ffffff", "g"}
	vecs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sizes) != "[3 3 1]" || srv.calls.Load() != 4 { // the first request got a 429 and was retried
		t.Errorf("batch sizes %v", sizes)
	}
	if len(vecs) != len(texts) {
		t.Fatalf("%d vectors", len(vecs))
	}
	for i, v := range vecs {
		n := float64(v[0]*v[0] + v[1]*v[1])
		if n < 0.999 || n > 1.001 {
			t.Errorf("vector %d not normalised: %v", i, v)
		}
		if want := float64(len(texts[i])) / float64(texts[i][0]); abs(float64(v[0]/v[1])-want) > 1e-4 {
			t.Errorf("vector %d out of order: %v", i, v)
		}
	}

	// A model answering with another dimension is refused with a clear error.
	cfg.EmbeddingDim = 8
	e2, _ := NewEmbedder(cfg)
	if _, err := e2.Embed(context.Background(), []string{"x"}); err == nil || !strings.Contains(err.Error(), "dimension 4, configured 8") {
		t.Errorf("dimension mismatch: %v", err)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestEmbeddingsEndpointUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens here now
	e, err := NewEmbedder(Config{BaseURL: "http://" + addr + "/v1", EmbeddingModel: "m", EmbeddingDim: 4, Retries: 3, RetryBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = e.Embed(context.Background(), []string{"hello"})
	if err == nil || !strings.Contains(err.Error(), "after 4 attempts") || !strings.Contains(err.Error(), addr) {
		t.Fatalf("unreachable endpoint: %v", err)
	}
	if time.Since(start) < 35*time.Millisecond { // 5 + 10 + 20 ms of backoff
		t.Errorf("no backoff between retries: %v", time.Since(start))
	}

	// Ingesting through it writes nothing and names the document.
	st, err := sqlitestore.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in := &knowledge.Ingester{Store: st, Embedder: e}
	_, err = in.Ingest(context.Background(), []knowledge.Source{memSource("kb/a.md", "---\nid: a\nlang: en\n---\nHello there.\n")}, nil)
	if err == nil || !strings.Contains(err.Error(), "kb/a.md") || !strings.Contains(err.Error(), "after 4 attempts") {
		t.Errorf("ingest through an unreachable endpoint: %v", err)
	}
	if stats, _ := st.Stats(context.Background(), knowledge.DefaultTenant); stats.Documents != 0 || stats.Chunks != 0 {
		t.Errorf("something was written: %+v", stats)
	}
}

func memSource(name, body string) knowledge.Source {
	return knowledge.Source{Name: name, Size: int64(len(body)), Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }}
}

func TestGroundedAnswerRequestAndCitations(t *testing.T) {
	var got struct {
		Model          string `json:"model"`
		Messages       []struct{ Role, Content string }
		ResponseFormat struct {
			Type       string `json:"type"`
			JSONSchema struct {
				Name   string          `json:"name"`
				Strict bool            `json:"strict"`
				Schema json.RawMessage `json:"schema"`
			} `json:"json_schema"`
		} `json:"response_format"`
	}
	reply := `{"found":true,"answer":"Olemme auki arkisin 8–18.","citations":["opening-hours","made-up"]}`
	_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			t.Errorf("path %s", r.URL.Path)
		}
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(reply)
		fmt.Fprintf(w, `{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}]}`, b)
	})
	cfg.AnswerModel = "answer-large"
	c, err := NewComposer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in := &knowledge.Ingester{Store: st, Embedder: knowledge.NewLocalEmbedder(0)}
	docs := []knowledge.Source{
		memSource("kb/fi/opening-hours.md", "---\nid: opening-hours\nlang: fi\ntitle: Aukioloajat\n---\nKlinikka on avoinna arkisin klo 8–18. Lauantaisin olemme auki klo 9–14.\n"),
		memSource("kb/fi/prices.md", "---\nid: prices\nlang: fi\ntitle: Hinnat\n---\nYleislääkärin vastaanotto maksaa 65 euroa.\n"),
	}
	if _, err := in.Ingest(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	kb := &knowledge.KB{Store: st, Embedder: knowledge.NewLocalEmbedder(0), Composer: c}
	a, err := kb.Answer(ctx, "milloin olette auki lauantaina", "fi")
	if err != nil {
		t.Fatal(err)
	}
	// The invented citation is dropped; the real one stays.
	if !a.Found || a.Text != "Olemme auki arkisin 8–18." || fmt.Sprint(a.Citations) != "[opening-hours]" {
		t.Errorf("answer %+v", a)
	}
	if got.Model != "answer-large" || got.ResponseFormat.Type != "json_schema" || !got.ResponseFormat.JSONSchema.Strict ||
		!strings.Contains(string(got.ResponseFormat.JSONSchema.Schema), `"citations"`) {
		t.Errorf("request %+v", got)
	}
	if len(got.Messages) != 2 || !strings.Contains(got.Messages[0].Content, "ONLY the passages") || !strings.Contains(got.Messages[0].Content, "Finnish") ||
		!strings.Contains(got.Messages[1].Content, "[id: opening-hours]") || !strings.Contains(got.Messages[1].Content, "milloin olette auki lauantaina") {
		t.Errorf("messages %+v", got.Messages)
	}

	// A reply citing only articles it was not given is not said.
	reply = `{"found":true,"answer":"We are open around the clock.","citations":["made-up"]}`
	if a, err := kb.Answer(ctx, "milloin olette auki lauantaina", "fi"); err != nil || a.Found || a.Text != "" {
		t.Errorf("ungrounded answer said: %+v %v", a, err)
	}
	// The model saying the passages do not answer is respected.
	reply = `{"found":false,"answer":"","citations":[]}`
	if a, err := kb.Answer(ctx, "milloin olette auki lauantaina", "fi"); err != nil || a.Found {
		t.Errorf("not-found reply: %+v %v", a, err)
	}
	// Below the retrieval threshold the model is not even asked.
	before := got.Model
	got.Model = ""
	if a, err := kb.Answer(ctx, "kuka voitti jalkapallo-ottelun eilen", "fi"); err != nil || a.Found || got.Model != "" {
		t.Errorf("off-topic: %+v %v (model asked: %q)", a, err, got.Model)
	}
	_ = before
}
