package sphinx

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/pipeline/speechtest"
)

// telephoneSpeech is Festival speech as it reaches the bot: 8 kHz,
// through G.711 and back, upsampled to 16 kHz as the pipeline does.
func telephoneSpeech(t testing.TB, text string) []int16 {
	t.Helper()
	pcm := speechtest.Festival(t, text, 8000)
	pcm = media.PCMU.Decode(nil, media.PCMU.Encode(nil, pcm))
	return media.Resample(pcm, 8000, 16000)
}

func recognise(t testing.TB, r *Recognizer, pcm []int16) string {
	t.Helper()
	st, err := r.NewStream(context.Background(), pipeline.English)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := 0; i < len(pcm); i += 320 {
		if err := st.Write(pcm[i:min(i+320, len(pcm))]); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := st.Finish(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tr.Text
}

// TestGenericModelTelephoneSpeech shows what the generic English model
// makes of telephone speech without the domain model.
func TestGenericModelTelephoneSpeech(t *testing.T) {
	r, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cases := []struct {
		say  string
		want []string
	}{
		{"What are your opening hours?", []string{"what", "are", "your"}},
		{"I want to talk to a person.", []string{"i", "want"}},
		{"I would like to book an appointment.", []string{"book", "appointment"}},
	}
	for _, c := range cases {
		got := recognise(t, r, telephoneSpeech(t, c.say))
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%q heard as %q: %q missing", c.say, got, w)
			}
		}
		t.Logf("%q -> %q", c.say, got)
	}
}

func TestSilenceAndEmpty(t *testing.T) {
	r, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := recognise(t, r, make([]int16, 16000)); got != "" {
		t.Errorf("silence heard as %q", got)
	}
	st, _ := r.NewStream(context.Background(), pipeline.English)
	tr, err := st.Finish(context.Background())
	if err != nil || tr.Text != "" {
		t.Errorf("empty utterance: %q %v", tr.Text, err)
	}
	if _, err := st.Finish(context.Background()); err == nil {
		t.Error("second Finish accepted")
	}
	st.Close()
	st.Close() // twice is safe
	if err := st.Write([]int16{1}); err == nil {
		t.Error("write after close accepted")
	}
}

func TestPoolBlocksAndReuses(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PoolSize = 2
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a, _ := r.NewStream(context.Background(), "")
	b, _ := r.NewStream(context.Background(), "")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := r.NewStream(ctx, ""); err == nil {
		t.Fatal("a third stream got a decoder from a pool of two")
	}
	a.Close()
	c, err := r.NewStream(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	b.Close()
	if n := len(r.all); n != 2 {
		t.Fatalf("%d decoders made, want 2", n)
	}
}

func TestConcurrentStreams(t *testing.T) {
	r, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pcm := telephoneSpeech(t, "I would like to book an appointment.")
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := recognise(t, r, pcm); !strings.Contains(got, "appointment") {
				t.Errorf("concurrent: %q", got)
			}
		}()
	}
	wg.Wait()
}

// BenchmarkRecognise measures the real-time factor with the domain model,
// as vastaa serve runs it.
func BenchmarkRecognise(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Corpus = testCorpus
	r, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	pcm := telephoneSpeech(b, "What are your opening hours? I would like to book an appointment for next week.")
	audio := time.Duration(len(pcm)) * time.Second / 16000
	b.ResetTimer()
	var spent time.Duration
	for b.Loop() {
		t0 := time.Now()
		recognise(b, r, pcm)
		spent += time.Since(t0)
	}
	b.ReportMetric(spent.Seconds()/float64(b.N)/audio.Seconds(), "RTF")
}

var testCorpus = []string{
	"what are your opening hours", "when are you open", "what time do you open", "what time do you close",
	"are you open on saturday", "what are the opening hours on sunday", "where is the clinic", "what is your address",
	"how much does a visit cost", "what are your prices", "i need to renew my prescription", "where can i park",
	"i want to talk to a person", "can i speak to a nurse", "let me talk to a human", "connect me to someone",
	"i would like to book an appointment", "i want to book a time", "can i get an appointment next week",
	"i need to cancel my appointment", "i want to move my appointment", "i want to leave a message",
	"yes", "no", "yes please", "no thanks", "goodbye", "thank you bye", "it is an emergency", "this is urgent",
	"when do i get my lab results", "do you give flu vaccinations",
}

func TestDomainLanguageModel(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Corpus = testCorpus
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Exact for most; Festival's "opening" over G.711 is acoustically
	// weak and comes out as "open on", so that one is checked by its
	// content words.
	for _, c := range []struct {
		say   string
		want  string
		words []string
	}{
		{"What are your opening hours?", "", []string{"what", "open", "hours"}},
		{"I want to talk to a person.", "i want to talk to a person", nil},
		{"Where can I park?", "where can i park", nil},
		{"I need to cancel my appointment.", "i need to cancel my appointment", nil},
	} {
		got := recognise(t, r, telephoneSpeech(t, c.say))
		if c.want != "" && got != c.want {
			t.Errorf("%q heard as %q", c.say, got)
		}
		for _, w := range c.words {
			if !strings.Contains(got, w) {
				t.Errorf("%q heard as %q: %q missing", c.say, got, w)
			}
		}
		t.Logf("%q -> %q", c.say, got)
	}
}

func TestWriteDomainLMIsValidARPA(t *testing.T) {
	var b strings.Builder
	n, err := WriteDomainLM(&b, []string{"hello there", "hello world", "xyzzy"}, map[string]bool{"hello": true, "there": true, "world": true})
	if err != nil || n != 5 { // <s> </s> hello there world
		t.Fatalf("vocab %d err %v", n, err)
	}
	out := b.String()
	for _, want := range []string{"\\data\\", "ngram 1=5", "ngram 2=5", "ngram 3=4", "\\end\\", "-99.000000 <s>"} {
		if !strings.Contains(out, want) {
			t.Errorf("ARPA lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "xyzzy") {
		t.Error("word outside the dictionary kept")
	}
	if _, err := WriteDomainLM(&b, []string{"xyzzy"}, map[string]bool{}); err == nil {
		t.Error("empty model accepted")
	}
}
