package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vastaa/vastaa/media"
)

// portRate is the rate of the audio the Port carries (G.711 narrowband).
const portRate = 8000

// Conversation runs the turn-taking of one call: it listens through VAD and
// endpointing, streams each utterance into STT while the caller speaks,
// understands the transcript, asks the Decider for a reply, synthesises it
// and plays it, and stops playback when the caller talks over the bot.
type Conversation struct {
	CallID     string
	Port       Port
	VAD        VAD
	STT        STT
	TTS        TTS
	Understand Understanding
	Decider    Decider
	Sink       TurnSink // optional
	Endpoint   EndpointConfig
	Language   Language // the call's language until the caller shows another
	Greeting   string   // said first; empty for none
	Logger     *slog.Logger
	// Apology is said when a stage fails, by language; a built-in table
	// is used when nil.
	Apology map[Language]string
}

// Outcome says how a conversation ended.
type Outcome struct {
	Turns int
	// EndedBy is "bot-hangup" when a reply asked to end the call,
	// "handoff" when the call was handed to a human queue (the caller now
	// waits for a person), "voicemail" when a reply asked for a message to
	// be recorded, or "caller-hangup" when the Port closed first.
	EndedBy string
	Route   string
	Queue   string
	// MidUtterance is set when the caller hung up while speaking.
	MidUtterance bool
	// Language is the one the bot last spoke.
	Language Language
}

// ErrNoSpeech is returned by Finish paths that produced no words.
var errNoSpeech = errors.New("no speech recognised")

var defaultApology = map[Language]string{
	English: "Sorry, something went wrong on my side. Could you say that again?",
	Finnish: "Anteeksi, minulla oli ongelma. Voisitteko toistaa?",
	Swedish: "Förlåt, något gick fel hos mig. Kan du säga det igen?",
	Latvian: "Atvainojiet, man radās problēma. Vai varat atkārtot?",
}

// listener holds the audio-side state of the conversation loop.
type listener struct {
	c          *Conversation
	ep         *Endpointer
	window     []float32 // VAD samples gathered so far at the VAD rate
	win        time.Duration
	preroll    []int16 // last PreRoll of 8 kHz audio while idle
	stream     RecognizerStream
	toSTT      *media.Resampler // 8 kHz -> STT rate, fresh per utterance
	toVAD      *media.Resampler // 8 kHz -> VAD rate (nil when the same)
	speechEnd  time.Time        // wall time of the last speech window of the open utterance
	bargeIn    bool
	bargeInMS  float64
	playing    Playback
	idleSince  time.Time // when the bot last stopped talking with no utterance open
	turn       int
	route      string
	queue      string
	lang       Language
	hangupNext bool
	handoff    bool
	record     bool
}

// Run drives the call until it ends. It returns when the Port is done or a
// reply asked to hang up (after that reply has been played).
func (c *Conversation) Run(ctx context.Context) (Outcome, error) {
	if c.Port == nil || c.VAD == nil || c.STT == nil || c.TTS == nil || c.Decider == nil || c.Understand.Intents == nil {
		return Outcome{}, errors.New("conversation: port, VAD, STT, TTS, intent classifier and decider are all required")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Logger = c.Logger.With("call", c.CallID)
	if c.Endpoint == (EndpointConfig{}) {
		c.Endpoint = DefaultEndpointConfig()
	}
	if !c.Language.Valid() {
		c.Language = English
	}
	l := &listener{
		c:    c,
		ep:   NewEndpointer(c.Endpoint),
		win:  time.Duration(c.VAD.WindowSize()) * time.Second / time.Duration(c.VAD.SampleRate()),
		lang: c.Language,
	}
	defer l.closeStream()
	if c.Greeting != "" {
		if err := l.say(ctx, c.Greeting, c.Language, nil); err != nil {
			c.Logger.Warn("greeting failed", "err", err)
		}
	}
	l.idleSince = time.Now()
	noInput := time.NewTicker(100 * time.Millisecond)
	defer noInput.Stop()
	for {
		select {
		case <-ctx.Done():
			return l.outcome("caller-hangup"), nil
		case <-c.Port.Done():
			return l.outcome("caller-hangup"), nil
		case frame, ok := <-c.Port.Frames():
			if !ok {
				return l.outcome("caller-hangup"), nil
			}
			if err := l.onFrame(ctx, frame); err != nil {
				return l.outcome("caller-hangup"), err
			}
		case d, ok := <-c.Port.DTMF():
			if !ok {
				continue
			}
			l.onDTMF(ctx, d)
		case <-noInput.C:
			l.onTick(ctx)
		}
		if l.hangupNext || l.handoff || l.record {
			// Let the goodbye (or "connecting you") finish, unless the
			// caller is gone first.
			if l.playing != nil {
				select {
				case <-l.playing.Done():
				case <-c.Port.Done():
					return l.outcome("caller-hangup"), nil
				case <-ctx.Done():
					return l.outcome("caller-hangup"), nil
				}
			}
			switch {
			case l.hangupNext:
				return l.outcome("bot-hangup"), nil
			case l.record:
				return l.outcome("voicemail"), nil
			}
			return l.outcome("handoff"), nil
		}
	}
}

func (l *listener) outcome(by string) Outcome {
	return Outcome{Turns: l.turn, EndedBy: by, Route: l.route, Queue: l.queue, Language: l.lang,
		MidUtterance: by == "caller-hangup" && l.ep.InSpeech()}
}

func (l *listener) isPlaying() bool {
	if l.playing == nil {
		return false
	}
	select {
	case <-l.playing.Done():
		l.playing = nil
		l.idleSince = time.Now()
		return false
	default:
		return true
	}
}

// onFrame runs VAD over one 20 ms frame and acts on endpointing events.
func (l *listener) onFrame(ctx context.Context, frame []int16) error {
	now := time.Now()
	if l.stream != nil {
		if err := l.stream.Write(l.toSTT.Process(frame)); err != nil {
			l.c.Logger.Warn("stt write failed", "err", err)
		}
	} else {
		l.keepPreroll(frame)
	}
	vadFrame := frame
	if r := l.c.VAD.SampleRate(); r != portRate {
		if l.toVAD == nil {
			l.toVAD = media.NewResampler(portRate, r)
		}
		vadFrame = l.toVAD.Process(frame)
	}
	for _, s := range vadFrame {
		l.window = append(l.window, float32(s)/32768)
		if len(l.window) < l.c.VAD.WindowSize() {
			continue
		}
		p, err := l.c.VAD.Process(l.window)
		l.window = l.window[:0]
		if err != nil {
			return fmt.Errorf("vad: %w", err)
		}
		if p >= l.c.Endpoint.SpeechThreshold {
			l.speechEnd = now
		}
		switch l.ep.Push(p, l.win) {
		case EventSpeechStart:
			if err := l.openStream(ctx); err != nil {
				l.c.Logger.Warn("stt stream failed", "err", err)
			}
			if l.isPlaying() {
				dropped := l.c.Port.StopPlayback()
				l.playing = nil
				l.bargeIn = true
				// The utterance began MinSpeech (its voiced part so far)
				// before this window: that is when the caller started.
				l.bargeInMS = ms(time.Since(now.Add(-l.ep.Voiced())))
				l.c.Logger.Debug("barge-in", "frames_dropped", dropped, "ms", l.bargeInMS)
			}
		case EventSpeechEnd:
			l.endUtterance(ctx)
		}
	}
	return nil
}

func (l *listener) keepPreroll(frame []int16) {
	max := int(l.c.Endpoint.PreRoll * portRate / time.Second)
	l.preroll = append(l.preroll, frame...)
	if over := len(l.preroll) - max; over > 0 {
		l.preroll = append(l.preroll[:0], l.preroll[over:]...)
	}
}

func (l *listener) openStream(ctx context.Context) error {
	l.closeStream()
	s, err := l.c.STT.NewStream(ctx, l.lang)
	if err != nil {
		return err
	}
	l.stream = s
	l.toSTT = media.NewResampler(portRate, l.c.STT.SampleRate())
	if len(l.preroll) > 0 {
		err = s.Write(l.toSTT.Process(l.preroll))
	}
	l.preroll = l.preroll[:0]
	return err
}

func (l *listener) closeStream() {
	if l.stream != nil {
		l.stream.Close()
		l.stream = nil
	}
}

// endUtterance finishes STT for the utterance that just ended and takes the turn.
func (l *listener) endUtterance(ctx context.Context) {
	endOfSpeech := l.speechEnd
	var tm Timings
	tm.Endpointing = ms(time.Since(endOfSpeech))
	bargeIn := l.bargeIn
	if bargeIn {
		tm.BargeIn = l.bargeInMS
	}
	l.bargeIn = false
	if l.stream == nil {
		return
	}
	t0 := time.Now()
	tr, err := l.stream.Finish(ctx)
	tm.STT = ms(time.Since(t0))
	l.closeStream()
	l.idleSince = time.Now()
	if err == nil && tr.Text == "" {
		err = errNoSpeech
	}
	if errors.Is(err, errNoSpeech) {
		// Noise the VAD took for speech, or a cough: not a turn.
		l.c.Logger.Debug("utterance without words", "voiced_ms", l.ep.Voiced().Milliseconds())
		return
	}
	req := TurnRequest{Text: tr.Text, BargeIn: bargeIn}
	if err != nil {
		l.c.Logger.Warn("speech to text failed", "err", err)
		l.apologise(ctx, req, tm, endOfSpeech, fmt.Errorf("stt: %w", err))
		return
	}
	u, err := l.c.Understand.Understand(ctx, tr.Text, tr.Language, l.lang)
	tm.LanguageID, tm.Intent = ms(u.LanguageIDTime), ms(u.IntentTime)
	req.Language, req.LanguageConfidence, req.Intent = u.Language, u.LanguageConfidence, u.Intent
	if err != nil {
		l.c.Logger.Warn("understanding failed", "err", err)
		l.apologise(ctx, req, tm, endOfSpeech, err)
		return
	}
	l.take(ctx, req, tm, endOfSpeech)
}

func (l *listener) onDTMF(ctx context.Context, d rune) {
	at := time.Now()
	if l.isPlaying() {
		l.c.Port.StopPlayback()
		l.playing = nil
	}
	// A key press ends whatever the caller was saying.
	l.closeStream()
	l.ep.Reset()
	l.take(ctx, TurnRequest{DTMF: string(d), Language: l.lang}, Timings{}, at)
}

func (l *listener) onTick(ctx context.Context) {
	if l.stream != nil || l.isPlaying() || l.ep.InSpeech() {
		return
	}
	if time.Since(l.idleSince) < l.c.Endpoint.NoInput {
		return
	}
	l.take(ctx, TurnRequest{Silence: true, Language: l.lang}, Timings{}, time.Now())
}

// take asks the decider for the reply to req, speaks it and records the turn.
func (l *listener) take(ctx context.Context, req TurnRequest, tm Timings, endOfInput time.Time) {
	req.CallID, req.Index = l.c.CallID, l.turn
	l.turn++
	if req.Language.Valid() {
		l.lang = req.Language
	} else {
		req.Language = l.lang
	}
	t0 := time.Now()
	reply, err := l.c.Decider.Decide(ctx, req)
	tm.Decision = ms(time.Since(t0))
	if err != nil {
		l.c.Logger.Warn("decision failed", "err", err)
		l.turn--
		l.apologise(ctx, req, tm, endOfInput, fmt.Errorf("decide: %w", err))
		return
	}
	tm.Retrieval = reply.RetrievalMS
	if reply.Route != "" {
		l.route, l.queue = reply.Route, reply.Queue
	}
	if !reply.Language.Valid() {
		reply.Language = l.lang
	}
	rec := TurnRecord{At: endOfInput, Request: req, Reply: reply}
	if err := l.say(ctx, reply.Text, reply.Language, &tm); err != nil {
		rec.Err = err.Error()
		l.c.Logger.Warn("speaking reply failed", "err", err)
	}
	tm = l.finishRecord(ctx, rec, tm, endOfInput)
	l.c.Logger.Info("turn", "index", req.Index, "intent", string(req.Intent.Intent), "route", reply.Route,
		"dtmf", req.DTMF != "", "silence", req.Silence, "barge_in", req.BargeIn, "first_audio_ms", int(tm.FirstAudio))
	switch {
	case reply.Hangup:
		l.hangupNext = true
	case reply.Record:
		l.record = true
	case reply.Route == RouteHandoff:
		l.handoff = true
	}
}

// apologise says the apology for a failed stage and records the failed turn.
func (l *listener) apologise(ctx context.Context, req TurnRequest, tm Timings, endOfInput time.Time, cause error) {
	if !req.Language.Valid() {
		req.Language = l.lang
	}
	req.CallID, req.Index = l.c.CallID, l.turn
	l.turn++
	table := l.c.Apology
	if table == nil {
		table = defaultApology
	}
	text := table[req.Language]
	rec := TurnRecord{At: endOfInput, Request: req, Reply: Reply{Text: text, Language: req.Language}, Err: cause.Error()}
	if err := l.say(ctx, text, req.Language, &tm); err != nil {
		l.c.Logger.Warn("speaking apology failed", "err", err)
	}
	l.finishRecord(ctx, rec, tm, endOfInput)
}

// finishRecord waits (briefly) for the reply's first packet so the turn
// records the latency the caller heard, then hands the record to the sink.
func (l *listener) finishRecord(ctx context.Context, rec TurnRecord, tm Timings, endOfInput time.Time) Timings {
	if pb := l.playing; pb != nil {
		deadline := time.Now().Add(200 * time.Millisecond)
		for pb.FirstPacketAt().IsZero() && time.Now().Before(deadline) {
			select {
			case <-pb.Done():
				deadline = time.Now()
			case <-time.After(2 * time.Millisecond):
			}
		}
		if first := pb.FirstPacketAt(); !first.IsZero() {
			tm.FirstAudio = ms(first.Sub(endOfInput))
		}
	}
	rec.Timings = tm
	if l.c.Sink != nil {
		l.c.Sink.RecordTurn(ctx, rec)
	}
	return tm
}

// say synthesises text and queues it for playback.
func (l *listener) say(ctx context.Context, text string, lang Language, tm *Timings) error {
	if text == "" {
		return nil
	}
	t0 := time.Now()
	sp, err := l.c.TTS.Synthesize(ctx, text, lang)
	if err != nil {
		return fmt.Errorf("tts: %w", err)
	}
	pcm := sp.PCM
	if sp.SampleRate != portRate {
		pcm = media.Resample(pcm, sp.SampleRate, portRate)
	}
	if tm != nil {
		tm.TTS = ms(time.Since(t0)) // synthesis and conversion to the line's rate
	}
	l.playing = l.c.Port.Play(pcm)
	return nil
}
