package pipeline

import (
	"context"
	"errors"
	"testing"
	"time"
)

// instantPort is a fakePort whose beep has finished by the time Play
// returns, so every frame queued afterwards belongs to the message.
type instantPort struct {
	*fakePort
	beeps [][]int16
}

func (p *instantPort) Play(pcm []int16) Playback {
	p.beeps = append(p.beeps, pcm)
	pb := &fakePlayback{done: make(chan struct{}), first: time.Now(), samples: len(pcm)}
	close(pb.done)
	return pb
}

func newInstantPort() *instantPort { return &instantPort{fakePort: newFakePort()} }

// queue puts ms milliseconds of loud or silent 20 ms frames in the port at
// once: the recorder counts audio, not wall time.
func (p *fakePort) queue(loud bool, ms int) {
	for i := 0; i < ms/20; i++ {
		f := make([]int16, 160)
		if loud {
			for j := range f {
				f[j] = 8000
			}
		}
		p.frames <- f
	}
}

// pressAfterFrames presses a key once every queued frame has been taken.
func (p *fakePort) pressAfterFrames(d rune) {
	for len(p.frames) > 0 {
		time.Sleep(time.Millisecond)
	}
	p.dtmf <- d
}

var shortMessage = MessageOptions{MaxLength: 3 * time.Second, EndSilence: time.Second, NoSpeech: 2 * time.Second}

func record(t *testing.T, p Port, vad VAD, o MessageOptions) Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := RecordMessage(ctx, p, vad, o)
	if err != nil {
		t.Fatal(err)
	}
	if m.Duration != time.Duration(len(m.PCM))*time.Second/8000 {
		t.Errorf("duration %v for %d samples", m.Duration, len(m.PCM))
	}
	return m
}

func TestRecordMessageEnds(t *testing.T) {
	cases := []struct {
		name    string
		script  func(p *instantPort)
		ended   string
		samples int // exact, or 0 to skip
		near    time.Duration
		speech  bool
	}{
		{name: "hash", script: func(p *instantPort) {
			p.queue(true, 1000)
			p.queue(false, 200)
			go p.pressAfterFrames('*') // other keys are ignored
			go func() { time.Sleep(50 * time.Millisecond); p.pressAfterFrames('#') }()
		}, ended: MessageEndHash, samples: 1200 * 8, speech: true},
		{name: "silence after speech, trimmed", script: func(p *instantPort) {
			p.queue(false, 400)
			p.queue(true, 1000)
			p.queue(false, 3000)
		}, ended: MessageEndSilence, near: 1900 * time.Millisecond, speech: true},
		{name: "no speech at all", script: func(p *instantPort) {
			p.queue(false, 5000)
		}, ended: MessageEndNoSpeech, samples: 2 * 8000},
		{name: "maximum length", script: func(p *instantPort) {
			p.queue(true, 5000)
		}, ended: MessageEndMaxLength, samples: 3 * 8000, speech: true},
		{name: "pause shorter than end silence", script: func(p *instantPort) {
			p.queue(true, 500)
			p.queue(false, 800)
			p.queue(true, 500)
			p.queue(false, 2000)
		}, ended: MessageEndSilence, near: 2300 * time.Millisecond, speech: true},
		{name: "hang-up keeps what was said", script: func(p *instantPort) {
			p.queue(true, 800)
			close(p.done) // frames still queued when the call ends are kept
		}, ended: MessageEndHangup, samples: 800 * 8, speech: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newInstantPort()
			tc.script(p)
			m := record(t, p, levelVAD{}, shortMessage)
			if m.EndedBy != tc.ended || m.HadSpeech != tc.speech {
				t.Errorf("ended by %s, speech %v; want %s, %v", m.EndedBy, m.HadSpeech, tc.ended, tc.speech)
			}
			if tc.samples > 0 && len(m.PCM) != tc.samples {
				t.Errorf("%d samples, want %d", len(m.PCM), tc.samples)
			}
			if tc.near > 0 && (m.Duration < tc.near-100*time.Millisecond || m.Duration > tc.near+100*time.Millisecond) {
				t.Errorf("duration %v, want about %v", m.Duration, tc.near)
			}
			if len(p.beeps) != 1 || len(p.beeps[0]) != 2400 {
				t.Errorf("beeps %d", len(p.beeps))
			}
		})
	}
}

func TestRecordMessageWaitsForBeep(t *testing.T) {
	p := newFakePort() // plays for the beep's real 300 ms
	// Loud audio during the beep (its echo) is not the message.
	p.queue(true, 200)
	go func() {
		for p.plays() == 0 {
			time.Sleep(time.Millisecond)
		}
		p.mu.Lock()
		pb := p.played[0]
		p.mu.Unlock()
		<-pb.done
		p.queue(false, 3000)
	}()
	start := time.Now()
	m := record(t, p, levelVAD{}, shortMessage)
	if time.Since(start) < 300*time.Millisecond {
		t.Errorf("recording ended %v after start, before the beep did", time.Since(start))
	}
	if m.EndedBy != MessageEndNoSpeech || m.HadSpeech {
		t.Errorf("ended by %s, speech %v: the beep's echo counted", m.EndedBy, m.HadSpeech)
	}
}

func TestRecordMessageHangupDuringBeep(t *testing.T) {
	p := newFakePort()
	close(p.done)
	m := record(t, p, levelVAD{}, shortMessage)
	if m.EndedBy != MessageEndHangup || len(m.PCM) != 0 {
		t.Errorf("ended by %s with %d samples", m.EndedBy, len(m.PCM))
	}
}

func TestRecordMessageContextCancelled(t *testing.T) {
	p := newInstantPort()
	p.queue(true, 400)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for len(p.frames) > 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	m, err := RecordMessage(ctx, p, levelVAD{}, shortMessage)
	if err != nil || m.EndedBy != MessageEndHangup || len(m.PCM) != 400*8 {
		t.Errorf("%s, %d samples, %v", m.EndedBy, len(m.PCM), err)
	}
}

// failingVAD fails after a few windows.
type failingVAD struct {
	levelVAD
	n int
}

func (v *failingVAD) Process(s []float32) (float32, error) {
	v.n++
	if v.n > 3 {
		return 0, errors.New("model crashed")
	}
	return v.levelVAD.Process(s)
}

func TestRecordMessageVADFailureKeepsRecording(t *testing.T) {
	p := newInstantPort()
	p.queue(false, 2500) // longer than NoSpeech: without a VAD nothing can tell
	go p.pressAfterFrames('#')
	m := record(t, p, &failingVAD{}, shortMessage)
	if m.EndedBy != MessageEndHash || !m.HadSpeech || len(m.PCM) != 2500*8 {
		t.Errorf("ended by %s, speech %v, %d samples", m.EndedBy, m.HadSpeech, len(m.PCM))
	}
}

func TestRecordMessageNeedsPortAndVAD(t *testing.T) {
	if _, err := RecordMessage(context.Background(), nil, levelVAD{}, MessageOptions{}); err == nil {
		t.Error("nil port accepted")
	}
}

func TestMessageDefaultsAndBeep(t *testing.T) {
	o := MessageOptions{}.withDefaults()
	if o.MaxLength != 2*time.Minute || o.EndSilence != 4*time.Second || o.NoSpeech != 8*time.Second ||
		o.Endpoint.EndSilence != 4*time.Second || o.Endpoint.MaxUtterance <= o.MaxLength || o.Endpoint.SpeechThreshold == 0 {
		t.Errorf("defaults %+v", o)
	}
	b := Beep(8000)
	if len(b) != 2400 || b[0] != 0 {
		t.Fatalf("beep: %d samples, first %d", len(b), b[0])
	}
	var peak int16
	for _, s := range b {
		peak = max(peak, s)
	}
	if peak < 10000 || peak > 10400 {
		t.Errorf("beep peak %d, want about -10 dBFS", peak)
	}
}
