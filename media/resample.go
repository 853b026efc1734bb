package media

import "math"

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
	cutoff := math.Min(1, ratio) // relative to the input Nyquist frequency
	half := float64(resampleTaps) / cutoff
	n := int(math.Floor(float64(len(in)) * ratio))
	out := make([]int16, n)
	for i := range out {
		center := float64(i) / ratio
		lo := int(math.Ceil(center - half))
		hi := int(math.Floor(center + half))
		var acc, norm float64
		for j := max(lo, 0); j <= hi && j < len(in); j++ {
			x := float64(j) - center
			w := cutoff * sinc(cutoff*x) * blackman(x/half)
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
	cutoff   float64
	half     float64
	hist     []float64 // input not yet fully used
	next     float64   // position of the next output, in hist coordinates
}

// NewResampler makes a streaming converter from one rate to another.
func NewResampler(from, to int) *Resampler {
	r := &Resampler{from: from, to: to, ratio: float64(to) / float64(from)}
	r.cutoff = math.Min(1, r.ratio)
	r.half = float64(resampleTaps) / r.cutoff
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
			x := float64(j) - center
			w := r.cutoff * sinc(r.cutoff*x) * blackman(x/r.half)
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
