package media

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// ticker is anything the pacer drives once per interval, at its own phase:
// first the members of a slot make their packets (the time-critical half),
// then they do their receive-side work.
type ticker interface {
	// packet is the member's packet for the tick due at due, and where it
	// goes (nil: nothing to send that tick). out is the member's socket at
	// its shard's sender thread, nil when the shard writes the packet
	// itself; gen is the generation the packet is made in (see recall).
	packet(due time.Time, out *senderMember) (pkt []byte, to netip.AddrPort, gen uint32)
	// write sends a packet at once (members without a sender thread).
	write(pkt []byte, to netip.AddrPort) error
	receive(now time.Time)
}

// socketTicker is a member whose packets the shard's sender thread may
// write: it has a UDP socket of its own. leaving is called (under the
// shard's lock) as it leaves the pacer: from then on it must not touch the
// senderMember it was given.
type socketTicker interface {
	ticker
	socket() net.PacketConn
	leaving()
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
//
// On Linux the packets of calls with a UDP socket of their own are written
// by a sender thread per shard (see rtpSender): at each slot the shard
// makes its calls' packets leadTicks intervals ahead, and the thread
// writes them at their due time. A shard late by less than that (the Go
// scheduler busy, a garbage collection, a loaded host) then delays no
// packet; barge-in recalls the packets made ahead (Session.StopPlayback).
// Other members are written by the shard itself at the slot's time.
type Pacer struct {
	// Realtime, when above 0, runs the sender threads at that SCHED_RR
	// priority (1-99), as telephony media servers run their timing
	// threads, so that a packet due preempts speech inference and other
	// ordinary work. Set it before Start. Without the privilege (root or
	// CAP_SYS_NICE) they run as ordinary threads: RealtimeShards says how
	// many got it and why the others did not.
	Realtime int

	realtimeShards atomic.Int32
	realtimeErr    atomic.Pointer[error]

	interval time.Duration
	slots    int // phases per interval, per shard

	mu     sync.Mutex
	shards []*pacerShard
	nextID int
	cancel context.CancelFunc
	done   chan struct{}
	// start is the clock's origin; startMono is the same instant on
	// CLOCK_MONOTONIC, the sender threads' clock.
	start     time.Time
	startMono int64
	// leadBy is how far ahead packets are made: leadTicks intervals with
	// sender threads, else none (and then how late a shard may fall
	// before it skips periods: one interval).
	leadBy time.Duration

	ticks    atomic.Uint64
	skipped  atomic.Uint64    // shard periods not run because the shard fell a whole period behind
	overrun  atomic.Uint64    // batches a sender thread had no room for (it was that far behind)
	lateness latencyHistogram // per packet: when it was sent vs. its own scheduled time
	spacing  latencyHistogram // per call: |gap between consecutive packets - interval|
	stopped  struct {
		sync.Mutex
		senderCounts // of the sender threads stopped so far
	}
}

// senderCounts are what sender threads wrote, failed to write, and dropped
// as recalled.
type senderCounts struct{ sent, errors, recalled uint64 }

func (c *senderCounts) add(o senderCounts) {
	c.sent += o.sent
	c.errors += o.errors
	c.recalled += o.recalled
}

type pacerShard struct {
	index   int
	mu      sync.Mutex
	members []*pacerMember // in the order they joined; a slot's members send in this order
	load    []int          // members per slot
	sender  *rtpSender     // nil: members send inline
}

type pacerMember struct {
	id       int
	t        ticker
	out      *senderMember // the member's socket for the sender thread; nil: inline
	slot     int
	lastTick int64 // tick of the member's previous packet (inline members)
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
	n := max(1, runtime.GOMAXPROCS(0))
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
	p.start, p.startMono = time.Now(), monoNow()
	var errs []error
	made := 0
	for _, s := range p.shards {
		snd, prioErr, err := newSender(p.interval, p.Realtime)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		made++
		if p.Realtime > 0 {
			if prioErr != nil {
				errs = append(errs, prioErr)
			} else {
				p.realtimeShards.Add(1)
			}
		}
		s.mu.Lock()
		s.sender = snd
		s.mu.Unlock()
	}
	if len(errs) > 0 {
		err := errors.Join(errs...)
		p.realtimeErr.Store(&err)
	}
	p.leadBy = p.interval
	if made > 0 {
		p.leadBy = leadTicks * p.interval
	}
	var wg sync.WaitGroup
	for _, s := range p.shards {
		wg.Add(1)
		go func(s *pacerShard) {
			defer wg.Done()
			p.runShard(ctx, s)
		}(s)
	}
	go func() {
		defer close(p.done)
		wg.Wait()
		// The shards have stopped making packets: end the sender threads,
		// keeping their figures.
		for _, s := range p.shards {
			s.mu.Lock()
			if s.sender != nil {
				counts := s.sender.stats(&p.lateness, &p.spacing)
				p.stopped.Lock()
				p.stopped.add(counts)
				p.stopped.Unlock()
				s.sender.stop()
				s.sender = nil
			}
			s.mu.Unlock()
		}
	}()
}

// runShard is one worker: it wakes at each of its occupied slots' times
// and runs that slot's members. A shard with no calls wakes once a period.
func (p *Pacer) runShard(ctx context.Context, s *pacerShard) {
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
	for k := int64(1); ; k++ {
		if s.index == 0 {
			p.ticks.Add(1)
		}
		base := p.start.Add(time.Duration(k) * p.interval)
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
		// A shard that fell further behind than its lead (machine
		// suspended, overload) skips the missed periods instead of
		// bursting them out.
		if behind := time.Since(next); behind > p.leadBy {
			missed := int64(behind / p.interval)
			k += missed
			p.skipped.Add(uint64(missed))
		}
	}
}

// leadTicks is how many intervals ahead of its due time a packet for the
// sender thread is made: the Go side may be that late (a busy scheduler,
// a garbage collection, a loaded host) without delaying a packet. The cost
// is that a reply's first packet leaves that much later than it could
// (60 ms at 20 ms packets); barge-in recalls what was made ahead.
const leadTicks = 3

// runSlot makes the packets of every member of one slot of a shard, then
// runs their receive work. Members with a sender thread get their packet
// for the tick leadTicks ahead, handed to the thread as one batch; the
// others send for this tick at once.
func (p *Pacer) runSlot(s *pacerShard, slot int, k int64, ideal time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ahead := ideal.Add(p.leadBy)
	for _, m := range s.members {
		if m.slot != slot {
			continue
		}
		if m.out != nil && s.sender != nil {
			if pkt, to, gen := m.t.packet(ahead, m.out); pkt != nil {
				s.sender.add(m.out, pkt, to, gen)
			}
			continue
		}
		pkt, to, _ := m.t.packet(ideal, nil)
		if pkt == nil || m.t.write(pkt, to) != nil {
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
	if s.sender != nil {
		if err := s.sender.flush(p.startMono + int64(ahead.Sub(p.start))); err != nil {
			p.overrun.Add(1)
		}
	}
	for _, m := range s.members {
		if m.slot == slot {
			m.t.receive(ideal)
		}
	}
}

// Members is how many sessions the pacer drives now.
func (p *Pacer) Members() int {
	n := 0
	for _, s := range p.shards {
		s.mu.Lock()
		n += len(s.members)
		s.mu.Unlock()
	}
	return n
}

// Shards is how many shards (and sender threads, on Linux) the pacer has.
func (p *Pacer) Shards() int { return len(p.shards) }

// RealtimeShards is how many shards' sender threads run at real-time
// priority (after Start), and why the others do not.
func (p *Pacer) RealtimeShards() (int, error) {
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
	pm := &pacerMember{id: id, t: m, slot: slot, lastTick: -2}
	if st, ok := m.(socketTicker); ok {
		// Not a UDP socket, or not Linux: the member sends inline.
		pm.out, _ = newSenderMember(st.socket())
	}
	s.members = append(s.members, pm)
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
			if st, ok := m.t.(socketTicker); ok {
				st.leaving()
			}
			if m.out != nil {
				if s.sender != nil {
					// After the member's packets still queued.
					s.sender.retire(m.out)
				} else {
					m.out.free()
				}
			}
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
	// Overruns counts batches of packets a sender thread had no room for,
	// being a quarter second behind (those packets were not sent).
	Overruns uint64
	// ThreadSent and SendErrors count what the sender threads wrote and
	// failed to write (the kernel refused: no route, buffer full).
	ThreadSent uint64
	SendErrors uint64
	// Recalled counts packets made ahead that StopPlayback (barge-in)
	// cancelled before they were due.
	Recalled uint64
}

// Stats returns the pacing figures since the start or the last ResetStats.
func (p *Pacer) Stats() PacerStats {
	// The running sender threads' figures join the shards' own and those
	// of the threads already stopped.
	var late, spacing latencyHistogram
	late.add(&p.lateness)
	spacing.add(&p.spacing)
	p.stopped.Lock()
	counts := p.stopped.senderCounts
	p.stopped.Unlock()
	for _, s := range p.shards {
		s.mu.Lock()
		if s.sender != nil {
			counts.add(s.sender.stats(&late, &spacing))
		}
		s.mu.Unlock()
	}
	return PacerStats{
		Ticks:       p.ticks.Load(),
		LatenessP50: late.quantile(0.50),
		LatenessP99: late.quantile(0.99),
		LatenessMax: time.Duration(late.max.Load()),
		SpacingP50:  spacing.quantile(0.50),
		SpacingP99:  spacing.quantile(0.99),
		Skipped:     p.skipped.Load(),
		Overruns:    p.overrun.Load(),
		ThreadSent:  counts.sent,
		SendErrors:  counts.errors,
		Recalled:    counts.recalled,
	}
}

// ResetStats forgets the figures so far (between benchmark phases).
func (p *Pacer) ResetStats() {
	p.lateness.reset()
	p.spacing.reset()
	p.skipped.Store(0)
	p.overrun.Store(0)
	p.stopped.Lock()
	p.stopped.senderCounts = senderCounts{}
	p.stopped.Unlock()
	for _, s := range p.shards {
		s.mu.Lock()
		if s.sender != nil {
			s.sender.resetStats()
		}
		s.mu.Unlock()
	}
}

// latencyHistogram counts durations in 50 µs buckets up to 100 ms without
// locks, so the hot path only does two atomic adds (the sender threads keep
// the same buckets: VS_BUCKETS, VS_BUCKET_NS).
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
	h.noteMax(d)
}

// noteMax raises the maximum to d if d is above it.
func (h *latencyHistogram) noteMax(d time.Duration) {
	for {
		m := h.max.Load()
		if int64(d) <= m || h.max.CompareAndSwap(m, int64(d)) {
			return
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

// add adds o's counts to h.
func (h *latencyHistogram) add(o *latencyHistogram) {
	for i := range h.buckets {
		h.buckets[i].Add(o.buckets[i].Load())
	}
	h.noteMax(time.Duration(o.max.Load()))
}

func (h *latencyHistogram) reset() {
	for i := range h.buckets {
		h.buckets[i].Store(0)
	}
	h.max.Store(0)
}
