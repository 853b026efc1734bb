//go:build linux

package media

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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

func TestPacerRealtimeThreads(t *testing.T) {
	p := NewPacer(20 * time.Millisecond)
	p.Realtime = 10
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := &countingTicker{}
	p.add(c)
	before := schedRRThreads(t)
	procs0 := runtime.GOMAXPROCS(0)
	p.Start(ctx)
	deadline := time.Now().Add(5 * time.Second)
	for c.count() < 10 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if c.count() < 10 {
		t.Fatalf("a real-time pacer sent %d packets in 5 s", c.count())
	}
	n, err := p.RealtimeShards()
	if os.Geteuid() == 0 {
		// Root may set real-time priority: every shard runs on a SCHED_RR thread.
		if err != nil || n != len(p.shards) {
			t.Fatalf("as root: %d of %d shards real-time, err %v", n, len(p.shards), err)
		}
		if got := schedRRThreads(t) - before; got != len(p.shards) {
			t.Errorf("%d SCHED_RR threads, want %d (one per shard)", got, len(p.shards))
		}
		// Each real-time shard brought its own P.
		if got := runtime.GOMAXPROCS(0); got != procs0+len(p.shards) {
			t.Errorf("GOMAXPROCS %d while running, want %d + %d shards", got, procs0, len(p.shards))
		}
		// A pacer made meanwhile counts its shards without the extra Ps.
		if q := NewPacer(20 * time.Millisecond); len(q.shards) != len(p.shards) {
			t.Errorf("second pacer has %d shards, want %d", len(q.shards), len(p.shards))
		}
	} else if err == nil && n == 0 {
		t.Error("no shard real-time and no reason given")
	}
	// Stop ends the shards (each sleeps at most one period) and their
	// threads go back to normal or end.
	stopped := make(chan struct{})
	go func() { p.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(2 * time.Second):
		t.Fatal("Stop did not return")
	}
	for end := time.Now().Add(2 * time.Second); schedRRThreads(t) > before && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	if got := schedRRThreads(t); got > before {
		t.Errorf("%d SCHED_RR threads left after Stop", got-before)
	}
	if got := runtime.GOMAXPROCS(0); got != procs0 {
		t.Errorf("GOMAXPROCS %d after Stop, want %d back", got, procs0)
	}
	if st := p.Stats(); st.LatenessP99 <= 0 {
		t.Errorf("no lateness measured: %+v", st)
	}
}

// When the kernel refuses real-time priority (no privilege; here an
// invalid priority), the shards run as ordinary threads, say why, and
// the clock keeps time.
func TestPacerRealtimeRefused(t *testing.T) {
	p := NewPacer(20 * time.Millisecond)
	p.Realtime = 100 // SCHED_RR priorities end at 99
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := &countingTicker{}
	p.add(c)
	procs0 := runtime.GOMAXPROCS(0)
	p.Start(ctx)
	defer p.Stop()
	n, err := p.RealtimeShards()
	if n != 0 || err == nil {
		t.Fatalf("refused priority: %d real-time shards, err %v", n, err)
	}
	if got := runtime.GOMAXPROCS(0); got != procs0 {
		t.Errorf("GOMAXPROCS %d, want %d: only real-time shards bring a P", got, procs0)
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.count() < 10 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if c.count() < 10 {
		t.Fatalf("sent %d packets in 5 s", c.count())
	}
}
