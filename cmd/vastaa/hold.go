package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/media/sipua"
	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/workflows"
	"github.com/vastaa/vastaa/workflows/queues"
	"github.com/vastaa/vastaa/workflows/voicemail"
)

// holdAnnounceEvery is how often a waiting caller hears their place.
const holdAnnounceEvery = 30 * time.Second

// holdOutcome is how a caller's wait ended on our side.
type holdOutcome string

const (
	holdHangup    holdOutcome = ""          // the caller hung up (or the call ended)
	holdCallback  holdOutcome = "callback"  // took a callback and was let go
	holdVoicemail holdOutcome = "voicemail" // chose to leave a message
)

// hold keeps a handed-off caller company until a person takes the call:
// hold music, their place and estimated wait announced in their language
// at once and every 30 s, and two ways out: 1 for a callback that keeps
// their place, 2 to leave a message. Past the maximum wait the choice is
// offered again. Once an agent is assigned, the caller hears so and waits
// on music (the audio bridge to the agent's phone comes with the desk).
func (a *app) hold(ctx context.Context, c *sipua.Call, port *callPort, lang pipeline.Language, log *slog.Logger) holdOutcome {
	events, stop := a.queues.Watch(c.ID)
	defer stop()
	tune := pipeline.HoldMusic(8000)
	assigned := false
	var playing pipeline.Playback
	play := func(pcm []int16) {
		if playing != nil {
			port.StopPlayback()
		}
		playing = port.Play(pcm)
	}
	announce := func() {
		if assigned {
			return
		}
		pos, err := a.queues.Position(ctx, c.ID)
		if err != nil || pos.Position == 0 {
			if err != nil {
				log.Warn("queue position unavailable", "err", err)
			}
			return
		}
		if pcm := a.speak(ctx, workflows.HoldAnnouncement(string(lang), pos.Position, pos.EstimatedWait), lang, log); pcm != nil {
			play(pcm)
		}
	}
	announce()
	tick := time.NewTicker(holdAnnounceEvery)
	defer tick.Stop()
	for {
		var done <-chan struct{}
		if playing != nil {
			done = playing.Done()
		}
		select {
		case <-ctx.Done():
			return holdHangup
		case <-port.Done():
			return holdHangup
		case <-done:
			playing = port.Play(tune)
		case <-tick.C:
			announce()
		case ev := <-events:
			switch ev.Kind {
			case queues.KindAssigned:
				assigned = true
				log.Info("agent assigned to the call on hold", "agent", ev.AgentID)
				if pcm := a.speak(ctx, workflows.AgentAssigned(string(lang)), lang, log); pcm != nil {
					play(pcm)
				}
			case queues.KindMaxWait:
				if pcm := a.speak(ctx, workflows.MaxWaitOffer(string(lang)), lang, log); pcm != nil {
					play(pcm)
				}
			}
		case d := <-port.DTMF():
			if assigned {
				continue
			}
			switch d {
			case '1':
				_, err := a.queues.Callback(ctx, queues.CallbackRequest{CallID: c.ID, Number: callerNumber(c.From), Language: string(lang)})
				if err != nil {
					log.Warn("callback not taken", "err", err)
					if pcm := a.speak(ctx, workflows.CallbackRefused(string(lang)), lang, log); pcm != nil {
						play(pcm)
					}
					continue
				}
				a.sayAndWait(ctx, port, workflows.CallbackTaken(string(lang)), lang, log)
				return holdCallback
			case '2':
				if a.queues.LeaveFor(c.ID, "voicemail") {
					log.Info("caller left the queue to leave a message")
				}
				port.StopPlayback()
				a.sayAndWait(ctx, port, workflows.VoicemailPrompt(string(lang)), lang, log)
				return holdVoicemail
			}
		}
	}
}

// callerNumber is the user part of a SIP From URI ("sip:+358401234567@host").
func callerNumber(from string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(from, "sips:"), "sip:")
	if at := strings.IndexByte(s, '@'); at >= 0 {
		s = s[:at]
	}
	return s
}

// takeMessage records a voicemail after the prompt the caller just heard,
// keeps it as a WAV file and starts its triage workflow (transcription,
// topic, urgency, a task for the right team). A caller who hangs up
// mid-message still leaves what they said.
func (a *app) takeMessage(ctx context.Context, c *sipua.Call, port *callPort, lang pipeline.Language, log *slog.Logger) string {
	vad, err := a.providers.vad.NewVAD()
	if err != nil {
		log.Error("voicemail: no voice activity detector", "err", err)
		return "failed:vad-unavailable"
	}
	defer vad.Close()
	msg, err := pipeline.RecordMessage(ctx, port, vad, pipeline.MessageOptions{Logger: log})
	if err != nil {
		log.Error("voicemail not recorded", "err", err)
		return "failed:voicemail"
	}
	bg := context.WithoutCancel(ctx)
	in := voicemail.Input{CallID: c.ID, Caller: callerNumber(c.From), Language: string(lang), NoSpeech: !msg.HadSpeech}
	if len(msg.PCM) > 0 {
		if in.RecordingPath, err = voicemail.SaveRecording(filepath.Join(a.cfg.DataDir, "voicemail"), c.ID, msg.PCM); err != nil {
			log.Error("voicemail recording not saved", "err", err)
		}
	}
	if err := voicemail.Start(bg, a.tc, in); err != nil {
		log.Error("voicemail triage did not start", "err", err)
	}
	log.Info("voicemail taken", "ended_by", msg.EndedBy, "seconds", msg.Duration.Round(100*time.Millisecond).Seconds(), "speech", msg.HadSpeech)
	if msg.EndedBy == pipeline.MessageEndHangup {
		return ""
	}
	bye := workflows.VoicemailSaved(string(lang))
	if !msg.HadSpeech {
		bye = workflows.NoMessage(string(lang))
	}
	a.sayAndWait(ctx, port, bye, lang, log)
	return "voicemail"
}

// lineSpeech synthesises text at the phone line's rate (8 kHz).
func lineSpeech(ctx context.Context, tts pipeline.TTS, text string, lang pipeline.Language) ([]int16, error) {
	sp, err := tts.Synthesize(ctx, text, lang)
	if err != nil {
		return nil, err
	}
	return media.Resample(sp.PCM, sp.SampleRate, 8000), nil
}

// speak is lineSpeech with the bot's TTS; nil (logged) on failure.
func (a *app) speak(ctx context.Context, text string, lang pipeline.Language, log *slog.Logger) []int16 {
	pcm, err := lineSpeech(ctx, a.providers.tts, text, lang)
	if err != nil {
		log.Warn("speech synthesis failed", "err", err)
		return nil
	}
	return pcm
}

// sayAndWait speaks text and waits until it has played (or the call ends).
func (a *app) sayAndWait(ctx context.Context, port *callPort, text string, lang pipeline.Language, log *slog.Logger) {
	pcm := a.speak(ctx, text, lang, log)
	if pcm == nil {
		return
	}
	pb := port.Play(pcm)
	select {
	case <-pb.Done():
	case <-port.Done():
	case <-ctx.Done():
	}
}
