package media

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// ticker is anything the pacer drives once per interval: first every
// member sends (the time-critical half, reporting whether a packet went
// out), then every member does its receive-side work.
type ticker interface {
	send(now time.Time) bool
	receive(now time.Time)
}

// Pacer is the one send clock shared by every call. A timer per call costs a
// goroutine wake-up per call per 20 ms and drifts; one clock wakes once, and
// shards the calls over one worker per CPU so a tick's sends run in
// parallel. Ticks are scheduled on absolute times (start + k*interval), so
// a late tick does not push later ones back. Within a shard the calls keep
// their order from tick to tick, so each call's packets leave at a steady
// offset from the tick and the spacing between them stays even.
type Pacer struct {
	interval time.Duration

	mu     sync.Mutex
	shards []*pacerShard
	nextID int
	cancel context.CancelFunc
	done   chan struct{}

	ticks    atomic.Uint64
	skipped  atomic.Uint64    // shard ticks not run because the shard was still busy
	lateness latencyHistogram // per packet: when it was sent vs. its ideal tick time
	spacing  latencyHistogram // per call: |gap between consecutive packets - interval|
}

type pacerShard struct {
	mu      sync.Mutex
	members []*pacerMember
	wake    chan pacerTick
}

type pacerMember struct {
	id       int
	t        ticker
	lastTick int64 // tick of the member's previous packet
	lastSent time.Time
}

type pacerTick struct {
	k     int64
	ideal time.Time
}

// NewPacer makes a pacer ticking every interval (20 ms for G.711 ptime 20).
func NewPacer(interval time.Duration) *Pacer {
	if interval <= 0 {
		interval = 20 * time.Millisecond
	}
	p := &Pacer{interval: interval}
	n := max(1, runtime.GOMAXPROCS(0))
	for i := 0; i < n; i++ {
		p.shards = append(p.shards, &pacerShard{wake: make(chan pacerTick, 1)})
	}
	return p
}

// Start runs the clock until ctx is done or Stop is called. Starting a
// running pacer does nothing.
func (p *Pacer) Start(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cancel != nil {
		return
	}
	ctx, p.cancel = context.WithCancel(ctx)
	p.done = make(chan struct{})
	var wg sync.WaitGroup
	for _, s := range p.shards {
		wg.Add(1)
		go func(s *pacerShard) {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case t := <-s.wake:
					p.runTick(s, t)
				}
			}
		}(s)
	}
	go func() {
		defer close(p.done)
		defer wg.Wait()
		start := time.Now()
		for k := int64(1); ; k++ {
			ideal := start.Add(time.Duration(k) * p.interval)
			t := time.NewTimer(time.Until(ideal))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			p.ticks.Add(1)
			for _, s := range p.shards {
				select {
				case s.wake <- pacerTick{k, ideal}:
				default:
					// The shard is still a tick behind: skip this one rather
					// than queue up and burst later.
					p.skipped.Add(1)
				}
			}
			// If the clock fell far behind (machine suspended, overload),
			// skip the missed ticks instead of bursting them out.
			if behind := time.Since(ideal); behind > 5*p.interval {
				missed := int64(behind / p.interval)
				k += missed
				p.skipped.Add(uint64(missed) * uint64(len(p.shards)))
			}
		}
	}()
}

// runTick sends for every member of a shard, then runs their receive work.
func (p *Pacer) runTick(s *pacerShard, t pacerTick) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.members {
		if !m.t.send(t.ideal) {
			continue
		}
		now := time.Now()
		p.lateness.observe(now.Sub(t.ideal))
		if m.lastTick == t.k-1 {
			gap := now.Sub(m.lastSent) - p.interval
			p.spacing.observe(max(gap, -gap))
		}
		m.lastTick, m.lastSent = t.k, now
	}
	for _, m := range s.members {
		m.t.receive(t.ideal)
	}
}

// Stop halts the clock and waits for the workers.
func (p *Pacer) Stop() {
	p.mu.Lock()
	cancel, done := p.cancel, p.done
	p.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

// add registers a member and returns its id for remove.
func (p *Pacer) add(m ticker) int {
	p.mu.Lock()
	id := p.nextID
	p.nextID++
	p.mu.Unlock()
	s := p.shards[id%len(p.shards)]
	s.mu.Lock()
	s.members = append(s.members, &pacerMember{id: id, t: m, lastTick: -2})
	s.mu.Unlock()
	return id
}

func (p *Pacer) remove(id int) {
	s := p.shards[id%len(p.shards)]
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, m := range s.members {
		if m.id == id {
			// Keep the order of the others: moving one would shift its
			// send offset within the tick.
			s.members = append(s.members[:i], s.members[i+1:]...)
			return
		}
	}
}

// PacerStats describe how punctual the clock has been.
type PacerStats struct {
	Ticks uint64
	// Lateness is, per packet sent, how long after its ideal tick time it
	// left (actual - ideal): wake-up delay plus the sends before it.
	LatenessP50 time.Duration
	LatenessP99 time.Duration
	LatenessMax time.Duration
	// Spacing is, per call, how far the gap between two consecutive
	// packets strayed from the interval: the jitter the far end sees.
	SpacingP50 time.Duration
	SpacingP99 time.Duration
	// Skipped counts ticks a group of calls missed because the machine
	// could not keep up (each skipped tick is 20 ms those calls did not send).
	Skipped uint64
}

// Stats returns the pacing figures since the start or the last ResetStats.
func (p *Pacer) Stats() PacerStats {
	return PacerStats{
		Ticks:       p.ticks.Load(),
		LatenessP50: p.lateness.quantile(0.50),
		LatenessP99: p.lateness.quantile(0.99),
		LatenessMax: time.Duration(p.lateness.max.Load()),
		SpacingP50:  p.spacing.quantile(0.50),
		SpacingP99:  p.spacing.quantile(0.99),
		Skipped:     p.skipped.Load(),
	}
}

// ResetStats forgets the figures so far (between benchmark phases).
func (p *Pacer) ResetStats() {
	p.lateness.reset()
	p.spacing.reset()
	p.skipped.Store(0)
}

// latencyHistogram counts durations in 50 µs buckets up to 100 ms without
// locks, so the hot path only does two atomic adds.
type latencyHistogram struct {
	buckets [2001]atomic.Uint64
	max     atomic.Int64
}

const histBucket = 50 * time.Microsecond

func (h *latencyHistogram) observe(d time.Duration) {
	if d < 0 {
		d = 0
	}
	i := int(d / histBucket)
	if i >= len(h.buckets) {
		i = len(h.buckets) - 1
	}
	h.buckets[i].Add(1)
	for {
		m := h.max.Load()
		if int64(d) <= m || h.max.CompareAndSwap(m, int64(d)) {
			break
		}
	}
}

func (h *latencyHistogram) quantile(q float64) time.Duration {
	var total uint64
	for i := range h.buckets {
		total += h.buckets[i].Load()
	}
	if total == 0 {
		return 0
	}
	want := uint64(q * float64(total))
	var acc uint64
	for i := range h.buckets {
		acc += h.buckets[i].Load()
		if acc > want {
			return time.Duration(i+1) * histBucket
		}
	}
	return time.Duration(len(h.buckets)) * histBucket
}

func (h *latencyHistogram) reset() {
	for i := range h.buckets {
		h.buckets[i].Store(0)
	}
	h.max.Store(0)
}
