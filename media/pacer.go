package media

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// ticker is anything the pacer drives once per interval, at its own phase:
// first the members of a slot send (the time-critical half, reporting
// whether a packet went out), then they do their receive-side work.
type ticker interface {
	send(now time.Time) bool
	receive(now time.Time)
}

// Pacer is the one send clock shared by every call. A timer per call costs a
// goroutine wake-up per call per 20 ms and drifts; a shared clock wakes a
// few times per period for all calls.
//
// Calls are sharded over one worker per CPU, so sends run in parallel, and
// within a shard every call gets its own phase: the 20 ms period is cut
// into slots of about a millisecond and a call joins the emptiest slot, so
// its packets leave at start + k*interval + phase. Sending every call's
// packet at the same instant would make the last of a thousand sends late
// by the whole send loop (and wake every receiver at once); media servers
// stagger streams the same way. Each call's lateness is measured against
// its own schedule (tick time plus its phase). Schedules are absolute, so a
// late slot does not push later ones back, and a call keeps its slot for
// life, so the spacing between its packets stays even.
type Pacer struct {
	// Realtime, when above 0, runs each shard on its own OS thread at that
	// SCHED_RR priority (1-99), sleeping in the kernel between slots, and
	// adds one P to GOMAXPROCS per such shard while it runs, so that a
	// shard waking to send finds a free P at once. Set it before Start.
	// Without the privilege the shards run as ordinary threads:
	// RealtimeShards says how many got it.
	Realtime int

	realtimeShards atomic.Int32
	realtimeErr    atomic.Pointer[error]
	realtimeTried  sync.WaitGroup // every shard has tried for real-time priority

	interval time.Duration
	slots    int // phases per interval, per shard

	mu     sync.Mutex
	shards []*pacerShard
	nextID int
	cancel context.CancelFunc
	done   chan struct{}

	ticks    atomic.Uint64
	skipped  atomic.Uint64    // shard periods not run because the shard fell a whole period behind
	lateness latencyHistogram // per packet: when it was sent vs. its own scheduled time
	spacing  latencyHistogram // per call: |gap between consecutive packets - interval|
}

type pacerShard struct {
	index   int
	mu      sync.Mutex
	members []*pacerMember // in the order they joined; a slot's members send in this order
	load    []int          // members per slot
}

type pacerMember struct {
	id       int
	t        ticker
	slot     int
	lastTick int64 // tick of the member's previous packet
	lastSent time.Time
}

// NewPacer makes a pacer ticking every interval (20 ms for G.711 ptime 20).
func NewPacer(interval time.Duration) *Pacer {
	if interval <= 0 {
		interval = 20 * time.Millisecond
	}
	// About one slot per millisecond: finer slots would not help, as Go's
	// timers on Linux wake with about a millisecond of granularity.
	slots := max(1, min(20, int(interval/time.Millisecond)))
	p := &Pacer{interval: interval, slots: slots}
	n := max(1, baseProcs())
	for i := 0; i < n; i++ {
		p.shards = append(p.shards, &pacerShard{index: i, load: make([]int, slots)})
	}
	return p
}

// phase is when within each interval a slot of a shard sends. The shards'
// slots interleave, so that no two shards wake at the same instant.
func (p *Pacer) phase(shard, slot int) time.Duration {
	slotLen := p.interval / time.Duration(p.slots)
	return time.Duration(slot)*slotLen + slotLen*time.Duration(shard)/time.Duration(len(p.shards))
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
	start := time.Now()
	if p.Realtime > 0 {
		p.realtimeTried.Add(len(p.shards))
	}
	for _, s := range p.shards {
		wg.Add(1)
		go func(s *pacerShard) {
			defer wg.Done()
			p.runShard(ctx, s, start)
		}(s)
	}
	go func() {
		defer close(p.done)
		wg.Wait()
	}()
}

// runShard is one worker: it wakes at each of its occupied slots' times
// and runs that slot's members. A shard with no calls wakes once a period.
func (p *Pacer) runShard(ctx context.Context, s *pacerShard, start time.Time) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	sleepUntil := func(at time.Time) bool {
		if d := time.Until(at); d > 0 {
			t.Reset(d)
			select {
			case <-ctx.Done():
				return false
			case <-t.C:
			}
		}
		return ctx.Err() == nil
	}
	if p.Realtime > 0 {
		// The goroutine stays locked to its thread to the end, so Go ends
		// the thread with it: a real-time thread must never go back to the
		// pool to run other goroutines.
		err := realtimeThread(p.Realtime)
		if err != nil {
			p.realtimeErr.Store(&err)
		} else {
			// Back to normal before the end, in case Go keeps the thread
			// (it parks the main thread rather than end it).
			defer ordinaryThread()
			// The shard brings its own P: waking from its sleep in the
			// kernel, it finds one free instead of waiting for a busy
			// goroutine to give one up (which made the late tail).
			addProcs(1)
			defer addProcs(-1)
			p.realtimeShards.Add(1)
			sleepUntil = func(at time.Time) bool {
				// Never more than a period at once, so Stop is seen.
				sleepThread(at)
				return ctx.Err() == nil
			}
		}
		p.realtimeTried.Done()
	}
	for k := int64(1); ; k++ {
		if s.index == 0 {
			p.ticks.Add(1)
		}
		base := start.Add(time.Duration(k) * p.interval)
		ran := false
		for slot := 0; slot < p.slots; slot++ {
			s.mu.Lock()
			empty := s.load[slot] == 0
			s.mu.Unlock()
			if empty {
				continue
			}
			ideal := base.Add(p.phase(s.index, slot))
			if !sleepUntil(ideal) {
				return
			}
			p.runSlot(s, slot, k, ideal)
			ran = true
		}
		next := base.Add(p.interval)
		if !ran {
			if !sleepUntil(next) {
				return
			}
			continue
		}
		// A shard that fell more than a period behind (machine suspended,
		// overload) skips the missed periods instead of bursting them out.
		if behind := time.Since(next); behind > p.interval {
			missed := int64(behind / p.interval)
			k += missed
			p.skipped.Add(uint64(missed))
		}
	}
}

// runSlot sends for every member of one slot of a shard, then runs their
// receive work.
func (p *Pacer) runSlot(s *pacerShard, slot int, k int64, ideal time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.members {
		if m.slot != slot || !m.t.send(ideal) {
			continue
		}
		now := time.Now()
		p.lateness.observe(now.Sub(ideal))
		if m.lastTick == k-1 {
			gap := now.Sub(m.lastSent) - p.interval
			p.spacing.observe(max(gap, -gap))
		}
		m.lastTick, m.lastSent = k, now
	}
	for _, m := range s.members {
		if m.slot == slot {
			m.t.receive(ideal)
		}
	}
}

// RealtimeShards is how many shards run at real-time priority, and why
// the others do not; after Start it waits until every shard has tried.
func (p *Pacer) RealtimeShards() (int, error) {
	p.realtimeTried.Wait()
	var err error
	if e := p.realtimeErr.Load(); e != nil {
		err = *e
	}
	return int(p.realtimeShards.Load()), err
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

// add registers a member in the emptiest slot of its shard and returns its
// id for remove.
func (p *Pacer) add(m ticker) int {
	p.mu.Lock()
	id := p.nextID
	p.nextID++
	p.mu.Unlock()
	s := p.shards[id%len(p.shards)]
	s.mu.Lock()
	// Start the search one past where the previous member went, so that
	// ties spread round the period instead of piling into slot 0.
	first := (id / len(p.shards)) % p.slots
	slot := first
	for i := 1; i < p.slots; i++ {
		j := (first + i) % p.slots
		if s.load[j] < s.load[slot] {
			slot = j
		}
	}
	s.load[slot]++
	s.members = append(s.members, &pacerMember{id: id, t: m, slot: slot, lastTick: -2})
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
			// send offset within the slot.
			s.members = append(s.members[:i], s.members[i+1:]...)
			s.load[m.slot]--
			return
		}
	}
}

// PacerStats describe how punctual the clock has been.
type PacerStats struct {
	Ticks uint64
	// Lateness is, per packet sent, how long after its own scheduled time
	// (tick plus the call's phase) it left, actual - scheduled: wake-up
	// delay plus the sends before it in its slot.
	LatenessP50 time.Duration
	LatenessP99 time.Duration
	LatenessMax time.Duration
	// Spacing is, per call, how far the gap between two consecutive
	// packets strayed from the interval: the jitter the far end sees.
	SpacingP50 time.Duration
	SpacingP99 time.Duration
	// Skipped counts periods a shard of calls missed because the machine
	// could not keep up (each is 20 ms those calls did not send).
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
