package openaicompat

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/pipeline"
)

// server is a local OpenAI-compatible endpoint that checks every request
// and answers from a script.
type server struct {
	t     *testing.T
	calls atomic.Int32
	// fail makes the first n requests answer with this status.
	failStatus int
	failFirst  int32
	handle     func(w http.ResponseWriter, r *http.Request)
}

func newServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) (*server, Config) {
	s := &server{t: t, handle: handle}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.calls.Add(1)
		if got := r.Header.Get("Authorization"); got != "Bearer test-key" {
			t.Errorf("Authorization = %q", got)
		}
		if n <= s.failFirst {
			w.WriteHeader(s.failStatus)
			io.WriteString(w, `{"error":{"message":"try later","type":"server_error"}}`)
			return
		}
		s.handle(w, r)
	}))
	t.Cleanup(ts.Close)
	return s, Config{BaseURL: ts.URL + "/v1", APIKey: "test-key", STTModel: "whisper-1", ChatModel: "chat-small",
		TTSModel: "tts-1", TTSVoice: "alloy", RetryBackoff: time.Millisecond}
}

func TestTranscriptionRequestAndReply(t *testing.T) {
	srv, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		if err := r.ParseMultipartForm(10 << 20); err != nil {
			t.Fatalf("multipart: %v", err)
		}
		if r.FormValue("model") != "whisper-1" || r.FormValue("language") != "fi" || r.FormValue("response_format") != "verbose_json" {
			t.Errorf("fields model=%q language=%q format=%q", r.FormValue("model"), r.FormValue("language"), r.FormValue("response_format"))
		}
		f, _, err := r.FormFile("file")
		if err != nil {
			t.Fatalf("file: %v", err)
		}
		pcm, rate, err := media.ReadWAV(f)
		if err != nil || rate != 16000 || len(pcm) != 16000 {
			t.Errorf("uploaded audio: rate %d, %d samples, %v", rate, len(pcm), err)
		}
		io.WriteString(w, `{"text":" Milloin olette auki? ","language":"finnish","duration":1.0}`)
	})
	srv.failStatus, srv.failFirst = 503, 1 // the first try fails: retried
	stt, err := NewSTT(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := stt.NewStream(context.Background(), pipeline.Finnish)
	for i := 0; i < 50; i++ {
		st.Write(make([]int16, 320))
	}
	tr, err := st.Finish(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tr.Text != "Milloin olette auki?" || tr.Language != pipeline.Finnish {
		t.Fatalf("transcript %+v", tr)
	}
	if srv.calls.Load() != 2 {
		t.Fatalf("%d requests, want 2 (one retry)", srv.calls.Load())
	}
}

func TestIntentRequestUsesJSONSchema(t *testing.T) {
	reply := `{"intent":"booking","confidence":0.87}`
	_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			t.Errorf("path %s", r.URL.Path)
		}
		var req struct {
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
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Fatal(err)
		}
		if req.Model != "chat-small" || req.ResponseFormat.Type != "json_schema" || !req.ResponseFormat.JSONSchema.Strict {
			t.Errorf("request %+v", req)
		}
		schema := string(req.ResponseFormat.JSONSchema.Schema)
		for _, want := range []string{`"enum"`, `"booking"`, `"urgent"`, `"confidence"`, `"additionalProperties":false`} {
			if !strings.Contains(schema, want) {
				t.Errorf("schema lacks %s: %s", want, schema)
			}
		}
		if len(req.Messages) != 2 || !strings.Contains(req.Messages[1].Content, "Utterance: ") || !strings.Contains(req.Messages[1].Content, "Language hint: fi") {
			t.Errorf("messages %+v", req.Messages)
		}
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": reply}}}})
	})
	ic, err := NewIntentClassifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ic.Classify(context.Background(), "haluan varata aika", pipeline.Finnish)
	if err != nil || res.Intent != pipeline.IntentBooking || res.Confidence != 0.87 {
		t.Fatalf("%+v %v", res, err)
	}
	for _, bad := range []string{`not json`, `{"intent":"dance","confidence":0.9}`, `{"intent":"yes"}`, `{"intent":"yes","confidence":7}`} {
		reply = bad
		if _, err := ic.Classify(context.Background(), "kyllä", pipeline.Finnish); err == nil {
			t.Errorf("reply %s accepted", bad)
		}
	}
}

func TestSpeechRequestAndWAVReply(t *testing.T) {
	_, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		json.NewDecoder(r.Body).Decode(&req)
		if r.URL.Path != "/v1/audio/speech" || req["model"] != "tts-1" || req["voice"] != "alloy" || req["response_format"] != "wav" || req["input"] != "Hei" {
			t.Errorf("%s %v", r.URL.Path, req)
		}
		pcm := make([]int16, 2400)
		for i := range pcm {
			pcm[i] = int16(8000 * math.Sin(float64(i)/4))
		}
		var b bytes.Buffer
		media.WriteWAV(&b, 24000, 1, pcm)
		w.Write(b.Bytes())
	})
	tts, err := NewTTS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := tts.Synthesize(context.Background(), "Hei", pipeline.Finnish)
	if err != nil || sp.SampleRate != 24000 || len(sp.PCM) != 2400 {
		t.Fatalf("%d Hz %d samples %v", sp.SampleRate, len(sp.PCM), err)
	}
	if _, err := tts.Synthesize(context.Background(), "  ", pipeline.Finnish); err == nil {
		t.Fatal("empty text accepted")
	}
}

func TestErrorsAreClear(t *testing.T) {
	// 401: not retried, says so.
	srv, cfg := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		io.WriteString(w, `{"error":{"message":"bad key","type":"invalid_request_error"}}`)
	})
	ic, _ := NewIntentClassifier(cfg)
	_, err := ic.Classify(context.Background(), "hello", pipeline.English)
	if err == nil || !strings.Contains(err.Error(), "bad key") || srv.calls.Load() != 1 {
		t.Fatalf("401: %v after %d calls", err, srv.calls.Load())
	}
	// Garbage audio from the speech endpoint.
	_, cfg2 := newServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>oops</html>") })
	tts, _ := NewTTS(cfg2)
	if _, err := tts.Synthesize(context.Background(), "hi", pipeline.English); err == nil || !strings.Contains(err.Error(), "WAV") {
		t.Fatalf("garbage audio: %v", err)
	}
	// Nothing listening: retried, then a clear error naming the endpoint.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	stt, _ := NewSTT(Config{BaseURL: "http://" + addr + "/v1", STTModel: "whisper-1", RetryBackoff: time.Millisecond})
	st, _ := stt.NewStream(context.Background(), pipeline.English)
	st.Write(make([]int16, 1600))
	_, err = st.Finish(context.Background())
	if err == nil || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "3 attempts") {
		t.Fatalf("unreachable: %v", err)
	}
	if _, err := NewSTT(Config{}); err == nil {
		t.Fatal("no base URL accepted")
	}
}
