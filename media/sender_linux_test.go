//go:build linux

package media

import (
	"context"
	"net"

	"github.com/pion/rtp"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// schedRRThreads counts this process's threads under SCHED_RR (policy 2,
// field 41 of /proc/<pid>/task/<tid>/stat).
func schedRRThreads(t *testing.T) int {
	t.Helper()
	stats, err := filepath.Glob("/proc/self/task/*/stat")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended
		}
		// The command name (field 2) may hold spaces; fields count after its ')'.
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 38 && fields[38] == "2" {
			n++
		}
	}
	return n
}

func openFDs(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// senderCall is one session on pacer p talking to a plain UDP socket.
func senderCall(t *testing.T, ctx context.Context, p *Pacer) (*Session, *net.UDPConn) {
	t.Helper()
	return senderCallOn(t, ctx, p, "127.0.0.1:0", "127.0.0.1:0")
}

// senderCallOn is senderCall with the session's socket on local and the
// far end's on farAddr.
func senderCallOn(t *testing.T, ctx context.Context, p *Pacer, local, farAddr string) (*Session, *net.UDPConn) {
	t.Helper()
	fc, err := net.ListenPacket("udp", farAddr)
	if err != nil {
		t.Fatal(err)
	}
	far := fc.(*net.UDPConn)
	t.Cleanup(func() { far.Close() })
	c, err := net.ListenPacket("udp", local)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(SessionConfig{Conn: c, Remote: far.LocalAddr().(*net.UDPAddr), Codec: PCMU, Pacer: p})
	if err != nil {
		t.Fatal(err)
	}
	s.Start(ctx)
	t.Cleanup(func() { s.Close() })
	return s, far
}

// statsAfter returns p's figures once its sender threads have counted at
// least n packets written (or after a second). A thread counts a packet
// when sendto returns, and on loopback the far end may read it before then.
func statsAfter(p *Pacer, n uint64) PacerStats {
	st := p.Stats()
	for end := time.Now().Add(time.Second); st.ThreadSent < n && time.Now().Before(end); st = p.Stats() {
		time.Sleep(time.Millisecond)
	}
	return st
}

// startedCall is a running pacer with one call on it (see senderCall).
func startedCall(t *testing.T) (*Pacer, *Session, *net.UDPConn) {
	t.Helper()
	p := NewPacer(20 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	p.Start(ctx)
	t.Cleanup(p.Stop)
	s, far := senderCall(t, ctx, p)
	return p, s, far
}

// hearPackets plays a second of tone on s and waits for n packets at far.
func hearPackets(t *testing.T, s *Session, far *net.UDPConn, n int) {
	t.Helper()
	s.Play(sine(440, 8000, 8000, 0.5))
	buf := make([]byte, 1500)
	far.SetReadDeadline(time.Now().Add(5 * time.Second))
	for i := 0; i < n; i++ {
		if _, _, err := far.ReadFrom(buf); err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
	}
}

// The sender threads run at SCHED_RR, one per shard, while the pacer runs
// (as root), and end with it; the Go side's GOMAXPROCS is left alone; a
// call's packets are written by the thread, and the lateness measured.
func TestPacerRealtimeThreads(t *testing.T) {
	p := NewPacer(20 * time.Millisecond)
	p.Realtime = 10
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := schedRRThreads(t)
	procs0 := runtime.GOMAXPROCS(0)
	p.Start(ctx)
	s, far := senderCall(t, ctx, p)
	hearPackets(t, s, far, 10)
	n, err := p.RealtimeShards()
	if os.Geteuid() == 0 {
		if err != nil || n != len(p.shards) {
			t.Fatalf("as root: %d of %d shards real-time, err %v", n, len(p.shards), err)
		}
		if got := schedRRThreads(t) - before; got != len(p.shards) {
			t.Errorf("%d SCHED_RR threads, want %d (one per shard)", got, len(p.shards))
		}
	} else if err == nil && n == 0 {
		t.Error("no shard real-time and no reason given")
	}
	if got := runtime.GOMAXPROCS(0); got != procs0 {
		t.Errorf("GOMAXPROCS %d while running, want %d", got, procs0)
	}
	st := statsAfter(p, 10)
	if st.ThreadSent < 10 || st.LatenessP99 <= 0 || st.SpacingP99 <= 0 {
		t.Errorf("the sender threads wrote %d packets, lateness p99 %v, spacing p99 %v", st.ThreadSent, st.LatenessP99, st.SpacingP99)
	}
	stopped := make(chan struct{})
	go func() { p.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("Stop did not return")
	}
	if got := schedRRThreads(t); got > before {
		t.Errorf("%d SCHED_RR threads left after Stop", got-before)
	}
	// The figures of the stopped threads are kept.
	if st2 := p.Stats(); st2.ThreadSent < st.ThreadSent || st2.LatenessP99 <= 0 {
		t.Errorf("after Stop: %+v", st2)
	}
}

// When the kernel refuses real-time priority (no privilege; here an
// invalid priority), the sender threads run as ordinary threads, say why,
// and the clock keeps time.
func TestPacerRealtimeRefused(t *testing.T) {
	p := NewPacer(20 * time.Millisecond)
	p.Realtime = 100 // SCHED_RR priorities end at 99
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := schedRRThreads(t)
	p.Start(ctx)
	defer p.Stop()
	n, err := p.RealtimeShards()
	if n != 0 || err == nil {
		t.Fatalf("refused priority: %d real-time shards, err %v", n, err)
	}
	if got := schedRRThreads(t); got != before {
		t.Errorf("%d SCHED_RR threads, want none", got-before)
	}
	s, far := senderCall(t, ctx, p)
	hearPackets(t, s, far, 10)
	if st := statsAfter(p, 10); st.ThreadSent < 10 {
		t.Errorf("the sender threads wrote %d packets", st.ThreadSent)
	}
}

// The shard makes a packet 60 ms ahead; the sender thread holds it until
// it is due: no packet reaches the far end before its scheduled time, the
// first one arrives at Playback.FirstPacketAt, and Done comes with the
// last.
func TestSenderThreadWaitsForDueTime(t *testing.T) {
	_, s, far := startedCall(t)
	for round := 0; round < 3; round++ {
		pb := s.Play(sine(440, 8000, 800, 0.5)) // 5 packets
		buf := make([]byte, 1500)
		far.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, _, err := far.ReadFrom(buf); err != nil {
			t.Fatal(err)
		}
		arrived := time.Now()
		due := pb.FirstPacketAt()
		if due.IsZero() {
			t.Fatal("no first packet time")
		}
		// Made a whole interval ahead, it must not leave early.
		if early := due.Sub(arrived); early > 500*time.Microsecond {
			t.Fatalf("round %d: first packet arrived %v before it was due", round, early)
		}
		<-pb.Done()
		doneAt := time.Now()
		for i := 0; i < 4; i++ {
			if _, _, err := far.ReadFrom(buf); err != nil {
				t.Fatal(err)
			}
		}
		// Done waits for the last packet's due time, not its making (60 ms
		// earlier): a caller hanging up on Done keeps the prompt's end.
		if lag := time.Since(doneAt); lag > 15*time.Millisecond {
			t.Fatalf("round %d: the last packet arrived %v after Done", round, lag)
		}
	}
}

// Closing a session gives its socket back: the sender thread's duplicate
// is closed once the thread has passed the session's last packets, so the
// port can be bound again; the same without a running pacer.
func TestSenderReleasesSocket(t *testing.T) {
	for _, running := range []bool{true, false} {
		p := NewPacer(20 * time.Millisecond)
		ctx, cancel := context.WithCancel(context.Background())
		if running {
			p.Start(ctx)
		}
		fds := openFDs(t)
		far, _ := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := c.LocalAddr().String()
		s, err := NewSession(SessionConfig{Conn: c, Remote: far.LocalAddr().(*net.UDPAddr), Codec: PCMU, Pacer: p})
		if err != nil {
			t.Fatal(err)
		}
		s.Start(ctx)
		s.Play(sine(440, 8000, 8000, 0.5))
		time.Sleep(60 * time.Millisecond)
		s.Close()
		far.Close()
		var again net.PacketConn
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
			if again, err = net.ListenPacket("udp", addr); err == nil {
				break
			}
		}
		if again == nil {
			t.Fatalf("running %v: port %s still held after Close: %v", running, addr, err)
		}
		again.Close()
		if got := openFDs(t); got > fds {
			t.Errorf("running %v: %d descriptors open, %d before the call", running, got, fds)
		}
		p.Stop()
		cancel()
	}
}

// Barge-in recalls the packets made ahead: once StopPlayback returns, at
// most the one packet being written leaves, and the next talkspurt goes on
// from the last sequence number that went out, with the marker bit, so
// the far end sees neither the stale audio nor a gap.
func TestSenderRecallOnStopPlayback(t *testing.T) {
	p, s, far := startedCall(t)
	type got struct {
		h  rtp.Header
		at time.Time
	}
	pkts := make(chan got, 1000)
	var arrived atomic.Uint64
	go func() {
		buf := make([]byte, 1500)
		for {
			n, _, err := far.ReadFrom(buf)
			if err != nil {
				return
			}
			var pk rtp.Packet
			if pk.Unmarshal(buf[:n]) == nil {
				arrived.Add(1)
				pkts <- got{pk.Header, time.Now()}
			}
		}
	}()
	for round := 0; round < 3; round++ {
		s.Play(sine(440, 8000, 8000*5, 0.5))
		var last rtp.Header
		for i := 0; i < 10; i++ {
			select {
			case g := <-pkts:
				last = g.h
			case <-time.After(5 * time.Second):
				t.Fatal("no audio")
			}
		}
		// Stop between two ticks, with packets queued ahead.
		time.Sleep(7 * time.Millisecond)
		if s.StopPlayback() == 0 {
			t.Fatal("nothing stopped")
		}
		stoppedAt := time.Now()
		after := 0
		for quiet := time.After(200 * time.Millisecond); ; {
			select {
			case g := <-pkts:
				if g.h.SequenceNumber != last.SequenceNumber+1 {
					t.Fatalf("round %d: sequence %d after %d", round, g.h.SequenceNumber, last.SequenceNumber)
				}
				last = g.h
				if g.at.After(stoppedAt.Add(2 * time.Millisecond)) {
					after++
				}
				continue
			case <-quiet:
			}
			break
		}
		if after > 1 {
			t.Fatalf("round %d: %d packets left after StopPlayback (made ahead, not recalled)", round, after)
		}
		// Recalled packets never left, and are not counted as sent.
		if sent, got := s.Stats().PacketsSent, arrived.Load(); sent != got {
			t.Fatalf("round %d: %d packets counted sent, %d arrived", round, sent, got)
		}
		s.Play(sine(440, 8000, 800, 0.5))
		select {
		case g := <-pkts:
			if g.h.SequenceNumber != last.SequenceNumber+1 || !g.h.Marker {
				t.Fatalf("round %d: next talkspurt starts at %d (marker %v) after %d", round, g.h.SequenceNumber, g.h.Marker, last.SequenceNumber)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no audio after the stop")
		}
		for len(pkts) > 0 || s.Playing() {
			select {
			case <-pkts:
			case <-time.After(100 * time.Millisecond):
			}
		}
		time.Sleep(100 * time.Millisecond)
		for len(pkts) > 0 {
			<-pkts
		}
	}
	if st := p.Stats(); st.Recalled == 0 {
		t.Errorf("no packet recalled: %+v", st)
	}
}

// The sender thread writes from IPv6 sockets too, and from a dual-stack
// socket to an IPv4 peer (as a v4-mapped address).
func TestSenderIPv6AndDualStack(t *testing.T) {
	for _, c := range []struct{ name, local, far string }{
		{"ipv6", "[::1]:0", "[::1]:0"},
		{"dual-stack to ipv4", "[::]:0", "127.0.0.1:0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := NewPacer(20 * time.Millisecond)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p.Start(ctx)
			defer p.Stop()
			s, far := senderCallOn(t, ctx, p, c.local, c.far)
			hearPackets(t, s, far, 5)
			if st := statsAfter(p, 5); st.ThreadSent < 5 || st.SendErrors != 0 {
				t.Errorf("sender thread wrote %d packets, %d errors", st.ThreadSent, st.SendErrors)
			}
		})
	}
}
