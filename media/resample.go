package media

import "math"

// resampleTaps is the half-width of the windowed-sinc kernel, in input
// samples at the lower of the two rates: enough for speech at telephone
// rates (stop-band about -50 dB) at a cost that stays small per call.
const resampleTaps = 12

// maxPhases bounds the precomputed filter bank. Rates with a small common
// divisor (8000 -> 44099) would need millions of coefficients; those
// compute each weight as they go instead.
const maxPhases = 4096

// resampleKernel is a windowed-sinc (Blackman) interpolator. Output sample
// i sits at input position i*down/up; for rates with a usable common
// divisor the position's fraction takes only `up` values, so the weights
// for each are computed once (a polyphase filter bank) and the per-sample
// work is a dot product.
type resampleKernel struct {
	up, down int     // output step is down/up input samples, in lowest terms
	cutoff   float64 // relative to the input Nyquist frequency
	half     float64 // kernel half-width in input samples
	// bank[p] holds the weights for fraction p/up, for input offsets
	// first[p] .. first[p]+len(bank[p])-1 from the integer position.
	bank  [][]float64
	first []int
}

func newResampleKernel(from, to int) *resampleKernel {
	g := gcd(from, to)
	k := &resampleKernel{up: to / g, down: from / g}
	k.cutoff = math.Min(1, float64(to)/float64(from))
	k.half = float64(resampleTaps) / k.cutoff
	if k.up > maxPhases {
		return k
	}
	k.bank = make([][]float64, k.up)
	k.first = make([]int, k.up)
	for p := range k.bank {
		frac := float64(p) / float64(k.up)
		lo := int(math.Ceil(frac - k.half))
		hi := int(math.Floor(frac + k.half))
		w := make([]float64, 0, hi-lo+1)
		var sum float64
		for j := lo; j <= hi; j++ {
			w = append(w, k.weight(float64(j)-frac))
			sum += w[len(w)-1]
		}
		for i := range w {
			w[i] /= sum // unity gain at every phase: no ripple at the frame rate
		}
		k.bank[p], k.first[p] = w, lo
	}
	return k
}

func (k *resampleKernel) weight(x float64) float64 {
	return k.cutoff * sinc(k.cutoff*x) * blackman(x/k.half)
}

// at computes the output sample at input position n + p/up. Near the ends
// of in the weights that fall outside are left out and the rest
// renormalised, so the edges keep their level.
func (k *resampleKernel) at(in []float64, n, p int) int16 {
	var acc, norm float64
	if k.bank != nil {
		w, lo := k.bank[p], n+k.first[p]
		if lo >= 0 && lo+len(w) <= len(in) {
			for i, c := range w {
				acc += c * in[lo+i]
			}
			return clip16(acc) // the phase's weights sum to 1
		}
		for i, c := range w {
			if j := lo + i; j >= 0 && j < len(in) {
				acc += c * in[j]
				norm += c
			}
		}
	} else {
		center := float64(n) + float64(p)/float64(k.up)
		for j := max(int(math.Ceil(center-k.half)), 0); j <= int(math.Floor(center+k.half)) && j < len(in); j++ {
			c := k.weight(float64(j) - center)
			acc += c * in[j]
			norm += c
		}
	}
	if norm != 0 {
		acc /= norm
	}
	return clip16(acc)
}

// Resample converts mono PCM from one rate to another. When downsampling
// the kernel's cut-off is the new Nyquist frequency, so nothing above it
// aliases into the speech band.
func Resample(in []int16, from, to int) []int16 {
	if from == to || len(in) == 0 || from <= 0 || to <= 0 {
		return append([]int16(nil), in...)
	}
	k := newResampleKernel(from, to)
	x := make([]float64, len(in))
	for i, v := range in {
		x[i] = float64(v)
	}
	out := make([]int16, len(in)*k.up/k.down)
	n, p := 0, 0
	for i := range out {
		out[i] = k.at(x, n, p)
		n, p = n+(p+k.down)/k.up, (p+k.down)%k.up
	}
	return out
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
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
	k    *resampleKernel // nil when the rates are equal
	hist []float64       // input not yet fully used
	n, p int             // position of the next output in hist: n + p/up
}

// NewResampler makes a streaming converter from one rate to another.
func NewResampler(from, to int) *Resampler {
	if from == to || from <= 0 || to <= 0 {
		return &Resampler{}
	}
	return &Resampler{k: newResampleKernel(from, to)}
}

// Process converts one chunk and returns the output it completes.
func (r *Resampler) Process(in []int16) []int16 {
	if r.k == nil {
		return append([]int16(nil), in...)
	}
	for _, v := range in {
		r.hist = append(r.hist, float64(v))
	}
	k := r.k
	out := make([]int16, 0, len(in)*k.up/k.down+1)
	// An output is complete once the input reaches past its kernel.
	for float64(r.n)+float64(r.p)/float64(k.up)+k.half < float64(len(r.hist)) {
		out = append(out, k.at(r.hist, r.n, r.p))
		r.n, r.p = r.n+(r.p+k.down)/k.up, (r.p+k.down)%k.up
	}
	// Drop history no future output can reach.
	if drop := r.n - int(math.Ceil(k.half)) - 1; drop > 0 {
		r.hist = append(r.hist[:0], r.hist[drop:]...)
		r.n -= drop
	}
	return out
}
