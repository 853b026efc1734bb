package media

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/rtp"
	"golang.org/x/net/ipv4"
)

// MediaBenchConfig says what RunMediaBenchConfig sets up.
type MediaBenchConfig struct {
	Calls    int
	Duration time.Duration
	// PerFrame gets every 20 ms frame the bot side receives (plug a VAD
	// in here); it runs on the call's own goroutine.
	PerFrame func(call int, frame []int16)
	// FarSessions makes the far end of every call a full Session too: two
	// sockets per call, both legs paced by the same Pacer. By default the
	// far end is a light simulation (one socket, two threads for all
	// calls) whose CPU is measured apart, so the bot's own cost shows.
	FarSessions bool
	// CallerAudio is what the light simulated callers say, 8 kHz, played
	// in a loop, each call from its own point in it (nil: BenchCallerAudio
	// of synthetic speech). Make it sound like a caller on a phone line,
	// pauses and background included: a VAD with an energy gate does less
	// work on pauses, so digital silence or nonstop speech would flatter or
	// wrong it.
	CallerAudio []int16
	// Realtime is Pacer.Realtime: the SCHED_RR priority of the pacer's
	// shard threads, 0 for ordinary threads.
	Realtime int
}

// MediaBenchResult is what RunMediaBench measured.
type MediaBenchResult struct {
	Calls            int
	Duration         time.Duration
	FarSessions      bool
	CPUPerCallSecond float64 // process CPU seconds per call-second, everything included
	// BotCPUPerCallSecond is the bot side's share: the total less the
	// simulated callers' threads (measured per thread), or half the total
	// with FarSessions, where both legs run the same code.
	BotCPUPerCallSecond float64
	FarCPUPerCallSecond float64
	PacingSkipped       uint64 // shard ticks skipped because the machine fell behind
	RealtimeShards      int    // pacer shards that ran at real-time priority
	RealtimeErr         error  // why the others did not (Realtime asked for)
	PacingP50           time.Duration
	PacingP99           time.Duration
	PacingMax           time.Duration
	SpacingP50          time.Duration // per call: |gap between its packets - 20 ms|
	SpacingP99          time.Duration
	PacketsLost         uint64
	FramesReceived      uint64
	FramesDropped       uint64
	DTMFReceived        uint64
	RepliesReceived     uint64 // packets the bot sent that reached the far end
}

// RunMediaBench runs calls bot-side RTP sessions for dur, all paced by one
// Pacer, against light simulated callers (see MediaBenchConfig).
func RunMediaBench(ctx context.Context, calls int, dur time.Duration, perFrame func(call int, frame []int16)) (MediaBenchResult, error) {
	return RunMediaBenchConfig(ctx, MediaBenchConfig{Calls: calls, Duration: dur, PerFrame: perFrame})
}

// RunMediaBenchConfig runs cfg.Calls calls on loopback UDP for
// cfg.Duration. The far end of each call sends 20 ms of G.711 every 20 ms
// with a key press (RFC 4733) every 3 s; the bot side receives through its
// jitter buffer and DTMF detector, hands every frame to PerFrame, and
// sends speech back continuously. Figures cover the measured stretch after
// a half-second warm-up.
func RunMediaBenchConfig(ctx context.Context, cfg MediaBenchConfig) (MediaBenchResult, error) {
	calls, dur := cfg.Calls, cfg.Duration
	res := MediaBenchResult{Calls: calls, Duration: dur, FarSessions: cfg.FarSessions}
	if calls <= 0 || dur <= 0 {
		return res, errors.New("media bench: calls and duration must be positive")
	}
	raiseFileLimit(uint64(2*calls + 256))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pacer := NewPacer(20 * time.Millisecond)
	pacer.Realtime = cfg.Realtime
	pacer.Start(ctx)
	defer pacer.Stop()
	speech := benchSignal(8000 * 3)

	var near, farSess []*Session
	defer func() {
		for _, s := range append(near, farSess...) {
			s.Close()
		}
	}()
	var farConn *net.UDPConn
	if !cfg.FarSessions {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return res, fmt.Errorf("media bench: %w", err)
		}
		defer c.Close()
		c.SetReadBuffer(8 << 20)
		farConn = c
	}
	var targets []netip.AddrPort
	for i := 0; i < calls; i++ {
		nc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return res, fmt.Errorf("media bench: socket for call %d: %w", i, err)
		}
		nearAddr := nc.LocalAddr().(*net.UDPAddr)
		var farAddr *net.UDPAddr
		if cfg.FarSessions {
			fc, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				nc.Close()
				return res, fmt.Errorf("media bench: socket for call %d: %w", i, err)
			}
			farAddr = fc.LocalAddr().(*net.UDPAddr)
			f, _ := NewSession(SessionConfig{Conn: fc, Remote: nearAddr, Codec: PCMU, DTMFPayloadType: 101, Pacer: pacer})
			farSess = append(farSess, f)
		} else {
			farAddr = farConn.LocalAddr().(*net.UDPAddr)
		}
		b, _ := NewSession(SessionConfig{Conn: nc, Remote: farAddr, Codec: PCMU, DTMFPayloadType: 101, Pacer: pacer})
		near = append(near, b)
		targets = append(targets, addrPort(nearAddr))
	}

	var wg sync.WaitGroup
	var frames atomic.Uint64
	stop := make(chan struct{})
	for i, b := range near {
		b.Start(ctx)
		wg.Add(1)
		go func(i int, b *Session) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case f := <-b.Frames():
					frames.Add(1)
					if cfg.PerFrame != nil {
						cfg.PerFrame(i, f)
					}
					if !b.Playing() {
						b.Play(speech)
					}
				case <-b.DTMF():
				}
			}
		}(i, b)
	}
	var replies atomic.Uint64
	var farCPU [2]atomic.Int64 // thread CPU of the light far end's sender and receiver
	if cfg.FarSessions {
		for _, f := range farSess {
			f.Start(ctx)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			driveFarSessions(stop, farSess, speech)
		}()
	} else {
		wg.Add(2)
		go func() {
			defer wg.Done()
			farReceive(farConn, &replies, &farCPU[0])
		}()
		go func() {
			defer wg.Done()
			audio := cfg.CallerAudio
			if len(audio) < frameSamples {
				audio = BenchCallerAudio(nil)
			}
			farCallers(stop, farConn, targets, audio, &farCPU[1])
		}()
	}
	farReceived := func() uint64 {
		if !cfg.FarSessions {
			return replies.Load()
		}
		var n uint64
		for _, f := range farSess {
			n += f.Stats().PacketsReceived
		}
		return n
	}

	// Let every leg start before measuring.
	select {
	case <-time.After(500 * time.Millisecond):
	case <-ctx.Done():
	}
	pacer.ResetStats()
	cpu0 := cpuTime()
	far0 := farCPU[0].Load() + farCPU[1].Load()
	replies0 := farReceived()
	frames0 := frames.Load()
	t0 := time.Now()
	select {
	case <-time.After(dur):
	case <-ctx.Done():
	}
	elapsed := time.Since(t0)
	cpu := cpuTime() - cpu0
	farUsed := time.Duration(farCPU[0].Load() + farCPU[1].Load() - far0)
	res.RepliesReceived = farReceived() - replies0
	res.FramesReceived = frames.Load() - frames0
	close(stop)
	if farConn != nil {
		farConn.Close()
	}
	wg.Wait()

	st := pacer.Stats()
	res.PacingP50, res.PacingP99, res.PacingMax = st.LatenessP50, st.LatenessP99, st.LatenessMax
	res.SpacingP50, res.SpacingP99 = st.SpacingP50, st.SpacingP99
	res.PacingSkipped = st.Skipped
	res.RealtimeShards, res.RealtimeErr = pacer.RealtimeShards()
	callSeconds := float64(calls) * elapsed.Seconds()
	res.CPUPerCallSecond = cpu.Seconds() / callSeconds
	if cfg.FarSessions {
		res.BotCPUPerCallSecond = res.CPUPerCallSecond / 2
		res.FarCPUPerCallSecond = res.CPUPerCallSecond / 2
	} else {
		res.FarCPUPerCallSecond = farUsed.Seconds() / callSeconds
		res.BotCPUPerCallSecond = max(0, cpu-farUsed).Seconds() / callSeconds
	}
	for _, s := range near {
		ss := s.Stats()
		res.PacketsLost += ss.Jitter.Lost
		res.FramesDropped += ss.FramesDropped
		res.DTMFReceived += ss.DTMFReceived
	}
	return res, ctx.Err()
}

// driveFarSessions keeps every far-end session talking, presses 5 on each
// every 3 s (staggered), and drains what they receive, all from one
// goroutine so the far end adds no goroutine per call.
func driveFarSessions(stop <-chan struct{}, far []*Session, speech []int16) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for k := 0; ; k++ {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		for i, f := range far {
			for drained := false; !drained; {
				select {
				case <-f.Frames():
				default:
					drained = true
				}
			}
			if k%150 == i%150 {
				go f.SendDTMF('5', 100*time.Millisecond)
			} else if !f.Playing() {
				f.Play(speech)
			}
		}
	}
}

// farReceive counts what the bot sends, reading in batches (recvmmsg) on
// a thread of its own whose CPU time it publishes, so the bench can tell
// the simulated callers' cost from the bot's.
func farReceive(conn *net.UDPConn, replies *atomic.Uint64, cpu *atomic.Int64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pc := ipv4.NewPacketConn(conn)
	msgs := make([]ipv4.Message, 64)
	for i := range msgs {
		msgs[i].Buffers = [][]byte{make([]byte, 1500)}
	}
	for {
		n, err := pc.ReadBatch(msgs, 0)
		if err != nil {
			return
		}
		replies.Add(uint64(n))
		cpu.Store(int64(threadCPU()))
	}
}

// farCallers sends every target a 20 ms µ-law packet per 20 ms from one
// socket in batches (sendmmsg), with a telephone-event key press every 3 s
// per call, and publishes its thread's CPU time. Like independent phones,
// the callers do not send in step: call i sends at (i mod 20) ms into each
// period, and starts at its own point of the audio loop.
func farCallers(stop <-chan struct{}, conn *net.UDPConn, targets []netip.AddrPort, audio []int16, cpu *atomic.Int64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	type leg struct {
		seq    uint16
		ts     uint32
		offset int // frame of the audio loop the call starts at
	}
	const phases = 20 // 1 ms apart
	legs := make([]leg, len(targets))
	payloads := make([][]byte, len(audio)/frameSamples)
	for i := range payloads {
		payloads[i] = PCMU.Encode(nil, audio[i*frameSamples:(i+1)*frameSamples])
	}
	for i := range legs {
		legs[i].offset = (i * 397) % len(payloads) // 397 frames: about 8 s apart
	}
	const batch = 64
	pc := ipv4.NewPacketConn(conn)
	msgs := make([]ipv4.Message, batch)
	bufs := make([][]byte, batch)
	for i := range bufs {
		bufs[i] = make([]byte, 0, 12+frameSamples)
	}
	addrs := make([]*net.UDPAddr, len(targets))
	for i, t := range targets {
		addrs[i] = net.UDPAddrFromAddrPort(t)
	}
	flush := func(n int) {
		for m := msgs[:n]; len(m) > 0; {
			sent, err := pc.WriteBatch(m, 0)
			if err != nil {
				break
			}
			m = m[sent:]
		}
	}
	start := time.Now()
	period := 20 * time.Millisecond
	for step := 0; ; step++ {
		cpu.Store(int64(threadCPU()))
		select {
		case <-stop:
			return
		case <-time.After(time.Until(start.Add(time.Duration(step) * period / phases))):
		}
		k, slot := step/phases, step%phases
		n := 0
		for i := slot; i < len(targets); i += phases {
			l := &legs[i]
			var h rtp.Header
			var payload []byte
			phase := ((k-i)%150 + 150) % 150 // 3 s cycle, call i starts at tick i
			switch {
			case phase < 5: // a 100 ms key press, end packet once
				ev := TelephoneEvent{Event: 5, Volume: 10, Duration: uint16((phase + 1) * frameSamples), End: phase == 4}
				h = rtp.Header{Version: 2, PayloadType: 101, Marker: phase == 0, SequenceNumber: l.seq, Timestamp: l.ts - uint32(phase*frameSamples), SSRC: uint32(i + 1)}
				payload = ev.Marshal()
			default:
				h = rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: l.seq, Timestamp: l.ts, SSRC: uint32(i + 1)}
				payload = payloads[(k+l.offset)%len(payloads)]
			}
			l.seq++
			l.ts += frameSamples
			b := bufs[n][:cap(bufs[n])]
			hn, err := h.MarshalTo(b)
			if err != nil {
				continue
			}
			bufs[n] = append(b[:hn], payload...)
			msgs[n] = ipv4.Message{Buffers: [][]byte{bufs[n]}, Addr: addrs[i]}
			if n++; n == batch {
				flush(n)
				n = 0
			}
		}
		flush(n)
	}
}

// BenchCallerAudio is a loop of what a caller sends while a bot talks with
// them, at 8 kHz: each utterance (scaled to about -21 dBFS) followed by
// 4.5 s of pause, all over a telephone line's background noise at about
// -55 dBFS. A bot call is mostly the bot talking, so the caller is silent
// about three fifths of the time. nil utterances: synthetic speech-like
// bursts of 1.5 to 3.5 s (a voiced buzz with syllable rhythm and short gaps).
func BenchCallerAudio(utterances [][]int16) []int16 {
	const rate = 8000
	if len(utterances) == 0 {
		for i, secs := range []float64{2.5, 1.5, 3.5, 2} {
			utterances = append(utterances, syntheticUtterance(int(secs*rate), 110+25*float64(i)))
		}
	}
	var out []int16
	for _, u := range utterances {
		out = append(out, make([]int16, rate*9/2)...)
		out = append(out, scaleRMS(u, 2900)...)
	}
	out = out[:len(out)/frameSamples*frameSamples]
	// Line noise: white noise through a one-pole low-pass, a little hum.
	seed := uint32(12345)
	var lp float64
	for i := range out {
		seed = seed*1664525 + 1013904223
		white := float64(int32(seed)) / (1 << 31)
		lp = 0.7*lp + 0.3*white
		hum := 0.3 * math.Sin(2*math.Pi*50*float64(i)/rate)
		v := float64(out[i]) + 75*(lp+hum)
		out[i] = int16(max(-32768, min(32767, v)))
	}
	return out
}

// syntheticUtterance is a voiced buzz whose pitch wanders, with formant-ish
// partials, a 4 Hz syllable envelope and a short gap every 0.7 s.
func syntheticUtterance(n int, pitch float64) []int16 {
	out := make([]int16, n)
	var ph float64
	for i := range out {
		t := float64(i) / 8000
		f0 := pitch * (1 + 0.1*math.Sin(2*math.Pi*0.7*t))
		ph += 2 * math.Pi * f0 / 8000
		env := 0.5 + 0.5*math.Sin(2*math.Pi*4*t)
		if math.Mod(t, 0.7) > 0.6 {
			env = 0
		}
		v := 0.5*math.Sin(ph) + 0.25*math.Sin(5*ph) + 0.15*math.Sin(9*ph) + 0.1*math.Sin(14*ph)
		out[i] = int16(env * v * 16000)
	}
	return out
}

func scaleRMS(pcm []int16, level float64) []int16 {
	var sq float64
	for _, v := range pcm {
		sq += float64(v) * float64(v)
	}
	out := make([]int16, len(pcm))
	if sq == 0 {
		return out
	}
	k := level / math.Sqrt(sq/float64(len(pcm)))
	for i, v := range pcm {
		out[i] = int16(max(-32768, min(32767, float64(v)*k)))
	}
	return out
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
