package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/media/sipua"
	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/pipeline/silero"
	"github.com/vastaa/vastaa/pipeline/speechtest"
	"github.com/vastaa/vastaa/workflows/callstore"
)

func benchCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("bench: say which: media, turn or kb (vastaa bench media --help)")
	}
	switch args[0] {
	case "media":
		return benchMedia(ctx, args[1:])
	case "turn":
		return benchTurn(ctx, args[1:])
	case "kb":
		return benchKB(ctx, args[1:])
	default:
		return fmt.Errorf("bench: unknown benchmark %q (media, turn or kb)", args[0])
	}
}

func machine() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s, %d cores, %s/%s, %s", host, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func benchMedia(ctx context.Context, args []string) error {
	fs := newFlagSet("bench media", "N concurrent calls on loopback, each receiving and sending 20 ms G.711 through\nthe jitter buffer, the DTMF detector and (with --vad) Silero VAD, all paced by\none shared clock. Prints CPU per call-second and pacing jitter.")
	callsList := fs.String("calls", "100,500,1000", "comma-separated numbers of concurrent calls")
	dur := fs.Duration("duration", 10*time.Second, "how long each run lasts")
	withVAD := fs.Bool("vad", true, "run Silero VAD on every received frame")
	if err := parse(fs, args); err != nil {
		return err
	}
	var factory pipeline.VADFactory
	if *withVAD {
		cfg := silero.DefaultConfig()
		cfg.SampleRate = 8000
		f, err := silero.NewFactory(cfg)
		if err != nil {
			return err
		}
		defer f.Close()
		factory = f
	}
	fmt.Printf("machine: %s\n", machine())
	fmt.Printf("%8s %10s %14s %12s %12s %10s %10s\n", "calls", "vad", "cpu ms/call-s", "jitter p50", "jitter p99", "lost", "vad drops")
	for _, s := range strings.Split(*callsList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("--calls: %q is not a positive number", s)
		}
		perFrame, vadName, closeVADs, err := vadPerFrame(factory, n)
		if err != nil {
			return err
		}
		res, err := media.RunMediaBench(ctx, n, *dur, perFrame)
		closeVADs()
		if err != nil {
			return err
		}
		fmt.Printf("%8d %10s %14.2f %12s %12s %10d %10d\n", n, vadName, res.CPUPerCallSecond*1000,
			res.PacingP50, res.PacingP99, res.PacketsLost, res.FramesDropped)
	}
	return nil
}

// vadPerFrame gives every call its own VAD state and runs it over each frame.
func vadPerFrame(f pipeline.VADFactory, n int) (func(int, []int16), string, func(), error) {
	if f == nil {
		return nil, "off", func() {}, nil
	}
	type state struct {
		mu  sync.Mutex
		vad pipeline.VAD
		buf []float32
	}
	states := make([]*state, n)
	for i := range states {
		v, err := f.NewVAD()
		if err != nil {
			return nil, "", nil, err
		}
		states[i] = &state{vad: v}
	}
	closeAll := func() {
		for _, s := range states {
			s.vad.Close()
		}
	}
	return func(i int, frame []int16) {
		s := states[i]
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, v := range frame {
			s.buf = append(s.buf, float32(v)/32768)
			if len(s.buf) == s.vad.WindowSize() {
				s.vad.Process(s.buf)
				s.buf = s.buf[:0]
			}
		}
	}, f.Name(), closeAll, nil
}

func benchTurn(ctx context.Context, args []string) error {
	fs := newFlagSet("bench turn", "Runs vastaa serve on the embedded defaults in this process, calls it N times\nwith a spoken question and reports end of caller speech -> first bot RTP packet,\np50 and p95, with the per-stage breakdown from the call records.")
	n := fs.Int("n", 20, "number of calls")
	text := fs.String("say", "What are your opening hours?", "the question (spoken with Festival)")
	bargeIn := fs.Bool("barge-in", false, "ask one second into the greeting, talking over the bot")
	if err := parse(fs, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "vastaa-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	audio, err := speakForTest(ctx, *text, dir)
	if err != nil {
		return err
	}
	cfg := benchServeConfig(dir)
	a, err := startApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.stop()
	pacer := media.NewPacer(20 * time.Millisecond)
	pacer.Start(ctx)
	defer pacer.Stop()
	var wire []time.Duration
	for i := 0; i < *n; i++ {
		d, err := oneTimedTurn(ctx, a.sipAddr, pacer, audio, *bargeIn)
		if err != nil {
			return fmt.Errorf("call %d: %w", i, err)
		}
		wire = append(wire, d)
	}
	// Let the last call's record be closed.
	time.Sleep(500 * time.Millisecond)
	calls, err := a.store.List(ctx, callstore.ListOptions{Limit: *n})
	if err != nil {
		return err
	}
	stages := map[string][]float64{}
	for _, c := range calls {
		full, err := a.store.Get(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, t := range full.Turns {
			if t.Silence || t.DTMF != "" {
				continue
			}
			tm := t.Timings
			for name, v := range map[string]float64{"endpointing": tm.Endpointing, "stt": tm.STT, "language_id": tm.LanguageID,
				"intent": tm.Intent, "decision": tm.Decision, "retrieval": tm.Retrieval, "tts": tm.TTS, "first_audio (server)": tm.FirstAudio, "barge_in": tm.BargeIn} {
				if name == "barge_in" && !t.BargeIn {
					continue
				}
				stages[name] = append(stages[name], v)
			}
		}
	}
	fmt.Printf("machine: %s\ncalls: %d\n", machine(), *n)
	fmt.Printf("%-22s %10s %10s\n", "stage (ms)", "p50", "p95")
	names := make([]string, 0, len(stages))
	for k := range stages {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Printf("%-22s %10.1f %10.1f\n", k, pct(stages[k], 50), pct(stages[k], 95))
	}
	ws := make([]float64, len(wire))
	for i, d := range wire {
		ws[i] = float64(d.Microseconds()) / 1000
	}
	fmt.Printf("%-22s %10.1f %10.1f\n", "end of speech->first packet (caller side)", pct(ws, 50), pct(ws, 95))
	return nil
}

func benchServeConfig(dir string) serveConfig {
	var cfg serveConfig
	fs := newFlagSet("bench", "")
	cfg.register(fs)
	cfg.DataDir = dir
	cfg.SIPAddr = "127.0.0.1:" + strconv.Itoa(freePort())
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.Record = false
	cfg.LogLevel = "warn"
	return cfg
}

// oneTimedTurn calls, waits for the greeting, says audio, and measures from
// the last packet of speech sent to the first packet of the reply received.
func oneTimedTurn(ctx context.Context, sipAddr string, pacer *media.Pacer, audio []int16, bargeIn bool) (time.Duration, error) {
	c, err := sipua.Dial(ctx, sipua.DialConfig{To: "sip:vastaa@" + sipAddr, From: "sip:bench@127.0.0.1", LocalIP: "127.0.0.1", Pacer: pacer})
	if err != nil {
		return 0, err
	}
	defer c.Hangup(context.Background(), "bench-done")
	if bargeIn {
		// Wait for the greeting to start, then talk over it.
		for f := range c.Media.Frames() {
			if rms(f) > 300 {
				break
			}
		}
		for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); {
			<-c.Media.Frames()
		}
	} else {
		listenTurn(ctx, c, 10*time.Second)
	}
	pb := c.Media.Play(audio)
	// The bot may answer while the recording's trailing silence is still
	// being sent, so watch the frames from the start: the reply is the
	// first loud frame after the speech ends.
	speech := time.Duration(len(audio))*time.Second/8000 - trailingSilence(audio)
	deadline := time.After(20 * time.Second)
	for {
		select {
		case f := <-c.Media.Frames():
			first := pb.FirstPacketAt()
			if first.IsZero() || rms(f) <= 300 {
				continue
			}
			if endOfSpeech := first.Add(speech); time.Now().After(endOfSpeech) {
				return time.Since(endOfSpeech), nil
			}
		case <-deadline:
			return 0, errors.New("no reply within 20 s")
		case <-c.Done():
			return 0, errors.New("call ended before the reply")
		}
	}
}

func trailingSilence(pcm []int16) time.Duration {
	n := 0
	for i := len(pcm) - 160; i >= 0; i -= 160 {
		if rms(pcm[i:i+160]) > 300 {
			break
		}
		n += 160
	}
	return time.Duration(n) * time.Second / 8000
}

func pct(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

// speakForTest makes 8 kHz audio of text with Festival (what pocketsphinx
// hears best), with half a second of silence on both sides.
func speakForTest(ctx context.Context, text, dir string) ([]int16, error) {
	pcm, err := speechtest.Speak(ctx, text, 8000)
	if err != nil {
		return nil, err
	}
	return speechtest.Pad(pcm, 8000, 0.5, 0.5), nil
}
