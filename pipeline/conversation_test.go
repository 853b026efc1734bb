package pipeline

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fakes below stand in for the real providers so the turn-taking logic
// can be checked exactly; the real providers are tested in their packages
// and together in cmd/vastaa's end-to-end tests.

// fakePort feeds scripted frames at real-time pace and records playback.
type fakePort struct {
	frames chan []int16
	dtmf   chan rune
	done   chan struct{}

	mu      sync.Mutex
	played  []*fakePlayback
	stopped int
}

type fakePlayback struct {
	done    chan struct{}
	first   time.Time
	samples int
}

func (p *fakePlayback) Done() <-chan struct{}    { return p.done }
func (p *fakePlayback) FirstPacketAt() time.Time { return p.first }

func newFakePort() *fakePort {
	return &fakePort{frames: make(chan []int16, 1000), dtmf: make(chan rune, 4), done: make(chan struct{})}
}

func (p *fakePort) Frames() <-chan []int16 { return p.frames }
func (p *fakePort) DTMF() <-chan rune      { return p.dtmf }
func (p *fakePort) Done() <-chan struct{}  { return p.done }

// Play "plays" for the audio's duration unless stopped.
func (p *fakePort) Play(pcm []int16) Playback {
	pb := &fakePlayback{done: make(chan struct{}), first: time.Now(), samples: len(pcm)}
	p.mu.Lock()
	p.played = append(p.played, pb)
	p.mu.Unlock()
	go func(d time.Duration) {
		time.Sleep(d)
		p.mu.Lock()
		defer p.mu.Unlock()
		select {
		case <-pb.done:
		default:
			close(pb.done)
		}
	}(time.Duration(len(pcm)) * time.Second / 8000)
	return pb
}

func (p *fakePort) StopPlayback() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped++
	for _, pb := range p.played {
		select {
		case <-pb.done:
		default:
			close(pb.done)
		}
	}
	return 1
}

func (p *fakePort) plays() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.played)
}

// feed sends ms milliseconds of "speech" (loud) or silence in 20 ms frames, paced.
func (p *fakePort) feed(loud bool, msDur int) {
	for i := 0; i < msDur/20; i++ {
		f := make([]int16, 160)
		if loud {
			for j := range f {
				f[j] = 8000
			}
		}
		p.frames <- f
		time.Sleep(20 * time.Millisecond)
	}
}

// levelVAD says "speech" for loud windows: fine for scripted frames.
type levelVAD struct{}

func (levelVAD) SampleRate() int { return 8000 }
func (levelVAD) WindowSize() int { return 256 }
func (levelVAD) Process(s []float32) (float32, error) {
	if s[len(s)/2] > 0.1 {
		return 0.95, nil
	}
	return 0.02, nil
}
func (levelVAD) Reset()       {}
func (levelVAD) Close() error { return nil }

// scriptSTT returns the next scripted transcript for each utterance.
type scriptSTT struct {
	mu      sync.Mutex
	texts   []string
	written int
}

func (s *scriptSTT) Name() string    { return "script" }
func (s *scriptSTT) SampleRate() int { return 16000 }
func (s *scriptSTT) NewStream(ctx context.Context, lang Language) (RecognizerStream, error) {
	return &scriptStream{s: s}, nil
}

type scriptStream struct{ s *scriptSTT }

func (st *scriptStream) Write(pcm []int16) error {
	st.s.mu.Lock()
	st.s.written += len(pcm)
	st.s.mu.Unlock()
	return nil
}
func (st *scriptStream) Partial() string { return "" }
func (st *scriptStream) Finish(ctx context.Context) (Transcript, error) {
	st.s.mu.Lock()
	defer st.s.mu.Unlock()
	if len(st.s.texts) == 0 {
		return Transcript{}, nil
	}
	t := st.s.texts[0]
	st.s.texts = st.s.texts[1:]
	return Transcript{Text: t, Language: English}, nil
}
func (st *scriptStream) Close() error { return nil }

// beepTTS makes 40 ms of audio per character, so replies take time to play.
type beepTTS struct{ fail bool }

func (beepTTS) Name() string { return "beep" }
func (b beepTTS) Synthesize(ctx context.Context, text string, lang Language) (Speech, error) {
	if b.fail {
		return Speech{}, errors.New("tts down")
	}
	return Speech{PCM: make([]int16, 320*len(text)), SampleRate: 8000}, nil
}

// keywordIntents classifies by keyword.
type keywordIntents struct{}

func (keywordIntents) Name() string { return "keyword" }
func (keywordIntents) Classify(ctx context.Context, text string, lang Language) (IntentResult, error) {
	switch {
	case strings.Contains(text, "person"):
		return IntentResult{Intent: IntentHuman, Confidence: 0.9}, nil
	case strings.Contains(text, "bye"):
		return IntentResult{Intent: IntentGoodbye, Confidence: 0.9}, nil
	}
	return IntentResult{Intent: IntentQuestion, Confidence: 0.8}, nil
}

// ruleDecider answers like a tiny CallWorkflow.
type ruleDecider struct {
	mu   sync.Mutex
	reqs []TurnRequest
}

func (d *ruleDecider) Decide(ctx context.Context, r TurnRequest) (Reply, error) {
	d.mu.Lock()
	d.reqs = append(d.reqs, r)
	silences := 0
	for _, q := range d.reqs {
		if q.Silence {
			silences++
		}
	}
	d.mu.Unlock()
	switch {
	case r.DTMF == "0" || r.Intent.Intent == IntentHuman:
		return Reply{Text: "connecting", Route: RouteHandoff, Queue: "general"}, nil
	case r.DTMF == "2":
		return Reply{Text: "leave a message after the tone", Route: "voicemail", Record: true}, nil
	case r.Intent.Intent == IntentGoodbye || silences >= 2:
		return Reply{Text: "bye", Hangup: true}, nil
	case r.Silence:
		return Reply{Text: "are you there?"}, nil
	}
	return Reply{Text: "we are open from eight to six", Route: "self_service", Citations: []string{"opening-hours"}}, nil
}

type memSink struct {
	mu   sync.Mutex
	recs []TurnRecord
}

func (s *memSink) RecordTurn(ctx context.Context, r TurnRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, r)
}

func (s *memSink) all() []TurnRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TurnRecord(nil), s.recs...)
}

func newConv(port *fakePort, stt *scriptSTT, dec *ruleDecider, sink *memSink) *Conversation {
	ep := DefaultEndpointConfig()
	// Long enough that a loaded machine's scheduling delays never look
	// like a silent caller; the silence test shortens it.
	ep.NoInput = 3 * time.Second
	return &Conversation{
		CallID: "t1", Port: port, VAD: levelVAD{}, STT: stt, TTS: beepTTS{},
		Understand: Understanding{Intents: keywordIntents{}}, Decider: dec, Sink: sink,
		Endpoint: ep, Language: English, Greeting: "hi",
	}
}

type runResult struct {
	out Outcome
	err error
}

func start(t *testing.T, c *Conversation) <-chan runResult {
	t.Helper()
	ch := make(chan runResult, 1)
	go func() {
		out, err := c.Run(context.Background())
		ch <- runResult{out, err}
	}()
	return ch
}

func wait(t *testing.T, ch <-chan runResult) runResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("conversation did not end")
		return runResult{}
	}
}

func TestConversationQuestionThenHandoff(t *testing.T) {
	port, stt, dec, sink := newFakePort(), &scriptSTT{texts: []string{"what are your opening hours", "a person please"}}, &ruleDecider{}, &memSink{}
	done := start(t, newConv(port, stt, dec, sink))
	time.Sleep(150 * time.Millisecond) // greeting (80 ms) over
	port.feed(false, 100)
	port.feed(true, 600)
	port.feed(false, 400)
	time.Sleep(1500 * time.Millisecond) // the answer plays
	port.feed(true, 500)
	port.feed(false, 400)
	r := wait(t, done)
	if r.err != nil || r.out.EndedBy != "handoff" || r.out.Queue != "general" || r.out.Turns != 2 {
		t.Fatalf("outcome %+v err %v", r.out, r.err)
	}
	recs := sink.all()
	if len(recs) != 2 {
		t.Fatalf("%d turn records, want 2", len(recs))
	}
	q := recs[0]
	if q.Request.Text != "what are your opening hours" || q.Reply.Citations[0] != "opening-hours" || q.Request.Intent.Intent != IntentQuestion {
		t.Errorf("first turn %+v", q)
	}
	// Endpointing waits for 300 ms of silence (10 windows of 32 ms = 320 ms).
	if q.Timings.Endpointing < 250 || q.Timings.Endpointing > 600 {
		t.Errorf("endpointing %.0f ms, want about 300", q.Timings.Endpointing)
	}
	if q.Timings.FirstAudio <= 0 || q.Timings.FirstAudio < q.Timings.Endpointing {
		t.Errorf("first audio %.0f ms should include endpointing %.0f ms", q.Timings.FirstAudio, q.Timings.Endpointing)
	}
	// Pre-roll: STT got more audio than the voiced part alone (16 kHz).
	if stt.written < 2*(600+300)*16 {
		t.Errorf("STT got %d samples; pre-roll missing?", stt.written)
	}
}

func TestConversationBargeInStopsPlayback(t *testing.T) {
	port, stt, dec, sink := newFakePort(), &scriptSTT{texts: []string{"what about prices", "bye"}}, &ruleDecider{}, &memSink{}
	done := start(t, newConv(port, stt, dec, sink))
	time.Sleep(150 * time.Millisecond)
	port.feed(true, 500)
	port.feed(false, 400) // the long answer (about 1.2 s) starts playing now
	time.Sleep(200 * time.Millisecond)
	port.mu.Lock()
	stopsBefore := port.stopped
	port.mu.Unlock()
	t0 := time.Now()
	go port.feed(true, 500) // the caller talks over the answer
	for {
		port.mu.Lock()
		stopped := port.stopped
		port.mu.Unlock()
		if stopped > stopsBefore {
			break
		}
		if time.Since(t0) > time.Second {
			t.Fatal("playback not stopped by barge-in")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Functional bound only (two VAD windows plus frame delivery); the
	// latency figure itself belongs to the benchmarks.
	if d := time.Since(t0); d > 400*time.Millisecond {
		t.Errorf("barge-in took %v", d)
	}
	time.Sleep(500 * time.Millisecond)
	port.feed(false, 400)
	r := wait(t, done)
	if r.out.EndedBy != "bot-hangup" {
		t.Fatalf("outcome %+v", r.out)
	}
	recs := sink.all()
	if len(recs) != 2 || !recs[1].Request.BargeIn || recs[0].Request.BargeIn {
		t.Fatalf("barge-in flag wrong: %+v", recs)
	}
	// MinSpeech is 64 ms: the stop comes after two 32 ms windows of speech.
	if b := recs[1].Timings.BargeIn; b < 60 || b > 400 {
		t.Errorf("barge-in timing %.0f ms, want the VAD's 64 ms plus processing", b)
	}
}

func TestConversationSilenceRepromptsThenHangsUp(t *testing.T) {
	port, dec, sink := newFakePort(), &ruleDecider{}, &memSink{}
	c := newConv(port, &scriptSTT{}, dec, sink)
	c.Endpoint.NoInput = 400 * time.Millisecond
	done := start(t, c)
	r := wait(t, done)
	if r.out.EndedBy != "bot-hangup" || r.out.Turns != 2 {
		t.Fatalf("outcome %+v", r.out)
	}
	recs := sink.all()
	if len(recs) != 2 || !recs[0].Request.Silence || recs[0].Reply.Text != "are you there?" || !recs[1].Reply.Hangup {
		t.Fatalf("records %+v", recs)
	}
	if port.plays() != 3 { // greeting, reprompt, goodbye
		t.Errorf("%d prompts played, want 3", port.plays())
	}
}

func TestConversationDTMFAndHangupMidUtterance(t *testing.T) {
	port, dec, sink := newFakePort(), &ruleDecider{}, &memSink{}
	done := start(t, newConv(port, &scriptSTT{texts: []string{"x"}}, dec, sink))
	time.Sleep(150 * time.Millisecond)
	port.dtmf <- '0'
	r := wait(t, done)
	if r.out.EndedBy != "handoff" || sink.all()[0].Request.DTMF != "0" {
		t.Fatalf("DTMF 0: outcome %+v recs %+v", r.out, sink.all())
	}

	port2 := newFakePort()
	done2 := start(t, newConv(port2, &scriptSTT{}, &ruleDecider{}, &memSink{}))
	time.Sleep(150 * time.Millisecond)
	port2.feed(true, 300)
	close(port2.done)
	r2 := wait(t, done2)
	if r2.out.EndedBy != "caller-hangup" || !r2.out.MidUtterance {
		t.Fatalf("hang-up mid-sentence: %+v", r2.out)
	}
}

func TestConversationEndsForAVoicemail(t *testing.T) {
	port, sink := newFakePort(), &memSink{}
	done := start(t, newConv(port, &scriptSTT{}, &ruleDecider{}, sink))
	time.Sleep(150 * time.Millisecond)
	port.dtmf <- '2'
	r := wait(t, done)
	if r.err != nil || r.out.EndedBy != "voicemail" || r.out.Route != "voicemail" {
		t.Fatalf("outcome %+v err %v", r.out, r.err)
	}
	if port.plays() != 2 { // greeting, then the prompt before the tone, played out
		t.Errorf("%d prompts played, want 2", port.plays())
	}
}

func TestConversationNoiseWithoutWordsIsNotATurn(t *testing.T) {
	port, dec, sink := newFakePort(), &ruleDecider{}, &memSink{}
	c := newConv(port, &scriptSTT{}, dec, sink) // STT hears no words
	done := start(t, c)
	time.Sleep(150 * time.Millisecond)
	port.feed(true, 200)
	port.feed(false, 500)
	close(port.done)
	wait(t, done)
	if n := len(sink.all()); n != 0 {
		t.Fatalf("%d turns recorded for a cough", n)
	}
}

func TestConversationTTSFailureIsRecorded(t *testing.T) {
	port, dec, sink := newFakePort(), &ruleDecider{}, &memSink{}
	c := newConv(port, &scriptSTT{texts: []string{"what are your opening hours"}}, dec, sink)
	c.TTS = beepTTS{fail: true}
	c.Greeting = ""
	done := start(t, c)
	port.feed(true, 400)
	port.feed(false, 400)
	time.Sleep(100 * time.Millisecond)
	close(port.done)
	wait(t, done)
	recs := sink.all()
	if len(recs) != 1 || !strings.Contains(recs[0].Err, "tts") {
		t.Fatalf("records %+v", recs)
	}
}
