package silero

// energyGate keeps the line's quiet background away from the network. On
// a call the caller is silent much of the time (listening to the bot,
// thinking), and the line then carries only its noise floor; scoring those
// windows is most of Silero's cost and tells nothing new.
//
// It tracks the background level per call: the floor follows any quieter
// window at once and creeps up 0.1 dB per window otherwise (10 dB in about
// 3 s), so it finds the noise between words and follows a line that gets
// noisier. A window skips the network only when all of these hold:
//
//   - the network has seen the first 8 windows of the stream, and called
//     the last 4 it saw non-speech (probability below 0.1), so the gate
//     never cuts into speech: a talkspurt and the pause that ends it are
//     scored in full, and the endpointer's end-of-speech timing is Silero's;
//   - the window is within 6 dB of the floor, and
//   - quieter than -40 dBFS whatever the floor, so a loud background
//     (music, babble, street noise) always goes to the network, which is
//     what tells it from speech; only a quiet line is ever gated.
//
// A gated window is answered with the network's last probability (below
// 0.1, so still non-speech). The LSTM state is left as it was after the
// last window the network saw: that window was the same quiet background,
// so when a louder window arrives the network continues from a state that
// fits what preceded it. The window's samples still become the next
// window's context, as Silero v5 expects the previous 32 samples.
//
// The frozen state is not the state Silero would have reached: after
// seconds of silence the network grows more reluctant to call a faint
// onset speech, and a frozen state has not. On the test audio the endpoints
// agree within one window on line noise; after two seconds of digital
// silence one faint onset (-40 dBFS) started an utterance 7 windows earlier
// than plain Silero. Running every 4th quiet window (tried) did not change
// that, so the gate keeps it simple and skips them all.
type energyGate struct {
	disabled bool
	floor    float64 // mean square of the background
	seen     int     // windows since the stream started or was reset
	quiet    int     // consecutive network scores below gateQuietProb
	last     float32 // the network's last probability
}

const (
	gateWarmup    = 8
	gateHang      = 4
	gateQuietProb = 0.1
	gateMargin    = 4     // 6 dB, in energy
	gateCeiling   = 1e-4  // -40 dBFS mean square, samples in [-1, 1]
	gateMinFloor  = 1e-7  // -70 dBFS: digital silence has a floor too
	gateRise      = 1.023 // 0.1 dB per window
)

// check updates the floor with a window and says whether the network can
// skip it, and what to answer then.
func (g *energyGate) check(samples []float32) (float32, bool) {
	var e float64
	for _, x := range samples {
		e += float64(x) * float64(x)
	}
	e /= float64(len(samples))
	if g.seen == 0 || e < g.floor {
		g.floor = max(e, gateMinFloor)
	} else {
		g.floor = min(g.floor*gateRise, e)
	}
	g.seen++
	if g.disabled || g.seen <= gateWarmup || g.quiet < gateHang {
		return 0, false
	}
	if e < min(g.floor*gateMargin, gateCeiling) {
		return g.last, true
	}
	return 0, false
}

// scored records the network's verdict on a window it saw.
func (g *energyGate) scored(p float32) {
	g.last = p
	if p < gateQuietProb {
		g.quiet++
	} else {
		g.quiet = 0
	}
}

func (g *energyGate) reset() {
	*g = energyGate{disabled: g.disabled}
}
