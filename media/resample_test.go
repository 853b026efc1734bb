package media

import (
	"fmt"
	"math"
	"testing"
)

func rms(pcm []int16) float64 {
	var s float64
	for _, v := range pcm {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(max(1, len(pcm))))
}

func TestResample(t *testing.T) {
	cases := []struct {
		name     string
		from, to int
		freq     float64
		wantGain float64 // output RMS / input RMS
	}{
		{"8k->16k passes 1 kHz", 8000, 16000, 1000, 1},
		{"16k->8k passes 1 kHz", 16000, 8000, 1000, 1},
		{"22050->8k passes 440 Hz", 22050, 8000, 440, 1},
		{"16k->8k removes 6 kHz", 16000, 8000, 6000, 0},
		{"22050->8k removes 7 kHz", 22050, 8000, 7000, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := sine(c.freq, c.from, c.from, 0.5)
			out := Resample(in, c.from, c.to)
			if want := c.to; abs(len(out)-want) > 1 {
				t.Fatalf("len %d, want %d", len(out), want)
			}
			// Ignore the edges, where the kernel runs out of input.
			mid := out[len(out)/10 : len(out)*9/10]
			gain := rms(mid) / rms(in)
			if math.Abs(gain-c.wantGain) > 0.05 {
				t.Fatalf("gain %.3f, want %.1f", gain, c.wantGain)
			}
		})
	}
	if got := Resample(nil, 8000, 16000); len(got) != 0 {
		t.Fatal("empty input gave output")
	}
	same := []int16{1, 2, 3}
	if got := Resample(same, 8000, 8000); len(got) != 3 || &got[0] == &same[0] {
		t.Fatal("same-rate resample must copy")
	}
}

func BenchmarkResample8to16(b *testing.B) {
	in := sine(440, 8000, 160, 0.5)
	for b.Loop() {
		Resample(in, 8000, 16000)
	}
}

func TestResamplerStreamsWithoutSeams(t *testing.T) {
	in := sine(700, 8000, 8000, 0.5)
	whole := Resample(in, 8000, 16000)
	r := NewResampler(8000, 16000)
	var streamed []int16
	for i := 0; i < len(in); i += 160 {
		streamed = append(streamed, r.Process(in[i:i+160])...)
	}
	if abs(len(streamed)-len(whole)) > 30 {
		t.Fatalf("streamed %d samples, one-shot %d", len(streamed), len(whole))
	}
	// Compare away from the edges: the streamed output is the same signal
	// (no clicks at the 20 ms seams).
	var worst float64
	for i := 1000; i < len(streamed)-1000; i++ {
		d := math.Abs(float64(streamed[i]) - float64(whole[i]))
		worst = math.Max(worst, d)
	}
	if worst > 40 {
		t.Fatalf("streamed output differs from one-shot by up to %.0f", worst)
	}
}

// TestResampleFilterBankMatchesDirect checks the precomputed filter bank
// against weights computed sample by sample, on rates that use each path.
func TestResampleFilterBankMatchesDirect(t *testing.T) {
	cases := []struct{ from, to int }{{8000, 16000}, {16000, 8000}, {22050, 8000}, {8000, 44100}, {8000, 44099}}
	in := sine(300, 8000, 2000, 0.3)
	for i := range in {
		in[i] += int16((i*7919)%2001 - 1000) // broadband, to exercise every tap
	}
	for _, c := range cases {
		x := make([]float64, len(in))
		for i, v := range in {
			x[i] = float64(v)
		}
		bank := newResampleKernel(c.from, c.to)
		direct := newResampleKernel(c.from, c.to)
		direct.bank = nil
		n, p := 0, 0
		for i := 0; i < 500; i++ {
			a, b := bank.at(x, n, p), direct.at(x, n, p)
			if abs(int(a)-int(b)) > 1 {
				t.Fatalf("%d->%d output %d: bank %d, direct %d", c.from, c.to, i, a, b)
			}
			n, p = n+(p+bank.down)/bank.up, (p+bank.down)%bank.up
		}
	}
}

func BenchmarkResamplerFrame(b *testing.B) {
	for _, c := range []struct{ from, to int }{{8000, 16000}, {16000, 8000}, {22050, 8000}} {
		b.Run(fmt.Sprintf("%d-%d", c.from, c.to), func(b *testing.B) {
			frame := sine(440, c.from, c.from/50, 0.5) // 20 ms
			r := NewResampler(c.from, c.to)
			for b.Loop() {
				r.Process(frame)
			}
		})
	}
}
