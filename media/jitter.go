package media

import (
	"time"

	"github.com/pion/rtp"
)

// JitterStats are the receive-side figures of one RTP stream.
type JitterStats struct {
	Received  uint64  `json:"received"`
	Lost      uint64  `json:"lost"`
	Late      uint64  `json:"late"`
	Duplicate uint64  `json:"duplicate"`
	Discarded uint64  `json:"discarded"` // dropped unplayed to keep the delay bounded (sender clock faster than ours, bursts)
	JitterMs  float64 `json:"jitter_ms"` // RFC 3550 A.8 interarrival jitter
}

// PopResult says what Pop produced.
type PopResult int

const (
	PopPacket PopResult = iota // the next packet in order
	PopLost                    // the next packet is declared lost (play concealment)
	PopEmpty                   // nothing to play now
)

// JitterBuffer puts RTP packets back in sequence order (16-bit wrap-around
// included), drops duplicates and packets that come after their turn, and
// measures interarrival jitter (RFC 3550 A.8). Playout is one Pop per tick:
// a missing packet is waited for until depth later packets are queued (60
// ms by default), then declared lost; the queue never holds more than three
// times the depth, so a sender whose clock runs fast cannot build up delay.
// A new SSRC or a large sequence jump starts a new stream. Not safe for
// concurrent use: the Session guards it.
type JitterBuffer struct {
	depthDur time.Duration
	packet   int // samples per packet (20 ms until two consecutive packets say otherwise)
	depth    int // packets held before a gap is declared lost
	maxHeld  int // beyond this many packets the oldest are dropped
	waited   int // silent ticks spent waiting for a missing packet
	clock    int // RTP clock rate, for jitter in ms
	started  bool
	played   bool   // a packet has been popped: earlier ones are late from now on
	ssrc     uint32 // source of the stream being played
	next     uint16 // sequence number to play next
	buf      map[uint16]*rtp.Packet
	stats    JitterStats
	jitter   float64 // in timestamp units
	lastTr   int64
	haveTr   bool
	baseTime time.Time
}

// NewJitterBuffer holds up to depth of 20 ms packets (60 ms if depth <= 0).
func NewJitterBuffer(depth time.Duration, clockRate int) *JitterBuffer {
	if depth <= 0 {
		depth = 60 * time.Millisecond
	}
	j := &JitterBuffer{depthDur: depth, clock: clockRate, buf: map[uint16]*rtp.Packet{}}
	j.setPacketSamples(clockRate / 50)
	return j
}

// setPacketSamples sets how long the far end's packets are, in samples:
// the depth is a duration, so 10 ms packets are held twice as many as
// 20 ms ones (counting them as 20 ms packets halved the depth and dropped
// good audio as a burst). Push learns it from consecutive packets'
// timestamps.
func (j *JitterBuffer) setPacketSamples(n int) {
	if n <= 0 || n > 8*j.clock/50 || n == j.packet || j.clock <= 0 {
		return
	}
	j.packet = n
	packet := time.Duration(n) * time.Second / time.Duration(j.clock)
	j.depth = max(1, int(j.depthDur/packet))
	j.maxHeld = 3 * j.depth
}

// Push adds a media packet that arrived at the given time.
func (j *JitterBuffer) Push(p *rtp.Packet, arrival time.Time) { j.push(p, arrival, true) }

// push adds a packet; measure is false for telephone events, whose
// timestamps mark the start of a key press rather than the sampling
// instant of the payload and so would distort the jitter estimate
// (RFC 3550 section 6.4.1 defines it for the media clock).
func (j *JitterBuffer) push(p *rtp.Packet, arrival time.Time, measure bool) {
	switch {
	case !j.started:
		j.started, j.next, j.ssrc = true, p.SequenceNumber, p.SSRC
	case p.SSRC != j.ssrc && !measure:
		// An event from another source than the audio (some gateways do
		// this): its sequence numbers are not ours, so keep it out.
		return
	case p.SSRC != j.ssrc:
		// The far end switched media source (a re-INVITE to another media
		// server, a transfer): a new sequence space and clock, RFC 3550
		// section 8.2.
		clear(j.buf)
		j.next, j.ssrc, j.played, j.haveTr = p.SequenceNumber, p.SSRC, false, false
	}
	if measure {
		j.updateJitter(p.Timestamp, arrival)
		if prev, ok := j.buf[p.SequenceNumber-1]; ok {
			j.setPacketSamples(int(int32(p.Timestamp - prev.Timestamp)))
		}
	}
	// Distance from the next packet to play, with 16-bit wrap-around
	// (RFC 3550 A.1): negative means its turn has passed.
	d := int16(p.SequenceNumber - j.next)
	switch {
	case d < 0 && d > -1000 && !j.played:
		// Nothing played yet: the stream's first packets came reordered.
		j.next = p.SequenceNumber
	case d < 0 && d > -1000:
		j.stats.Late++
		return
	case d < 0 || d > 1000:
		// A jump this large is the sender restarting its stream: resync.
		clear(j.buf)
		j.next = p.SequenceNumber
	}
	if _, dup := j.buf[p.SequenceNumber]; dup {
		j.stats.Duplicate++
		return
	}
	j.stats.Received++
	j.buf[p.SequenceNumber] = p
}

// updateJitter applies RFC 3550 A.8: J += (|D(i-1,i)| - J) / 16.
func (j *JitterBuffer) updateJitter(ts uint32, arrival time.Time) {
	if j.baseTime.IsZero() {
		j.baseTime = arrival
	}
	arr := int64(arrival.Sub(j.baseTime) * time.Duration(j.clock) / time.Second)
	transit := arr - int64(ts)
	if j.haveTr {
		d := transit - j.lastTr
		if d < 0 {
			d = -d
		}
		j.jitter += (float64(d) - j.jitter) / 16
	}
	j.lastTr, j.haveTr = transit, true
}

// Pop returns the next packet to play, a loss, or nothing. It is called
// once per 20 ms tick; each PopEmpty makes the caller play a silent frame.
func (j *JitterBuffer) Pop() (*rtp.Packet, PopResult) {
	for {
		if !j.started || len(j.buf) == 0 {
			return nil, PopEmpty
		}
		if p, ok := j.buf[j.next]; ok {
			// More queued than the buffer may hold: the sender's clock runs
			// faster than ours or a burst came in. Skip the oldest so the
			// delay stays bounded.
			if len(j.buf) > j.maxHeld {
				delete(j.buf, j.next)
				j.next++
				j.stats.Discarded++
				continue
			}
			delete(j.buf, j.next)
			j.next++
			j.played = true
			return p, PopPacket
		}
		// The next packet is missing but later ones are here: wait until
		// the buffer is as deep as allowed, then give up on it.
		if len(j.buf) < j.depth {
			j.waited = min(j.waited+1, j.depth)
			return nil, PopEmpty
		}
		j.next++
		j.stats.Lost++
		if j.waited > 0 {
			// The silent ticks spent waiting already stood in for the lost
			// packet: play the next one now rather than add more delay.
			j.waited--
			continue
		}
		return nil, PopLost
	}
}

// Stats returns the figures so far.
func (j *JitterBuffer) Stats() JitterStats {
	s := j.stats
	if j.clock > 0 {
		s.JitterMs = j.jitter * 1000 / float64(j.clock)
	}
	return s
}
