package silero

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/pipeline/speechtest"
)

// scale sets pcm to the given RMS (int16 units).
func scale(pcm []int16, level float64) []int16 {
	k := level / rms(pcm)
	out := make([]int16, len(pcm))
	for i, v := range pcm {
		out[i] = int16(max(-32768, min(32767, float64(v)*k)))
	}
	return out
}

// callerTurns is a caller as a bot hears one: silence (the line's own
// background only) while the bot talks, then an utterance, twice over.
func callerTurns(speech []int16) []int16 {
	pause := make([]int16, 8000*2)
	var out []int16
	for i := 0; i < 2; i++ {
		out = append(out, pause...)
		out = append(out, speech...)
	}
	return append(out, pause...)
}

type vadRun struct {
	probs  []float32
	events []string // endpointer events with the window they came on
	starts []int
	ends   []int
}

func runVAD(t testing.TB, v pipeline.VAD, pcm []int16) vadRun {
	t.Helper()
	v.Reset()
	w := v.WindowSize()
	win := time.Duration(w) * time.Second / time.Duration(v.SampleRate())
	ep := pipeline.NewEndpointer(pipeline.DefaultEndpointConfig())
	var r vadRun
	eachWindow(t, v, pcm, func(i int, p float32) {
		r.probs = append(r.probs, p)
		switch ep.Push(p, win) {
		case pipeline.EventSpeechStart:
			r.starts = append(r.starts, i/w)
		case pipeline.EventSpeechEnd:
			r.ends = append(r.ends, i/w)
		}
	})
	return r
}

// plainFactory is Silero as it was: every window, one run each.
func plainFactory(t *testing.T) *Factory {
	t.Helper()
	cfg := DefaultConfig()
	cfg.NoGate, cfg.BatchWait = true, -1
	f, err := NewFactory(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func (r vadRun) share() float64 {
	n := 0
	for _, p := range r.probs {
		if p >= 0.5 {
			n++
		}
	}
	return float64(n) / float64(len(r.probs))
}

// TestGateAndBatchKeepSileroVerdicts runs the same audio through plain
// Silero (one run per window, every window) and through the default VAD
// (energy gate, batched runs), and wants the same turns: speech share
// within 0.02, the same utterances from the endpointer, each ending within
// one window of plain Silero's end and starting no later than its start. Backgrounds: a quiet line (where the gate works),
// loud pink noise and music (where it must stay out of the way), music
// that plays for seconds before the caller talks over it, and soft speech.
func TestGateAndBatchKeepSileroVerdicts(t *testing.T) {
	plain := plainFactory(t)
	gated, err := NewFactory(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer gated.Close()

	speech := speechtest.Festival(t, "What are your opening hours? I would like to book an appointment for next Tuesday morning.", 8000)
	speech = scale(speech, 3000) // about -21 dBFS, a normal phone level
	turns := callerTurns(speech)
	n := len(turns)
	line := pinkNoise(n, 58)                // -55 dBFS line noise
	loud := pinkNoise(n, rms(speech)/3.2)   // 10 dB below the speech
	soft := callerTurns(scale(speech, 600)) // -35 dBFS: a quiet talker
	musicFirst := append(musicTone(8000*4), speech...)

	cases := []struct {
		name      string
		pcm       []int16
		maxSilero float64 // the share of windows the network may see (1: no saving expected)
	}{
		{"turns on a quiet line", mix(turns, line), 0.75},
		{"turns on digital silence", turns, 0.75},
		{"soft talker on a quiet line", mix(soft, line), 0.75},
		{"turns in loud pink noise", mix(turns, loud), 1},
		{"turns over music", mix(turns, musicTone(n)), 1},
		{"music, then speech over it", mix(musicFirst, musicTone(len(musicFirst))), 1},
		{"quiet line alone", line, 0.1},
		{"digital silence with clicks", clicks(n), 0.5},
	}
	for _, c := range cases {
		pv, _ := plain.NewVAD()
		gv, _ := gated.NewVAD()
		before := gated.Stats()
		want := runVAD(t, pv, c.pcm)
		got := runVAD(t, gv, c.pcm)
		after := gated.Stats()
		pv.Close()
		gv.Close()
		reached := float64(after.Inferred-before.Inferred) / float64(after.Windows-before.Windows)
		t.Logf("%-30s silero share %.2f, gated %.2f; starts %v/%v ends %v/%v; %.0f%% of windows reached Silero",
			c.name, want.share(), got.share(), want.starts, got.starts, want.ends, got.ends, 100*reached)
		if d := math.Abs(got.share() - want.share()); d > 0.02 {
			t.Errorf("%s: speech share %.3f gated vs %.3f plain", c.name, got.share(), want.share())
		}
		// Starts may come earlier (the frozen state, see energyGate) but
		// never later, and never more or fewer.
		if !startsNoLater(want.starts, got.starts) || !sameWithin(want.ends, got.ends, 1) {
			t.Errorf("%s: turns differ: starts %v vs %v, ends %v vs %v", c.name, got.starts, want.starts, got.ends, want.ends)
		}
		if reached > c.maxSilero {
			t.Errorf("%s: %.2f of windows reached Silero, want at most %.2f", c.name, reached, c.maxSilero)
		}
	}
}

// startsNoLater: the same utterances, each starting at most one window
// later and at most 8 windows (256 ms) earlier than plain Silero's.
func startsNoLater(plain, gated []int) bool {
	if len(plain) != len(gated) {
		return false
	}
	for i := range plain {
		if d := gated[i] - plain[i]; d > 1 || d < -8 {
			return false
		}
	}
	return true
}

func sameWithin(a, b []int, tol int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if d := a[i] - b[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

// TestBatchedRunsMatchSingleRuns scores many calls at once through the
// batcher and wants each call's probabilities to be what its own unbatched
// runs give: rows of a batch must not leak into each other.
func TestBatchedRunsMatchSingleRuns(t *testing.T) {
	single := plainFactory(t)
	batchCfg := DefaultConfig()
	batchCfg.NoGate, batchCfg.BatchWait = true, 5*time.Millisecond
	batched, err := NewFactory(batchCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer batched.Close()

	speech := speechtest.Festival(t, "Hello there, this is a test.", 8000)
	const calls = 24
	inputs := make([][]int16, calls)
	for i := range inputs {
		// Each call hears something different: speech shifted in time,
		// at its own level, over its own noise.
		shifted := append(make([]int16, 800*i), speech...)
		inputs[i] = mix(scale(shifted, 1000+200*float64(i)), pinkNoise(len(shifted), float64(20*i+10)))
	}
	want := make([][]float32, calls)
	for i, pcm := range inputs {
		v, _ := single.NewVAD()
		want[i] = runVAD(t, v, pcm).probs
		v.Close()
	}
	got := make([][]float32, calls)
	var wg sync.WaitGroup
	for i, pcm := range inputs {
		v, _ := batched.NewVAD()
		defer v.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = runVAD(t, v, pcm).probs
		}()
	}
	wg.Wait()
	for i := range want {
		for k := range want[i] {
			if d := math.Abs(float64(got[i][k] - want[i][k])); d > 1e-3 {
				t.Fatalf("call %d window %d: batched %.4f, single %.4f", i, k, got[i][k], want[i][k])
			}
		}
	}
	st := batched.Stats()
	if st.Runs == 0 || float64(st.Inferred)/float64(st.Runs) < 2 {
		t.Errorf("%+v: windows were not batched", st)
	}
	t.Logf("%d windows in %d runs (%.1f per run)", st.Inferred, st.Runs, float64(st.Inferred)/float64(st.Runs))
}

// clicks is digital silence with a short loud click every 700 ms (line
// hits, a handset knocked): not speech, and loud enough to open the gate.
func clicks(n int) []int16 {
	pcm := make([]int16, n)
	for i := 2800; i+40 < n; i += 5600 {
		for j := 0; j < 40; j++ {
			pcm[i+j] = int16(12000 * math.Sin(float64(j)*0.9) * math.Exp(-float64(j)/10))
		}
	}
	return pcm
}
