package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
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
	case "burn":
		// One of --contend's competitors: spin until killed.
		runtime.GOMAXPROCS(1)
		for {
		}
	default:
		return fmt.Errorf("bench: unknown benchmark %q (media, turn or kb)", args[0])
	}
}

func machine() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s, %d cores, %s/%s, %s", host, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func benchMedia(ctx context.Context, args []string) error {
	fs := newFlagSet("bench media", "N concurrent calls on loopback, each receiving and sending 20 ms G.711 through\nthe jitter buffer, the DTMF detector and (with --vad) Silero VAD, all paced by\none shared clock. Prints CPU per call-second and send lateness (each packet's\nsend time minus its own scheduled time).")
	callsList := fs.String("calls", "100,500,1000", "comma-separated numbers of concurrent calls")
	dur := fs.Duration("duration", 10*time.Second, "how long each run lasts")
	withVAD := fs.Bool("vad", true, "run Silero VAD on every received frame")
	modes := fs.String("vad-mode", "gated", "comma-separated VAD modes to run at each size: gated (energy gate + batched runs, the default VAD) or plain (every window, one run each)")
	callerAudio := fs.String("caller-audio", "festival", "what the simulated callers say: festival (spoken sentences with pauses over line noise) or synthetic (speech-like bursts, no Festival needed)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	realtime := fs.String("media-priority", "realtime", mediaPriorityHelp)
	vadWorkers := fs.Int("vad-workers", 0, "Silero runs that may go at once (0: the VAD's default)")
	contend := fs.Int("contend", 0, "run this many busy processes at normal priority beside each run, as other tenants of a shared host do (2 takes half of a 2-core machine from the bench's ordinary threads)")
	if err := parse(fs, args); err != nil {
		return err
	}
	rtPrio, err := parseMediaPriority(*realtime)
	if err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	factories := map[string]*silero.Factory{}
	var modeList []string
	if *withVAD {
		for _, m := range strings.Split(*modes, ",") {
			m = strings.TrimSpace(m)
			cfg := silero.DefaultConfig()
			cfg.SampleRate = 8000
			cfg.BatchWorkers = *vadWorkers
			switch m {
			case "gated":
			case "plain":
				cfg.NoGate, cfg.BatchWait = true, -1
			default:
				return fmt.Errorf("--vad-mode: %q is neither gated nor plain", m)
			}
			f, err := silero.NewFactory(cfg)
			if err != nil {
				return err
			}
			defer f.Close()
			factories[m] = f
			modeList = append(modeList, m)
		}
	} else {
		modeList = []string{"off"}
	}
	audio, audioName, err := benchCallerAudio(ctx, *callerAudio)
	if err != nil {
		return err
	}
	fmt.Printf("machine: %s\n", machine())
	fmt.Printf("caller audio: %s, %.1f s loop\n", audioName, float64(len(audio))/8000)
	if rtPrio > 0 {
		fmt.Printf("media sender threads: real-time priority %d (SCHED_RR)\n", rtPrio)
	} else {
		fmt.Printf("media sender threads: normal priority\n")
	}
	if *contend > 0 {
		fmt.Printf("competing: %d busy processes at normal priority\n", *contend)
	}
	fmt.Printf("%6s %7s %9s %9s %9s %9s %9s %9s %7s %6s %7s %8s %6s %14s\n", "calls", "vad", "cpu ms/", "bot ms/", "late p50", "late p99", "late max", "gap p99", "skipped", "lost", "vad", "silero", "batch", "load avg")
	fmt.Printf("%6s %7s %9s %9s %9s %9s %9s %9s %7s %6s %7s %8s %6s %14s\n", "", "", "call-s", "call-s", "", "", "", "", "", "", "drops", "share", "mean", "before/after")
	for _, s := range strings.Split(*callsList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("--calls: %q is not a positive number", s)
		}
		for _, mode := range modeList {
			f := factories[mode]
			perFrame, closeVADs, err := vadPerFrame(f, n)
			if err != nil {
				return err
			}
			var st0 silero.Stats
			if f != nil {
				st0 = f.Stats()
			}
			load0 := loadAverage()
			stopBurn, err := burn(*contend)
			if err != nil {
				return err
			}
			res, err := media.RunMediaBenchConfig(ctx, media.MediaBenchConfig{Calls: n, Duration: *dur, PerFrame: perFrame, CallerAudio: audio, Realtime: rtPrio})
			load1 := loadAverage()
			stopBurn()
			closeVADs()
			if err != nil {
				return err
			}
			if rtPrio > 0 && res.RealtimeErr != nil {
				fmt.Fprintf(os.Stderr, "warning: media sender threads not real-time (%d of them are): %v\n", res.RealtimeShards, res.RealtimeErr)
			}
			share, batch := "-", "-"
			if f != nil {
				st := f.Stats()
				w, inf, runs := st.Windows-st0.Windows, st.Inferred-st0.Inferred, st.Runs-st0.Runs
				share = fmt.Sprintf("%.2f", float64(inf)/float64(max(1, w)))
				batch = fmt.Sprintf("%.1f", float64(inf)/float64(max(1, runs)))
			}
			fmt.Printf("%6d %7s %9.2f %9.2f %9s %9s %9s %9s %7d %6d %7d %8s %6s %14s\n", n, mode, res.CPUPerCallSecond*1000, res.BotCPUPerCallSecond*1000,
				ms(res.PacingP50), ms(res.PacingP99), ms(res.PacingMax), ms(res.SpacingP99), res.PacingSkipped, res.PacketsLost, res.FramesDropped, share, batch, load0+"/"+load1)
		}
	}
	return nil
}

// burn starts n busy processes (this binary's "bench burn") and returns
// what kills them.
func burn(n int) (func(), error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var procs []*exec.Cmd
	stop := func() {
		for _, c := range procs {
			c.Process.Kill()
			c.Wait()
		}
	}
	for i := 0; i < n; i++ {
		c := exec.Command(exe, "bench", "burn")
		if err := c.Start(); err != nil {
			stop()
			return nil, fmt.Errorf("--contend: %w", err)
		}
		procs = append(procs, c)
	}
	return stop, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// loadAverage is the one-minute load average: the machine may be shared,
// and every figure should say how busy it was.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// benchCallerAudio makes what the simulated callers say: Festival
// sentences (real speech, so the VAD's gate sees real pauses and onsets)
// or synthetic bursts, each followed by a pause, over line noise.
func benchCallerAudio(ctx context.Context, kind string) ([]int16, string, error) {
	switch kind {
	case "synthetic":
		return media.BenchCallerAudio(nil), "synthetic speech-like bursts with pauses over line noise", nil
	case "festival":
		var utts [][]int16
		for _, text := range []string{
			"Hello, I would like to ask about my order.",
			"It was sent last week, and it has not arrived yet.",
			"Yes, the number is four five seven two.",
			"Could you tell me when it will be delivered?",
		} {
			pcm, err := speechtest.Speak(ctx, text, 8000)
			if err != nil {
				return nil, "", fmt.Errorf("caller audio (use --caller-audio synthetic without Festival): %w", err)
			}
			utts = append(utts, pcm)
		}
		return media.BenchCallerAudio(utts), "Festival sentences with pauses over line noise", nil
	default:
		return nil, "", fmt.Errorf("--caller-audio: %q is neither festival nor synthetic", kind)
	}
}

// vadPerFrame gives every call its own VAD state and runs it over each frame.
func vadPerFrame(f *silero.Factory, n int) (func(int, []int16), func(), error) {
	if f == nil {
		return nil, func() {}, nil
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
			return nil, nil, err
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
	}, closeAll, nil
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

// startCPUProfile writes a CPU profile of this process to path until the
// returned function is called; an empty path profiles nothing.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
