package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"time"

	"github.com/vastaa/vastaa/media"
)

// How a recorded message ended (Message.EndedBy).
const (
	MessageEndHash      = "hash"       // the caller pressed #
	MessageEndSilence   = "silence"    // EndSilence of silence after the caller spoke
	MessageEndMaxLength = "max-length" // MaxLength reached
	MessageEndHangup    = "hangup"     // the caller hung up; what came before is kept
	MessageEndNoSpeech  = "no-speech"  // NoSpeech passed without a word
)

// MessageOptions tunes RecordMessage; zero fields take the defaults.
type MessageOptions struct {
	// MaxLength caps the message (default 2 min).
	MaxLength time.Duration
	// EndSilence of silence after speech ends the message (default 4 s):
	// long enough for a caller to look up a number mid-sentence.
	EndSilence time.Duration
	// NoSpeech ends a message in which nobody has spoken yet (default 8 s).
	NoSpeech time.Duration
	// Beep is played before recording starts (default Beep(8000)).
	Beep []int16
	// Endpoint gives the VAD thresholds and the speech needed to count as
	// speech; its EndSilence and MaxUtterance are replaced by the above.
	// Zero means DefaultEndpointConfig.
	Endpoint EndpointConfig
	Logger   *slog.Logger
}

func (o MessageOptions) withDefaults() MessageOptions {
	if o.MaxLength <= 0 {
		o.MaxLength = 2 * time.Minute
	}
	if o.EndSilence <= 0 {
		o.EndSilence = 4 * time.Second
	}
	if o.NoSpeech <= 0 {
		o.NoSpeech = 8 * time.Second
	}
	if o.Beep == nil {
		o.Beep = Beep(portRate)
	}
	if o.Endpoint == (EndpointConfig{}) {
		o.Endpoint = DefaultEndpointConfig()
	}
	o.Endpoint.EndSilence = o.EndSilence
	// The message as a whole is capped by MaxLength; an "utterance" that
	// ran into MaxUtterance must not end it early.
	o.Endpoint.MaxUtterance = o.MaxLength + time.Second
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Message is a caller's recorded message: 8 kHz linear PCM.
type Message struct {
	PCM       []int16
	EndedBy   string // one of the MessageEnd* values
	Duration  time.Duration
	HadSpeech bool
}

// keepAfterSpeech is how much of the closing silence is kept, so the
// recording does not end abruptly on the last syllable.
const keepAfterSpeech = 500 * time.Millisecond

// Beep is the tone before a message: 1 kHz for 300 ms at -10 dBFS, with
// 10 ms ramps so it starts and stops without a click.
func Beep(rate int) []int16 {
	n := rate * 300 / 1000
	ramp := rate / 100
	out := make([]int16, n)
	for i := range out {
		env := 1.0
		if i < ramp {
			env = float64(i) / float64(ramp)
		} else if n-1-i < ramp {
			env = float64(n-1-i) / float64(ramp)
		}
		out[i] = int16(0.316 * env * 32767 * math.Sin(2*math.Pi*1000*float64(i)/float64(rate)))
	}
	return out
}

// RecordMessage plays the beep, waits for it to finish and records the
// caller until they press #, fall silent after speaking, say nothing at
// all, reach the maximum length, or hang up. Time is counted in audio
// received, not wall time, so the limits hold however frames are paced; a
// wall-clock backstop ends the recording if frames stop arriving.
//
// A hang-up (port done or ctx cancelled) is not an error: the message holds
// what was said before it. If the VAD fails mid-message, recording goes on
// until #, the maximum length or hang-up, and the message counts as speech
// so that it is transcribed rather than dropped.
func RecordMessage(ctx context.Context, port Port, vad VAD, opts MessageOptions) (Message, error) {
	if port == nil || vad == nil {
		return Message{}, errors.New("record message: port and VAD are required")
	}
	o := opts.withDefaults()
	r := &recorder{o: o, vad: vad, ep: NewEndpointer(o.Endpoint),
		win: time.Duration(vad.WindowSize()) * time.Second / time.Duration(vad.SampleRate())}
	if vad.SampleRate() != portRate {
		r.toVAD = media.NewResampler(portRate, vad.SampleRate())
	}

	if ended := r.beep(ctx, port); ended {
		return r.finish(MessageEndHangup), nil
	}
	vad.Reset()
	backstop := time.NewTimer(o.MaxLength + o.NoSpeech)
	defer backstop.Stop()
	for {
		select {
		case <-ctx.Done():
			r.drain(port)
			return r.finish(MessageEndHangup), nil
		case <-port.Done():
			r.drain(port)
			return r.finish(MessageEndHangup), nil
		case <-backstop.C:
			return r.finish(MessageEndMaxLength), nil
		case d, ok := <-port.DTMF():
			if ok && d == '#' {
				return r.finish(MessageEndHash), nil
			}
		case f, ok := <-port.Frames():
			if !ok {
				return r.finish(MessageEndHangup), nil
			}
			if end := r.frame(f); end != "" {
				return r.finish(end), nil
			}
		}
	}
}

// recorder is the state of one message being recorded.
type recorder struct {
	o         MessageOptions
	vad       VAD
	vadFailed bool
	toVAD     *media.Resampler
	ep        *Endpointer
	win       time.Duration
	window    []float32
	pcm       []int16
	hadSpeech bool
	// speechEnd is the sample count at the last window scored as speech.
	speechEnd int
}

// beep plays the tone and waits for it; the caller's audio meanwhile is
// dropped (it is mostly the beep's own echo). It reports whether the call
// ended first.
func (r *recorder) beep(ctx context.Context, port Port) bool {
	pb := port.Play(r.o.Beep)
	for {
		// The beep having finished wins over frames waiting in the queue.
		select {
		case <-pb.Done():
			return false
		default:
		}
		select {
		case <-pb.Done():
			return false
		case <-port.Done():
			return true
		case <-ctx.Done():
			return true
		case _, ok := <-port.Frames():
			if !ok {
				return true
			}
		case <-port.DTMF():
		}
	}
}

// frame adds one frame and says whether the message has ended.
func (r *recorder) frame(f []int16) string {
	max := int(r.o.MaxLength * portRate / time.Second)
	if room := max - len(r.pcm); len(f) > room {
		f = f[:room]
	}
	r.pcm = append(r.pcm, f...)
	if !r.vadFailed {
		if end := r.score(f); end != "" {
			return end
		}
	}
	if len(r.pcm) >= max {
		return MessageEndMaxLength
	}
	if !r.hadSpeech && !r.vadFailed && time.Duration(len(r.pcm))*time.Second/portRate >= r.o.NoSpeech {
		return MessageEndNoSpeech
	}
	return ""
}

// score runs the VAD over the frame and returns MessageEndSilence once the
// caller has spoken and then been quiet for EndSilence.
func (r *recorder) score(f []int16) string {
	vf := f
	if r.toVAD != nil {
		vf = r.toVAD.Process(f)
	}
	for _, s := range vf {
		r.window = append(r.window, float32(s)/32768)
		if len(r.window) < r.vad.WindowSize() {
			continue
		}
		p, err := r.vad.Process(r.window)
		r.window = r.window[:0]
		if err != nil {
			r.o.Logger.Warn("voice activity detection failed; recording until # or the maximum length", "err", err)
			r.vadFailed, r.hadSpeech = true, true
			return ""
		}
		if p >= r.o.Endpoint.SpeechThreshold {
			r.speechEnd = len(r.pcm)
		}
		switch r.ep.Push(p, r.win) {
		case EventSpeechStart:
			r.hadSpeech = true
		case EventSpeechEnd:
			return MessageEndSilence
		}
	}
	return ""
}

// drain keeps the frames already queued when the caller hung up: the last
// words before the click.
func (r *recorder) drain(port Port) {
	for {
		select {
		case f, ok := <-port.Frames():
			if !ok {
				return
			}
			if r.frame(f) != "" {
				return
			}
		default:
			return
		}
	}
}

func (r *recorder) finish(endedBy string) Message {
	pcm := r.pcm
	if endedBy == MessageEndSilence {
		if keep := r.speechEnd + int(keepAfterSpeech*portRate/time.Second); keep < len(pcm) {
			pcm = pcm[:keep]
		}
	}
	return Message{PCM: pcm, EndedBy: endedBy, HadSpeech: r.hadSpeech,
		Duration: time.Duration(len(pcm)) * time.Second / portRate}
}
