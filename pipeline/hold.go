package pipeline

import "math"

// HoldMusic returns about four seconds of a soft two-note chime at rate Hz,
// looped to callers waiting in a queue so they know the line is alive.
func HoldMusic(rate int) []int16 {
	notes := []float64{523.25, 659.25, 783.99, 659.25} // C5 E5 G5 E5
	noteLen := rate * 3 / 4
	gap := rate / 4
	out := make([]int16, 0, len(notes)*(noteLen+gap))
	for _, f := range notes {
		for i := 0; i < noteLen; i++ {
			t := float64(i) / float64(rate)
			// A quick attack and an exponential decay sound like a bell,
			// not a test tone; -20 dBFS keeps it well below speech.
			env := math.Min(1, t*50) * math.Exp(-3*t)
			v := 0.1 * env * (math.Sin(2*math.Pi*f*t) + 0.3*math.Sin(4*math.Pi*f*t))
			out = append(out, int16(v*32767))
		}
		out = append(out, make([]int16, gap)...)
	}
	return out
}
