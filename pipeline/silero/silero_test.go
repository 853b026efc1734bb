package silero

import (
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/pipeline/speechtest"
)

// pinkNoise by the Voss-McCartney method, at the given RMS.
func pinkNoise(n int, level float64) []int16 {
	r := rand.New(rand.NewPCG(7, 7))
	var rows [8]float64
	out := make([]float64, n)
	var sum, sq float64
	for i := range out {
		for k := range rows {
			if i%(1<<k) == 0 {
				sum -= rows[k]
				rows[k] = r.Float64()*2 - 1
				sum += rows[k]
			}
		}
		out[i] = sum
		sq += sum * sum
	}
	scale := level / math.Sqrt(sq/float64(n))
	pcm := make([]int16, n)
	for i, v := range out {
		pcm[i] = int16(max(-32768, min(32767, v*scale)))
	}
	return pcm
}

// musicTone is a chord with tremolo: steady and tonal, loud, not speech.
func musicTone(n int) []int16 {
	pcm := make([]int16, n)
	for i := range pcm {
		t := float64(i) / 8000
		v := math.Sin(2*math.Pi*261.6*t) + math.Sin(2*math.Pi*329.6*t) + math.Sin(2*math.Pi*392*t)
		v *= 0.8 + 0.2*math.Sin(2*math.Pi*5*t)
		pcm[i] = int16(v * 4000)
	}
	return pcm
}

func mix(a, b []int16) []int16 {
	out := make([]int16, len(a))
	for i := range a {
		out[i] = int16(max(-32768, min(32767, int(a[i])+int(b[i%len(b)]))))
	}
	return out
}

func rms(pcm []int16) float64 {
	var s float64
	for _, v := range pcm {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(max(1, len(pcm))))
}

// eachWindow runs the VAD over pcm window by window and hands on each
// window's start sample and speech probability.
func eachWindow(t testing.TB, v pipeline.VAD, pcm []int16, f func(at int, p float32)) {
	t.Helper()
	w := v.WindowSize()
	buf := make([]float32, w)
	for i := 0; i+w <= len(pcm); i += w {
		for j := range buf {
			buf[j] = float32(pcm[i+j]) / 32768
		}
		p, err := v.Process(buf)
		if err != nil {
			t.Fatal(err)
		}
		f(i, p)
	}
}

// speechShare runs the VAD over pcm and returns the share of windows >= 0.5.
func speechShare(t testing.TB, v pipeline.VAD, pcm []int16) float64 {
	t.Helper()
	v.Reset()
	n, hits := 0, 0
	eachWindow(t, v, pcm, func(_ int, p float32) {
		n++
		if p >= 0.5 {
			hits++
		}
	})
	return float64(hits) / float64(n)
}

// energyShare is what a plain energy threshold (-35 dBFS) would call speech.
func energyShare(pcm []int16) float64 {
	n, hits := 0, 0
	for i := 0; i+256 <= len(pcm); i += 256 {
		n++
		if rms(pcm[i:i+256]) > 580 {
			hits++
		}
	}
	return float64(hits) / float64(n)
}

func TestSileroTellsSpeechFromNoiseAndMusic(t *testing.T) {
	f, err := NewFactory(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := f.NewVAD()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	speech := speechtest.Festival(t, "What are your opening hours? I would like to book an appointment for next Tuesday morning.", 8000)
	n := len(speech)
	noise := pinkNoise(n, rms(speech)/3.2) // about 10 dB below the speech
	tone := musicTone(n)
	silence := make([]int16, n)

	cases := []struct {
		name     string
		pcm      []int16
		min, max float64
	}{
		{"speech", speech, 0.55, 1},
		{"speech in pink noise", mix(speech, noise), 0.45, 1},
		{"speech over music", mix(speech, tone), 0.45, 1},
		{"silence", silence, 0, 0.02},
		{"pink noise alone", noise, 0, 0.05},
		{"music alone", tone, 0, 0.05},
	}
	for _, c := range cases {
		got := speechShare(t, v, c.pcm)
		if got < c.min || got > c.max {
			t.Errorf("%s: %.2f of windows called speech, want %.2f-%.2f", c.name, got, c.min, c.max)
		}
		t.Logf("%-22s silero %.2f  energy threshold %.2f", c.name, got, energyShare(c.pcm))
	}
	// Why not an energy threshold: it calls the music speech throughout.
	if e := energyShare(tone); e < 0.9 {
		t.Errorf("energy threshold on music: %.2f (the comparison assumes it fails)", e)
	}
}

func TestVADsKeepTheirOwnState(t *testing.T) {
	f, err := NewFactory(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, _ := f.NewVAD()
	b, _ := f.NewVAD()
	defer a.Close()
	defer b.Close()
	speech := speechtest.Festival(t, "Hello there, this is a test.", 8000)
	sa := speechShare(t, a, speech)
	// b has seen nothing; interleaving must not change a's result.
	speechShare(t, b, make([]int16, 8000))
	if sa2 := speechShare(t, a, speech); math.Abs(sa2-sa) > 0.01 {
		t.Fatalf("state leaked between VADs: %.2f vs %.2f", sa, sa2)
	}
	if _, err := a.Process(make([]float32, 10)); err == nil {
		t.Fatal("wrong window size accepted")
	}
}

func TestMissingFilesAreClearErrors(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ModelPath = "/nonexistent/silero.onnx"
	_, err := NewFactory(cfg)
	if err == nil || !strings.Contains(err.Error(), "install-models.sh") {
		t.Fatalf("err = %v", err)
	}
	cfg = DefaultConfig()
	cfg.SampleRate = 44100
	if _, err := NewFactory(cfg); err == nil {
		t.Fatal("44.1 kHz accepted")
	}
}

func BenchmarkVAD8k(b *testing.B) {
	f, err := NewFactory(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	v, _ := f.NewVAD()
	defer v.Close()
	buf := make([]float32, v.WindowSize())
	for i := range buf {
		buf[i] = float32(math.Sin(float64(i) / 5))
	}
	for b.Loop() {
		v.Process(buf)
	}
	// One window is 32 ms of audio.
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/32e6, "RTF")
}

// BenchmarkVADCalls scores windows from many concurrent calls, plain (one
// run per window) against batched: CPU per window is what matters when a
// thousand calls share two cores. No gate: every window reaches the network.
func BenchmarkVADCalls(b *testing.B) {
	for _, mode := range []struct {
		name string
		wait time.Duration
	}{{"plain", -1}, {"batched", 0}} {
		b.Run(mode.name, func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.NoGate, cfg.BatchWait = true, mode.wait
			f, err := NewFactory(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			const calls = 64
			vads := make([]pipeline.VAD, calls)
			for i := range vads {
				vads[i], _ = f.NewVAD()
				defer vads[i].Close()
			}
			buf := make([]float32, vads[0].WindowSize())
			for i := range buf {
				buf[i] = float32(math.Sin(float64(i)/5)) * 0.3
			}
			cpu0 := processCPU()
			b.ResetTimer()
			var wg sync.WaitGroup
			for _, v := range vads {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < b.N; i++ {
						v.Process(buf)
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N*calls), "cpu-us/window")
		})
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
