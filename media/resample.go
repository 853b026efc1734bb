package media

import (
	"math"
	"sync"
)

// resampleTaps is the half-width of the windowed-sinc kernel, in input
// samples at the lower of the two rates: enough for speech at telephone
// rates (stop-band about -50 dB) at a cost that stays small per call.
const resampleTaps = 12

// Resample converts mono PCM from one rate to another with a windowed-sinc
// (Blackman) interpolator. When downsampling the kernel's cut-off is the new
// Nyquist frequency, so nothing above it aliases into the speech band.
func Resample(in []int16, from, to int) []int16 {
	if from == to || len(in) == 0 || from <= 0 || to <= 0 {
		return append([]int16(nil), in...)
	}
	ratio := float64(to) / float64(from)
	k := kernelFor(math.Min(1, ratio))
	half := k.half
	n := int(math.Floor(float64(len(in)) * ratio))
	out := make([]int16, n)
	for i := range out {
		center := float64(i) / ratio
		lo := int(math.Ceil(center - half))
		hi := int(math.Floor(center + half))
		var acc, norm float64
		for j := max(lo, 0); j <= hi && j < len(in); j++ {
			w := k.at(float64(j) - center)
			acc += w * float64(in[j])
			norm += w
		}
		if norm != 0 {
			acc /= norm
		}
		out[i] = clip16(acc)
	}
	return out
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// blackman is the Blackman window over x in [-1, 1].
func blackman(x float64) float64 {
	if x <= -1 || x >= 1 {
		return 0
	}
	t := math.Pi * (x + 1)
	return 0.42 - 0.5*math.Cos(t) + 0.08*math.Cos(2*t)
}

func clip16(v float64) int16 {
	switch {
	case v > 32767:
		return 32767
	case v < -32768:
		return -32768
	}
	return int16(math.Round(v))
}

// Resampler converts a stream chunk by chunk with the same kernel as
// Resample, carrying the filter's history across chunks so that 20 ms frames
// join without clicks at their edges. It delays the signal by the kernel's
// half-width (1.5 ms at 8 kHz).
type Resampler struct {
	from, to int
	ratio    float64
	k        *kernel
	half     float64
	hist     []float64 // input not yet fully used
	next     float64   // position of the next output, in hist coordinates
}

// NewResampler makes a streaming converter from one rate to another.
func NewResampler(from, to int) *Resampler {
	r := &Resampler{from: from, to: to, ratio: float64(to) / float64(from)}
	r.k = kernelFor(math.Min(1, r.ratio))
	r.half = r.k.half
	return r
}

// Process converts one chunk and returns the output it completes.
func (r *Resampler) Process(in []int16) []int16 {
	if r.from == r.to {
		return append([]int16(nil), in...)
	}
	for _, v := range in {
		r.hist = append(r.hist, float64(v))
	}
	var out []int16
	step := 1 / r.ratio
	for r.next+r.half < float64(len(r.hist)) {
		center := r.next
		lo := int(math.Ceil(center - r.half))
		hi := int(math.Floor(center + r.half))
		var acc, norm float64
		for j := max(lo, 0); j <= hi && j < len(r.hist); j++ {
			w := r.k.at(float64(j) - center)
			acc += w * r.hist[j]
			norm += w
		}
		if norm != 0 {
			acc /= norm
		}
		out = append(out, clip16(acc))
		r.next += step
	}
	// Drop history no future output can reach.
	if drop := int(math.Floor(r.next - r.half)); drop > 0 {
		r.hist = append(r.hist[:0], r.hist[drop:]...)
		r.next -= float64(drop)
	}
	return out
}

// kernel is the windowed sinc tabulated finely enough (kernelSteps points
// per input sample, linearly interpolated) that evaluating it costs a
// multiply instead of three trigonometric calls: resampling a long reply
// from 22.05 kHz took hundreds of milliseconds before.
type kernel struct {
	cutoff float64
	half   float64
	table  []float64
}

const kernelSteps = 512

func newKernel(cutoff float64) *kernel {
	k := &kernel{cutoff: cutoff, half: float64(resampleTaps) / cutoff}
	n := int(k.half*kernelSteps) + 2
	k.table = make([]float64, n)
	for i := range k.table {
		x := float64(i) / kernelSteps
		k.table[i] = cutoff * sinc(cutoff*x) * blackman(x/k.half)
	}
	return k
}

// at evaluates the kernel at x (input samples from the centre).
func (k *kernel) at(x float64) float64 {
	x = math.Abs(x) * kernelSteps
	i := int(x)
	if i+1 >= len(k.table) {
		return 0
	}
	f := x - float64(i)
	return k.table[i]*(1-f) + k.table[i+1]*f
}

// kernels caches one table per cut-off; the few rate pairs in use (8 <->
// 16 kHz, 22.05 -> 8 kHz, 24 -> 8 kHz) make it tiny. Guarded for
// concurrent calls.
var kernels sync.Map // float64 -> *kernel

func kernelFor(cutoff float64) *kernel {
	if k, ok := kernels.Load(cutoff); ok {
		return k.(*kernel)
	}
	k, _ := kernels.LoadOrStore(cutoff, newKernel(cutoff))
	return k.(*kernel)
}
