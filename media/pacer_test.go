package media

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// countingTicker records what the pacer asked of it.
type countingTicker struct {
	mu       sync.Mutex
	sends    int
	receives int
	order    []string
	last     time.Time
	backward bool // an ideal time that went backwards
}

func (c *countingTicker) packet(now time.Time, _ *senderMember) ([]byte, netip.AddrPort, uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.last.IsZero() && !now.After(c.last) {
		c.backward = true
	}
	c.last = now
	c.sends++
	c.order = append(c.order, "s")
	return []byte{0x80}, netip.AddrPort{}, 0
}

func (c *countingTicker) write([]byte, netip.AddrPort) error { return nil }

func (c *countingTicker) receive(time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.receives++
	c.order = append(c.order, "r")
}

func (c *countingTicker) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sends
}

func TestPacerDrivesAllMembersFromOneClock(t *testing.T) {
	p := NewPacer(5 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	members := make([]*countingTicker, 5)
	ids := make([]int, 5)
	for i := range members {
		members[i] = &countingTicker{}
		ids[i] = p.add(members[i])
	}
	p.Start(ctx)
	p.Start(ctx) // a second Start must not start a second clock
	deadline := time.Now().Add(5 * time.Second)
	// Members send at their own phases within the interval, so wait for
	// the slowest, not just the first.
	minCount := func() int {
		n := members[0].count()
		for _, m := range members[1:] {
			n = min(n, m.count())
		}
		return n
	}
	for minCount() < 10 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	p.remove(ids[4])
	gone := members[4].count()
	for members[0].count() < gone+10 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	p.Stop()
	p.Stop()
	st := p.Stats()
	for i, m := range members {
		m.mu.Lock()
		if m.sends < 10 || m.receives != m.sends || m.backward {
			t.Errorf("member %d: %d sends %d receives, times backwards %v", i, m.sends, m.receives, m.backward)
		}
		for k := 0; k+1 < len(m.order); k += 2 {
			if m.order[k] != "s" || m.order[k+1] != "r" {
				t.Fatalf("member %d: tick %d ran %v, want send then receive", i, k/2, m.order[k:k+2])
			}
		}
		m.mu.Unlock()
	}
	if members[4].count() != gone {
		t.Errorf("removed member still ticked: %d -> %d", gone, members[4].count())
	}
	// One clock for all: no member gets more ticks than the clock made.
	if st.Ticks == 0 || uint64(members[0].count()) > st.Ticks {
		t.Errorf("%d ticks, member 0 sent %d times", st.Ticks, members[0].count())
	}
	if st.LatenessP50 <= 0 || st.LatenessP99 < st.LatenessP50 || st.LatenessMax < st.LatenessP50/2 {
		t.Errorf("lateness p50 %v p99 %v max %v", st.LatenessP50, st.LatenessP99, st.LatenessMax)
	}
	stopped := members[0].count()
	time.Sleep(30 * time.Millisecond)
	if members[0].count() != stopped {
		t.Error("ticks after Stop")
	}
	p.ResetStats()
	if st := p.Stats(); st.LatenessP99 != 0 || st.SpacingP99 != 0 || st.Skipped != 0 {
		t.Errorf("after reset: %+v", st)
	}
}

func TestPacerRemoveKeepsOrder(t *testing.T) {
	p := NewPacer(20 * time.Millisecond)
	var ids []int
	for i := 0; i < 4*len(p.shards); i++ {
		ids = append(ids, p.add(&countingTicker{}))
	}
	s := p.shards[ids[0]%len(p.shards)]
	before := make([]int, 0, len(s.members))
	for _, m := range s.members {
		before = append(before, m.id)
	}
	p.remove(before[1])
	want := append([]int{before[0]}, before[2:]...)
	for i, m := range s.members {
		if m.id != want[i] {
			t.Fatalf("order after remove %v, want %v", s.members, want)
		}
	}
}

func TestLatencyHistogramQuantiles(t *testing.T) {
	var h latencyHistogram
	for i := 1; i <= 100; i++ {
		h.observe(time.Duration(i) * time.Millisecond)
	}
	h.observe(-time.Millisecond) // clock step: counted as on time
	h.observe(time.Hour)         // beyond the range: lands in the last bucket
	cases := []struct {
		q        float64
		min, max time.Duration
	}{
		{0.5, 49 * time.Millisecond, 52 * time.Millisecond},
		{0.9, 89 * time.Millisecond, 92 * time.Millisecond},
		{1.0, 100 * time.Millisecond, 101 * time.Millisecond},
	}
	for _, c := range cases {
		if got := h.quantile(c.q); got < c.min || got > c.max {
			t.Errorf("q%.2f = %v, want %v..%v", c.q, got, c.min, c.max)
		}
	}
	if time.Duration(h.max.Load()) != time.Hour {
		t.Errorf("max %v", time.Duration(h.max.Load()))
	}
}

// TestPacerStaggersCalls: calls are spread evenly over the period's slots,
// each keeps its own phase, and its packets follow its own schedule.
func TestPacerStaggersCalls(t *testing.T) {
	p := NewPacer(20 * time.Millisecond)
	const n = 80
	members := make([]*countingTicker, n)
	for i := range members {
		members[i] = &countingTicker{}
		p.add(members[i])
	}
	for _, s := range p.shards {
		lo, hi := s.load[0], s.load[0]
		for _, l := range s.load {
			lo, hi = min(lo, l), max(hi, l)
		}
		if hi-lo > 1 {
			t.Errorf("shard %d: slot loads %v, want even", s.index, s.load)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p.Start(ctx)
	deadline := time.Now().Add(5 * time.Second)
	slowest := func() int {
		c := members[0].count()
		for _, m := range members[1:] {
			c = min(c, m.count())
		}
		return c
	}
	for slowest() < 5 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	p.Stop()
	phases := map[time.Duration]bool{}
	for i, m := range members {
		m.mu.Lock()
		last := m.last
		m.mu.Unlock()
		ph := time.Duration(last.UnixNano()) % p.interval
		phases[ph.Round(100*time.Microsecond)] = true
		if m.count() < 5 {
			t.Fatalf("member %d sent %d times", i, m.count())
		}
	}
	// 20 slots per shard, interleaved between shards.
	if want := min(n, p.slots*len(p.shards)); len(phases) < want {
		t.Errorf("%d distinct send phases among %d calls, want %d", len(phases), n, want)
	}
	if st := p.Stats(); st.LatenessP99 <= 0 || st.LatenessP99 > 15*time.Millisecond {
		t.Logf("lateness p99 %v (machine busy?)", st.LatenessP99)
	}
}
