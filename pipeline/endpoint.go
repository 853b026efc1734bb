package pipeline

import "time"

// EndpointConfig tunes turn-taking. The zero value is not useful; start from
// DefaultEndpointConfig.
type EndpointConfig struct {
	// SpeechThreshold is the VAD probability at or above which a window
	// counts as speech; SilenceThreshold the one below which it counts as
	// silence. Between the two the previous state holds (hysteresis), so a
	// word with a soft ending does not split the utterance.
	SpeechThreshold  float32
	SilenceThreshold float32
	// MinSpeech is how much consecutive speech starts an utterance.
	MinSpeech time.Duration
	// EndSilence is how much silence after speech ends an utterance.
	EndSilence time.Duration
	// MaxUtterance forces the end of an utterance that goes on and on.
	MaxUtterance time.Duration
	// NoInput is how long the bot waits for the caller to start speaking
	// after it has finished its own prompt.
	NoInput time.Duration
	// PreRoll is how much audio before the detected start goes to STT, so
	// the first phoneme is not cut.
	PreRoll time.Duration
}

// DefaultEndpointConfig suits telephone speech at 8 kHz with Silero VAD.
func DefaultEndpointConfig() EndpointConfig {
	return EndpointConfig{
		SpeechThreshold:  0.5,
		SilenceThreshold: 0.35,
		MinSpeech:        64 * time.Millisecond,
		EndSilence:       300 * time.Millisecond,
		MaxUtterance:     15 * time.Second,
		NoInput:          6 * time.Second,
		PreRoll:          300 * time.Millisecond,
	}
}

// EndpointEvent is what one VAD window changed.
type EndpointEvent int

const (
	EventNone        EndpointEvent = iota
	EventSpeechStart               // an utterance began (MinSpeech of speech seen)
	EventSpeechEnd                 // EndSilence of silence after speech, or MaxUtterance reached
)

// Endpointer is the turn-taking state machine over VAD probabilities. It is
// pure: time advances only by the window durations it is fed, so it can be
// tested exactly and replayed.
type Endpointer struct {
	cfg        EndpointConfig
	inSpeech   bool
	speechRun  time.Duration // consecutive speech while idle
	silenceRun time.Duration // consecutive silence while in speech
	uttLen     time.Duration
	voiced     time.Duration // total speech inside the current utterance
}

// NewEndpointer makes an Endpointer.
func NewEndpointer(cfg EndpointConfig) *Endpointer { return &Endpointer{cfg: cfg} }

// InSpeech reports whether an utterance is open.
func (e *Endpointer) InSpeech() bool { return e.inSpeech }

// Voiced is how much speech the open (or just closed) utterance held.
func (e *Endpointer) Voiced() time.Duration { return e.voiced }

// TrailingSilence is the silence at the end of the open utterance.
func (e *Endpointer) TrailingSilence() time.Duration { return e.silenceRun }

// Reset returns to idle.
func (e *Endpointer) Reset() { *e = Endpointer{cfg: e.cfg} }

// Push feeds the probability of one window lasting d.
func (e *Endpointer) Push(p float32, d time.Duration) EndpointEvent {
	if !e.inSpeech {
		if p >= e.cfg.SpeechThreshold {
			e.speechRun += d
		} else {
			e.speechRun = 0
		}
		if e.speechRun >= e.cfg.MinSpeech {
			e.inSpeech = true
			e.uttLen, e.voiced, e.silenceRun = e.speechRun, e.speechRun, 0
			e.speechRun = 0
			return EventSpeechStart
		}
		return EventNone
	}
	e.uttLen += d
	switch {
	case p < e.cfg.SilenceThreshold:
		e.silenceRun += d
	case p >= e.cfg.SpeechThreshold:
		e.silenceRun = 0
		e.voiced += d
	default:
		// In the hysteresis band: neither extends the speech nor counts as
		// the silence that ends it.
	}
	if e.silenceRun >= e.cfg.EndSilence || e.uttLen >= e.cfg.MaxUtterance {
		e.inSpeech = false
		e.speechRun = 0
		return EventSpeechEnd
	}
	return EventNone
}
