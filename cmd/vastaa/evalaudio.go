package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vastaa/vastaa/evals"
	"github.com/vastaa/vastaa/media/sipua"
	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/workflows/callstore"
)

// runAudioEvals plays scenarios over SIP/RTP: each "say" is synthesised
// in the scenario's language (espeak-ng), sent by the project's own caller
// to the running bot, and scored from the call record the bot kept, so the
// whole chain counts: VAD, endpointing, speech recognition, language and
// intent, the workflow, retrieval and speech synthesis.
func runAudioEvals(ctx context.Context, a *app, runID string, scenarios []evals.Scenario, parallel int, bar *progressBar) evals.Report {
	if parallel <= 0 {
		parallel = 2
	}
	start := time.Now()
	var progress func(done, total int, r evals.Result)
	if bar != nil {
		progress = func(done, total int, _ evals.Result) { bar.update(int64(done), int64(total), done, total) }
	}
	i := 0
	var mu sync.Mutex
	results := evals.RunEach(scenarios, parallel, func(s evals.Scenario) evals.Result {
		mu.Lock()
		user := fmt.Sprintf("eval-%s-%d", runID, i) // a caller name the call record can be found by
		i++
		mu.Unlock()
		return audioScenario(ctx, a, user, s)
	}, progress)
	if bar != nil {
		bar.done()
	}
	rep := evals.NewReport(runID, "audio", start, time.Since(start), results)
	rep.Version = version
	return rep
}

func audioScenario(ctx context.Context, a *app, user string, s evals.Scenario) (res evals.Result) {
	t0 := time.Now()
	res = evals.Result{ID: s.ID, Language: s.Language, Tags: s.Tags, File: s.File, Expect: s.Expect}
	defer func() {
		res.Passed = len(res.Failures) == 0 && res.Error == ""
		res.Millis = float64(time.Since(t0).Microseconds()) / 1000
	}()
	if err := playScenario(ctx, a, user, s); err != nil {
		res.Error = err.Error()
		return res
	}
	rec, err := endedCallFrom(ctx, a.store, user, 10*time.Second)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.HungUp = rec.EndReason == "bot-hangup"
	res.Route, res.Queue = rec.Route, rec.Queue
	for i, t := range rec.Turns {
		tr := evals.TurnResult{
			DTMF: t.DTMF, Silence: t.Silence, Heard: t.CallerText, Language: t.Language, Intent: t.Intent,
			IntentConfidence: t.IntentConfidence, Route: t.Route, Queue: t.Queue, Reply: t.Reply, Citations: t.Citations,
			UnderstandMS: t.Timings.LanguageID + t.Timings.Intent, DecisionMS: t.Timings.Decision, RetrievalMS: t.Timings.Retrieval,
			TotalMS: t.Timings.FirstAudio, EndpointingMS: t.Timings.Endpointing, STTMS: t.Timings.STT, TTSMS: t.Timings.TTS,
		}
		if i < len(s.Turns) && s.Turns[i].Say != "" {
			tr.Say = s.Turns[i].Say
			w := evals.WordErrorRate(tr.Say, t.CallerText)
			tr.WordErrorRate = &w
		}
		res.Turns = append(res.Turns, tr)
	}
	if len(rec.Turns) != len(s.Turns) {
		res.Failures = append(res.Failures, fmt.Sprintf("the bot took %d turns for %d scripted ones", len(rec.Turns), len(s.Turns)))
	}
	evals.Check(s, &res)
	return res
}

// playScenario dials the bot, waits for the greeting, then says, presses
// or stays silent turn by turn, listening to each reply.
func playScenario(ctx context.Context, a *app, user string, s evals.Scenario) error {
	c, err := sipua.Dial(ctx, sipua.DialConfig{To: "sip:vastaa@" + a.sipAddr, From: "sip:" + user + "@127.0.0.1", LocalIP: "127.0.0.1", Pacer: a.pacer})
	if err != nil {
		return fmt.Errorf("dialling the bot: %w", err)
	}
	defer c.Hangup(context.Background(), "eval-done")
	if heard := listenTurn(ctx, c, 20*time.Second); len(heard) == 0 {
		return errors.New("no greeting within 20 s")
	}
	lang := pipeline.Language(s.Language)
	for i, t := range s.Turns {
		select {
		case <-c.Done():
			return nil // the bot hung up; the record tells the rest
		default:
		}
		switch {
		case strings.TrimSpace(t.Say) != "":
			pcm, err := lineSpeech(ctx, a.providers.tts, t.Say, lang)
			if err != nil {
				return fmt.Errorf("turn %d: synthesising: %w", i+1, err)
			}
			// Half a second of silence after the words lets the bot's
			// endpointer hear the end.
			pcm = append(pcm, make([]int16, 4000)...)
			pb := c.Media.Play(pcm)
			select {
			case <-pb.Done():
			case <-c.Done():
				return nil
			}
		case t.DTMF != "":
			for _, d := range t.DTMF {
				if err := c.Media.SendDTMF(d, 120*time.Millisecond); err != nil {
					return fmt.Errorf("turn %d: sending DTMF: %w", i+1, err)
				}
				time.Sleep(100 * time.Millisecond)
			}
		case t.Silence:
			// Say nothing: the bot's no-input timer makes the turn.
		}
		wait := 20 * time.Second
		if t.Silence {
			wait = a.cfg.NoInput + 20*time.Second
		}
		if heard := listenTurn(ctx, c, wait); len(heard) == 0 {
			select {
			case <-c.Done():
				return nil
			default:
			}
			return fmt.Errorf("turn %d: no reply within %v", i+1, wait)
		}
	}
	return nil
}

// endedCallFrom waits for the record of the call from user to end.
func endedCallFrom(ctx context.Context, st *callstore.Store, user string, wait time.Duration) (callstore.Call, error) {
	deadline := time.Now().Add(wait)
	for {
		calls, err := st.List(ctx, callstore.ListOptions{Limit: 1000})
		if err != nil {
			return callstore.Call{}, err
		}
		for _, c := range calls {
			if c.Caller == user && !c.EndedAt.IsZero() {
				return st.Get(ctx, c.ID)
			}
		}
		if time.Now().After(deadline) {
			return callstore.Call{}, fmt.Errorf("no ended call record from %s within %v", user, wait)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
