package media

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// ticker is anything the pacer drives once per interval: first every
// member sends (the time-critical half), then every member does its
// receive-side work.
type ticker interface {
	send(now time.Time)
	receive(now time.Time)
}

// Pacer is the one send clock shared by every call. A timer per call costs a
// goroutine wake-up per call per 20 ms and drifts; one clock wakes once, and
// shards the calls over one worker per CPU so a tick's sends run in
// parallel. Ticks are scheduled on absolute times (start + k*interval), so
// a late tick does not push later ones back.
type Pacer struct {
	interval time.Duration

	mu     sync.Mutex
	shards []*pacerShard
	nextID int
	cancel context.CancelFunc
	done   chan struct{}

	ticks    atomic.Uint64
	skipped  atomic.Uint64 // shard ticks not run because the shard was still busy
	lateness latencyHistogram // per shard per tick: when its last packet was sent vs. the ideal time
}

type pacerShard struct {
	mu      sync.Mutex
	members map[int]ticker
	wake    chan time.Time // ideal tick time
}

// NewPacer makes a pacer ticking every interval (20 ms for G.711 ptime 20).
func NewPacer(interval time.Duration) *Pacer {
	if interval <= 0 {
		interval = 20 * time.Millisecond
	}
	p := &Pacer{interval: interval}
	n := max(1, runtime.GOMAXPROCS(0))
	for i := 0; i < n; i++ {
		p.shards = append(p.shards, &pacerShard{members: map[int]ticker{}, wake: make(chan time.Time, 1)})
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
				case ideal := <-s.wake:
					s.mu.Lock()
					for _, m := range s.members {
						m.send(ideal)
					}
					p.lateness.observe(time.Since(ideal))
					for _, m := range s.members {
						m.receive(ideal)
					}
					s.mu.Unlock()
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
				case s.wake <- ideal:
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
	s.members[id] = m
	s.mu.Unlock()
	return id
}

func (p *Pacer) remove(id int) {
	s := p.shards[id%len(p.shards)]
	s.mu.Lock()
	delete(s.members, id)
	s.mu.Unlock()
}

// PacerStats describe how punctual the clock has been.
type PacerStats struct {
	Ticks       uint64
	LatenessP50 time.Duration
	LatenessP99 time.Duration
	LatenessMax time.Duration
	// Skipped counts ticks a group of calls missed because the machine
	// could not keep up (each skipped tick is 20 ms those calls did not send).
	Skipped uint64
}

// Stats returns tick lateness: for each tick and shard, how long after the
// ideal tick time the shard's last packet of that tick was sent.
func (p *Pacer) Stats() PacerStats {
	return PacerStats{
		Ticks:       p.ticks.Load(),
		LatenessP50: p.lateness.quantile(0.50),
		LatenessP99: p.lateness.quantile(0.99),
		LatenessMax: time.Duration(p.lateness.max.Load()),
		Skipped:     p.skipped.Load(),
	}
}

// ResetStats forgets the lateness seen so far (between benchmark phases).
func (p *Pacer) ResetStats() {
	p.lateness.reset()
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
