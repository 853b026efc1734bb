package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vastaa/vastaa/agents"
	"github.com/vastaa/vastaa/knowledge"
	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/media/sipua"
	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/workflows"
	"github.com/vastaa/vastaa/workflows/callstore"
)

// handleCall runs one answered call from greeting to hang-up and keeps its record.
func (a *app) handleCall(ctx context.Context, c *sipua.Call) {
	log := a.log.With("call", c.ID)
	// Records are written with a context of their own: a hang-up cancels
	// ctx, and the record of how the call ended must still be written.
	bg := context.WithoutCancel(ctx)
	rec := callstore.Call{ID: c.ID, SIPCallID: c.SIPCallID, Direction: "inbound", Caller: c.From, Callee: c.To,
		Codec: c.Codec.Name, StartedAt: c.StartedAt, AnsweredAt: c.AnsweredAt, Recording: c.RecordingPath()}
	if err := a.store.Create(bg, rec); err != nil {
		log.Error("call record not created", "err", err)
	}
	lang := pipeline.Language(a.cfg.Language)
	reason := ""
	defer func() {
		select {
		case <-c.Done():
		case <-ctx.Done():
			// The call is ending on its own (hang-up, shutdown): its end
			// reason is the SIP side's.
			<-c.Done()
		default:
			// The conversation ended (or failed) with the caller still on
			// the line: say so in the record and hang up.
			if reason == "" {
				reason = "bot-hangup"
			}
			c.Hangup(bg, reason)
			<-c.Done()
		}
		if reason == "" {
			reason = string(c.EndReason())
		}
		if a.queues.Leave(c.ID) {
			log.Info("caller left the queue before an agent answered")
		}
		if err := a.decider.End(bg, c.ID, reason); err != nil {
			log.Warn("ending call workflow failed", "err", err)
		}
		if err := a.store.End(bg, c.ID, c.EndedAt(), reason, mediaStats(c.Media.Stats())); err != nil {
			log.Error("call record not closed", "err", err)
		}
		log.Info("call ended", "reason", reason)
	}()

	if err := a.decider.Start(bg, workflows.CallInput{CallID: c.ID, Caller: c.From, Language: string(lang)}); err != nil {
		log.Error("call workflow did not start", "err", err)
		reason = "failed:workflow-unavailable"
		return
	}
	vad, err := a.providers.vad.NewVAD()
	if err != nil {
		log.Error("voice activity detector unavailable", "err", err)
		reason = "failed:vad-unavailable"
		return
	}
	defer vad.Close()

	port := newCallPort(ctx, c)
	conv := &pipeline.Conversation{
		CallID: c.ID, Port: port, VAD: vad, STT: a.providers.stt, TTS: a.providers.tts,
		Understand: pipeline.Understanding{LanguageID: a.providers.langID, Intents: a.providers.intents, MinLanguageConfidence: 0.5},
		Decider:    deciderAdapter{a.decider}, Sink: turnSink{a.store, log, c.ID},
		Endpoint: endpointConfig(a.cfg), Language: lang, Greeting: workflows.Greeting(string(lang)), Logger: a.log,
	}
	out, err := conv.Run(ctx)
	if err != nil {
		log.Error("conversation failed", "err", err)
		reason = "failed:conversation"
	}
	switch out.EndedBy {
	case "bot-hangup":
		reason = "bot-hangup"
	case "voicemail":
		reason = a.takeMessage(ctx, c, port, out.Language, log)
	case "handoff":
		switch a.hold(ctx, c, port, out.Language, log) {
		case holdCallback:
			reason = "callback-requested"
		case holdVoicemail:
			reason = a.takeMessage(ctx, c, port, out.Language, log)
		}
	case "caller-hangup":
		if out.MidUtterance {
			reason = string(c.EndReason()) + ":mid-utterance"
		}
	}
}

func endpointConfig(cfg serveConfig) pipeline.EndpointConfig {
	ep := pipeline.DefaultEndpointConfig()
	if cfg.NoInput > 0 {
		ep.NoInput = cfg.NoInput
	}
	return ep
}

func mediaStats(s media.SessionStats) callstore.MediaStats {
	return callstore.MediaStats{
		PacketsReceived: s.Jitter.Received, PacketsLost: s.Jitter.Lost, PacketsLate: s.Jitter.Late,
		JitterMS: s.Jitter.JitterMs, PacketsSent: s.PacketsSent, Garbage: s.Garbage,
	}
}

// callPort adapts a SIP call's RTP session to the pipeline's Port.
type callPort struct {
	call *sipua.Call
	dtmf chan rune
}

func newCallPort(ctx context.Context, c *sipua.Call) *callPort {
	p := &callPort{call: c, dtmf: make(chan rune, 16)}
	go func() {
		for {
			select {
			case ev, ok := <-c.Media.DTMF():
				if !ok {
					return
				}
				select {
				case p.dtmf <- ev.Digit:
				default: // a caller mashing keys faster than we take turns
				}
			case <-c.Done():
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return p
}

func (p *callPort) Frames() <-chan []int16             { return p.call.Media.Frames() }
func (p *callPort) DTMF() <-chan rune                  { return p.dtmf }
func (p *callPort) Play(pcm []int16) pipeline.Playback { return p.call.Media.Play(pcm) }
func (p *callPort) StopPlayback() int                  { return p.call.Media.StopPlayback() }
func (p *callPort) Done() <-chan struct{}              { return p.call.Done() }

// deciderAdapter lets the Temporal CallWorkflow decide the pipeline's turns.
type deciderAdapter struct{ d *workflows.Decider }

func (d deciderAdapter) Decide(ctx context.Context, req pipeline.TurnRequest) (pipeline.Reply, error) {
	dec, err := d.d.Turn(ctx, req.CallID, workflows.TurnInput{
		Text: req.Text, Language: string(req.Language), Intent: string(req.Intent.Intent),
		IntentConfidence: req.Intent.Confidence, DTMF: req.DTMF, Silence: req.Silence, BargeIn: req.BargeIn,
	})
	if err != nil {
		return pipeline.Reply{}, err
	}
	return pipeline.Reply{
		Text: dec.Reply, Language: pipeline.Language(dec.Language), Route: string(dec.Route), Queue: dec.Queue,
		Citations: dec.Citations, AnswerConfidence: dec.AnswerConfidence, RetrievalMS: dec.RetrievalMS, Hangup: dec.Hangup, Record: dec.Record,
	}, nil
}

// turnSink writes each turn into the call record.
type turnSink struct {
	store  *callstore.Store
	log    interface{ Error(string, ...any) }
	callID string
}

func (s turnSink) RecordTurn(ctx context.Context, r pipeline.TurnRecord) {
	t := callstore.Turn{
		Index: r.Request.Index, At: r.At, CallerText: r.Request.Text, DTMF: r.Request.DTMF, Silence: r.Request.Silence,
		BargeIn: r.Request.BargeIn, Language: string(r.Request.Language), LanguageConfidence: r.Request.LanguageConfidence,
		Intent: string(r.Request.Intent.Intent), IntentConfidence: r.Request.Intent.Confidence,
		Route: r.Reply.Route, Queue: r.Reply.Queue, Reply: r.Reply.Text, ReplyLanguage: string(r.Reply.Language),
		Citations: r.Reply.Citations, AnswerConfidence: r.Reply.AnswerConfidence, Timings: r.Timings, Error: r.Err,
	}
	if err := s.store.AddTurn(context.WithoutCancel(ctx), s.callID, t); err != nil {
		s.log.Error("turn not recorded", "call", s.callID, "err", err)
	}
}

// queueAdapter lets the workflows' handoff activity put calls into the agents' queues.
type queueAdapter struct {
	q     queueStore
	hours *openHours // nil: always open
}

func (q queueAdapter) Enqueue(ctx context.Context, h workflows.Handoff) (int, error) {
	if !q.hours.Open(time.Now()) {
		return 0, fmt.Errorf("outside %s: %w", "opening hours", workflows.ErrClosed)
	}
	pos, err := q.q.Enqueue(ctx, agents.Item{
		CallID: h.CallID, Queue: h.Queue, Language: h.Language, Reason: h.Reason, Intent: h.Intent,
		Priority: h.Priority, Summary: h.Summary, Transcript: h.Transcript, EnqueuedAt: time.Now(),
	})
	if errors.Is(err, agents.ErrQueueFull) {
		err = fmt.Errorf("%w: %w", workflows.ErrQueueFull, err)
	}
	return pos, err
}

// knowledgeAdapter lets the workflows' answer activity use the knowledge base.
type knowledgeAdapter struct{ kb *knowledge.KB }

func (k knowledgeAdapter) Answer(ctx context.Context, q, lang string) (workflows.Answer, error) {
	a, err := k.kb.Answer(ctx, q, lang)
	if err != nil {
		return workflows.Answer{}, err
	}
	return workflows.Answer{Text: a.Text, Citations: a.Citations, Confidence: a.Confidence, Found: a.Found}, nil
}

// recordRejected keeps a record of calls refused before answer (e.g. no common codec).
func (a *app) recordRejected(r sipua.Rejection) {
	ctx := context.Background()
	now := time.Now()
	ended := r.EndedAt
	if ended.IsZero() {
		ended = now
	}
	err := a.store.Create(ctx, callstore.Call{ID: r.CallID, SIPCallID: r.SIPCallID, Direction: "inbound", Caller: r.From,
		Callee: r.To, StartedAt: r.At, EndedAt: ended, EndReason: "rejected:" + r.Reason})
	if err != nil && !errors.Is(err, context.Canceled) {
		a.log.Error("rejected call not recorded", "call", r.CallID, "err", err)
	}
}
