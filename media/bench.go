package media

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"sync"
	"syscall"
	"time"
)

// MediaBenchResult is what RunMediaBench measured.
type MediaBenchResult struct {
	Calls            int
	Duration         time.Duration
	CPUPerCallSecond float64 // CPU seconds per call-second, both legs of the loopback pair included
	PacingP50        time.Duration
	PacingP99        time.Duration
	PacingMax        time.Duration
	PacketsLost      uint64
	FramesReceived   uint64
	FramesDropped    uint64
	DTMFReceived     uint64
}

// RunMediaBench runs calls loopback call pairs for dur. The far leg of each
// pair plays speech-like audio with a key press every few seconds; the near
// leg receives through the jitter buffer and DTMF detector, hands every
// frame to perFrame (VAD goes there), and plays audio back. One Pacer
// drives all legs. CPU time is the process's, so it includes the simulated
// callers: the bot side alone costs about half.
func RunMediaBench(ctx context.Context, calls int, dur time.Duration, perFrame func(call int, frame []int16)) (MediaBenchResult, error) {
	res := MediaBenchResult{Calls: calls, Duration: dur}
	if calls <= 0 || dur <= 0 {
		return res, errors.New("media bench: calls and duration must be positive")
	}
	raiseFileLimit(uint64(calls*2 + 256))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pacer := NewPacer(20 * time.Millisecond)
	pacer.Start(ctx)
	defer pacer.Stop()

	speech := benchSignal(8000 * 3)
	var far, near []*Session
	defer func() {
		for _, s := range append(far, near...) {
			s.Close()
		}
	}()
	for i := 0; i < calls; i++ {
		ca, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return res, fmt.Errorf("media bench: socket %d: %w", i, err)
		}
		cb, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			ca.Close()
			return res, fmt.Errorf("media bench: socket %d: %w", i, err)
		}
		a, _ := NewSession(SessionConfig{Conn: ca, Remote: cb.LocalAddr().(*net.UDPAddr), Codec: PCMU, DTMFPayloadType: 101, Pacer: pacer})
		b, _ := NewSession(SessionConfig{Conn: cb, Remote: ca.LocalAddr().(*net.UDPAddr), Codec: PCMU, DTMFPayloadType: 101, Pacer: pacer})
		far, near = append(far, a), append(near, b)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	stop := make(chan struct{})
	for i := range near {
		a, b := far[i], near[i]
		a.Start(ctx)
		b.Start(ctx)
		wg.Add(2)
		go func(i int) { // near leg: the bot's receive path
			defer wg.Done()
			var frames uint64
			for {
				select {
				case <-stop:
					mu.Lock()
					res.FramesReceived += frames
					mu.Unlock()
					return
				case f := <-b.Frames():
					frames++
					if perFrame != nil {
						perFrame(i, f)
					}
					if !b.Playing() {
						b.Play(speech)
					}
				case <-b.DTMF():
				}
			}
		}(i)
		go func(i int) { // far leg: the caller talks and presses a key now and then
			defer wg.Done()
			keys := time.NewTicker(3*time.Second + time.Duration(i%50)*20*time.Millisecond)
			defer keys.Stop()
			for {
				if !a.Playing() {
					a.Play(speech)
				}
				select {
				case <-stop:
					return
				case <-a.Frames():
				case <-keys.C:
					go a.SendDTMF('5', 80*time.Millisecond)
				}
			}
		}(i)
	}
	// Let every leg start before measuring.
	time.Sleep(500 * time.Millisecond)
	pacer.ResetStats()
	cpu0 := cpuTime()
	t0 := time.Now()
	select {
	case <-time.After(dur):
	case <-ctx.Done():
	}
	elapsed := time.Since(t0)
	cpu := cpuTime() - cpu0
	close(stop)
	wg.Wait()
	st := pacer.Stats()
	res.PacingP50, res.PacingP99, res.PacingMax = st.LatenessP50, st.LatenessP99, st.LatenessMax
	res.CPUPerCallSecond = cpu.Seconds() / (float64(calls) * elapsed.Seconds())
	for _, s := range near {
		ss := s.Stats()
		res.PacketsLost += ss.Jitter.Lost
		res.FramesDropped += ss.FramesDropped
		res.DTMFReceived += ss.DTMFReceived
	}
	return res, ctx.Err()
}

// benchSignal is speech-like: a 150 Hz buzz with formant-ish partials and
// a syllable-rate envelope, so codec and VAD do real work.
func benchSignal(n int) []int16 {
	out := make([]int16, n)
	for i := range out {
		t := float64(i) / 8000
		env := 0.5 + 0.5*math.Sin(2*math.Pi*4*t)
		v := 0.4*math.Sin(2*math.Pi*150*t) + 0.2*math.Sin(2*math.Pi*700*t) + 0.1*math.Sin(2*math.Pi*1200*t)
		out[i] = int16(env * v * 20000)
	}
	return out
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// raiseFileLimit lifts RLIMIT_NOFILE to at least n (two sockets per call).
func raiseFileLimit(n uint64) {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) != nil || l.Cur >= n {
		return
	}
	l.Cur = min(max(n, l.Cur), l.Max)
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
}
