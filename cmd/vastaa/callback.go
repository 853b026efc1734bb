package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/media/sipua"
	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/workflows/callback"
)

// callbackConfig is how callbacks reach the public phone network.
type callbackConfig struct {
	Trunk       string        // host:port of the SIP trunk or PBX
	Transport   string        // udp or tcp
	From        string        // our caller ID (user part)
	RingTimeout time.Duration // how long a callback rings before it counts as no-answer
}

func (c *callbackConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.Trunk, "callback-trunk", "", "host:port of the SIP trunk that places callbacks (empty: callbacks fail without dialling)")
	fs.StringVar(&c.Transport, "callback-transport", "udp", "transport to the callback trunk: udp or tcp")
	fs.StringVar(&c.From, "callback-from", "vastaa", "caller ID user part of callbacks")
	fs.DurationVar(&c.RingTimeout, "callback-ring-timeout", 30*time.Second, "how long a callback rings before it counts as no answer")
}

func (c *callbackConfig) validate() error {
	if c.Trunk != "" {
		if _, _, err := net.SplitHostPort(c.Trunk); err != nil {
			return fmt.Errorf("--callback-trunk must be host:port, not %q", c.Trunk)
		}
	}
	if c.Transport != "udp" && c.Transport != "tcp" {
		return fmt.Errorf("--callback-transport must be udp or tcp, not %q", c.Transport)
	}
	return nil
}

// callbackLocalIP is the address callbacks are placed from: the media IP,
// else the SIP listen IP when it is a concrete one, else loopback.
func callbackLocalIP(cfg serveConfig) string {
	if cfg.MediaIP != "" {
		return cfg.MediaIP
	}
	if host, _, err := net.SplitHostPort(cfg.SIPAddr); err == nil {
		if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() {
			return host
		}
	}
	return "127.0.0.1"
}

// speakFunc turns text in a language (en, fi, sv, lv) into 8 kHz mono PCM.
type speakFunc func(text, lang string) ([]int16, error)

// ttsSpeaker speaks with one of the pipeline's TTS providers.
func ttsSpeaker(tts pipeline.TTS) speakFunc {
	return func(text, lang string) ([]int16, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return lineSpeech(ctx, tts, text, pipeline.Language(lang))
	}
}

// sipDialer places callbacks as SIP calls to sip:<number>@<trunk>: it
// rings the caller, says the callback prompt when they answer, and hangs
// up. It implements callback.Dialer.
//
// Bridging the answered caller to the agent's phone comes later, with the
// agent desk: until then "connected" means the caller answered and heard
// that an agent will be with them shortly.
type sipDialer struct {
	Trunk       string // host:port
	Transport   string // udp (default) or tcp
	LocalIP     string // default 127.0.0.1
	From        string // caller ID user part, default "vastaa"
	RingTimeout time.Duration
	Speak       speakFunc
	Pacer       *media.Pacer // optional: a running pacer shared with other calls
	Log         *slog.Logger
}

// newSIPDialer makes the dialer of a configuration.
func newSIPDialer(cfg callbackConfig, localIP string, speak speakFunc, pacer *media.Pacer, log *slog.Logger) *sipDialer {
	return &sipDialer{Trunk: cfg.Trunk, Transport: cfg.Transport, LocalIP: localIP, From: cfg.From,
		RingTimeout: cfg.RingTimeout, Speak: speak, Pacer: pacer, Log: log}
}

// dialGrace is how long after the ring timeout the dialer waits for the
// SIP side to give up. sipgo sends CANCEL only once the callee has sent a
// provisional response; with no response at all it waits out the INVITE
// transaction (Timer B, 32 s, RFC 3261 section 17.1.1.2), which the
// attempt need not wait for.
const dialGrace = 2 * time.Second

// Dial is one callback attempt.
func (d *sipDialer) Dial(ctx context.Context, at callback.Attempt) (callback.Outcome, error) {
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	// "callback" is our call's ID; sipua adds "call", the SIP leg's own.
	log = log.With("callback", at.CallID, "attempt", at.Attempt)
	if err := callback.CheckNumber(at.Number); err != nil {
		log.Warn("callback not dialled: invalid number", "err", err)
		return callback.Failed, err
	}
	if d.Trunk == "" {
		return callback.Failed, errors.New("no callback trunk configured (--callback-trunk)")
	}
	if _, _, err := net.SplitHostPort(d.Trunk); err != nil {
		return callback.Failed, fmt.Errorf("callback trunk %q: want host:port", d.Trunk)
	}
	if d.Speak == nil {
		return callback.Failed, errors.New("no speech synthesis for the callback prompt")
	}
	// The prompt is made before dialling: a caller must not answer to silence.
	prompt, err := d.Speak(at.Prompt, at.Language)
	if err != nil {
		return callback.Failed, fmt.Errorf("callback prompt (%s): %w", at.Language, err)
	}
	ring := d.RingTimeout
	if ring <= 0 {
		ring = 30 * time.Second
	}
	from := d.From
	if from == "" {
		from = "vastaa"
	}

	log.Info("callback dialling", "trunk", d.Trunk, "ring_timeout", ring)
	log.Debug("callback number", "number", at.Number)
	ringCtx, cancel := context.WithTimeout(ctx, ring)
	defer cancel()
	type dialed struct {
		c   *sipua.Call
		err error
	}
	done := make(chan dialed, 1)
	go func() {
		c, err := sipua.Dial(ringCtx, sipua.DialConfig{To: "sip:" + at.Number + "@" + d.Trunk, From: from,
			Transport: d.Transport, LocalIP: d.LocalIP, Pacer: d.Pacer, Logger: log})
		done <- dialed{c, err}
	}()
	var r dialed
	select {
	case r = <-done:
	case <-time.After(ring + dialGrace):
		cancel()
		// Whatever the SIP side still does is cleaned up in the background;
		// a late answer is hung up at once.
		go func() {
			if late := <-done; late.c != nil {
				hangupCtx, stop := context.WithTimeout(context.Background(), 3*time.Second)
				late.c.Hangup(hangupCtx, "callback-gave-up")
				stop()
			}
		}()
		log.Info("callback outcome", "outcome", callback.NoAnswer, "why", "no response from the trunk")
		return callback.NoAnswer, fmt.Errorf("no answer within %s (no response from the trunk)", ring)
	}
	if r.err != nil {
		out := dialOutcome(r.err, ctx)
		log.Info("callback outcome", "outcome", out)
		// sipgo's errors may quote SIP messages, and with them the number.
		log.Debug("callback dial error", "err", r.err)
		if out == callback.NoAnswer && errors.Is(r.err, context.DeadlineExceeded) {
			return out, fmt.Errorf("no answer within %s", ring)
		}
		return out, r.err
	}

	c := r.c
	log.Info("callback answered", "codec", c.Codec.Name)
	pb := c.Media.Play(prompt)
	select {
	case <-pb.Done():
		// Let the last frames leave the jitter buffer of the far end.
		select {
		case <-time.After(300 * time.Millisecond):
		case <-c.Done():
		}
	case <-c.Done(): // the callee hung up during the prompt: still answered
	case <-ctx.Done():
	}
	hangupCtx, stop := context.WithTimeout(context.Background(), 3*time.Second)
	defer stop()
	if err := c.Hangup(hangupCtx, "callback-prompt-done"); err != nil {
		log.Debug("callback hang-up", "err", err)
	}
	log.Info("callback outcome", "outcome", callback.Answered, "end", c.EndReason())
	return callback.Answered, nil
}

// dialOutcome classifies a failed dial: the SIP final response where there
// is one (RFC 3261 section 21), else our own ring timeout, else a failure
// to place the call at all. parent is the attempt's context: when it is
// the one cancelled, the attempt was stopped rather than unanswered.
func dialOutcome(err error, parent context.Context) callback.Outcome {
	var rej *sipua.ErrRejected
	if errors.As(err, &rej) {
		switch {
		case rej.StatusCode == 486 || rej.StatusCode == 600:
			return callback.Busy
		case rej.StatusCode == 408 || rej.StatusCode == 480 || rej.StatusCode == 487:
			// 487 is the answer to our own CANCEL when the ringing timed out.
			return callback.NoAnswer
		case rej.StatusCode >= 400:
			return callback.Rejected
		}
		return callback.Failed
	}
	if parent.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return callback.NoAnswer
	}
	return callback.Failed
}
