package media

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

const (
	frameSamples = 160 // 20 ms at 8 kHz
	framesBuffer = 50  // 1 s of decoded audio waiting for a slow reader
)

// SessionConfig configures one RTP leg.
type SessionConfig struct {
	Conn            net.PacketConn // owned by the session after NewSession
	Remote          *net.UDPAddr   // nil: learnt from the first packet received
	Codec           Codec
	DTMFPayloadType uint8 // 0: none negotiated
	Pacer           *Pacer
	Logger          *slog.Logger
	Recorder        *Recorder // optional; closed with the session
	// JitterDepth is how long a missing packet is waited for (default 60 ms).
	JitterDepth time.Duration
}

// SessionStats are one leg's counters.
type SessionStats struct {
	Jitter          JitterStats `json:"jitter"`
	PacketsSent     uint64      `json:"packets_sent"`
	BytesSent       uint64      `json:"bytes_sent"`
	PacketsReceived uint64      `json:"packets_received"` // valid RTP of any payload type, before the jitter buffer
	BytesReceived   uint64      `json:"bytes_received"`
	Garbage         uint64      `json:"garbage"`        // unparseable or unexpected packets dropped
	FramesDropped   uint64      `json:"frames_dropped"` // decoded frames dropped because the reader lagged
	DTMFReceived    uint64      `json:"dtmf_received"`
	PlaybackStopped uint64      `json:"playback_stopped"`
}

// Session is one RTP leg: it receives through a jitter buffer and decodes
// to 20 ms frames, detects RFC 4733 DTMF, and sends queued audio and DTMF
// paced by the shared Pacer.
type Session struct {
	cfg    SessionConfig
	log    *slog.Logger
	frames chan []int16
	dtmf   chan DTMFEvent

	mu        sync.Mutex
	remoteAP  netip.AddrPort
	jb        *JitterBuffer
	det       dtmfDetector
	queue     []*Playback
	dtmfQueue []*dtmfSend
	ssrc      uint32
	seq       uint16
	ts        uint32
	talking   bool    // last tick sent audio (the next talkspurt sets the marker bit)
	receiving bool    // audio has arrived: a frame goes to the reader every tick from now on
	pending   []int16 // decoded audio not yet handed out
	// packetSamples is the far end's packet length, the length of the
	// silence that stands in for a lost packet.
	packetSamples int
	stats         SessionStats
	encBuf        []byte
	pktBuf        []byte

	lastPacket atomic.Int64 // unix nanos of the last packet received
	// poller reads the socket on the pacer's tick (see pollReader); nil:
	// a goroutine blocks in ReadFrom instead.
	poller     *pollReader
	onPacket   func(b []byte, from netip.AddrPort, at time.Time)
	pacerID    int
	registered bool // with the pacer, under pacerID
	// via is the session's socket at its pacer shard's sender thread, once
	// the shard has made a packet for it; nil: packets are written inline.
	via       *senderMember
	seq0      uint16    // the first sequence number
	dtmfUntil time.Time // when the last key-press packet made is due
	started   bool
	closeOnce sync.Once
	closed    chan struct{}
}

// Playback is one piece of audio queued by Play.
type Playback struct {
	pcm     []int16
	off     int
	done    chan struct{}
	end     sync.Once
	first   atomic.Int64
	stopped atomic.Bool
}

// Done is closed when the audio has been sent (its last packet due) or
// stopped.
func (p *Playback) Done() <-chan struct{} { return p.done }

func (p *Playback) finish() { p.end.Do(func() { close(p.done) }) }

// finishAt closes Done when the last packet, made ahead for the sender
// thread, is due to leave: a caller who hangs up on Done must not cut off
// the end of the prompt.
func (p *Playback) finishAt(due time.Time) {
	if d := time.Until(due); d > time.Millisecond {
		time.AfterFunc(d, p.finish)
		return
	}
	p.finish()
}

// FirstPacketAt is when the first packet is due to go out, its scheduled
// send time (the sender thread writes it within microseconds of that);
// zero before it is made.
func (p *Playback) FirstPacketAt() time.Time {
	if v := p.first.Load(); v != 0 {
		return time.Unix(0, v)
	}
	return time.Time{}
}

// Stopped reports whether StopPlayback cut it short.
func (p *Playback) Stopped() bool { return p.stopped.Load() }

type dtmfSend struct {
	event   uint8
	samples int // total duration in timestamp units
	sent    int // duration so far, in timestamp units
	ends    int // end packets sent
	ts      uint32
	started bool
	done    chan struct{}
}

// NewSession makes a session; Start begins receiving and sending.
func NewSession(cfg SessionConfig) (*Session, error) {
	if cfg.Conn == nil {
		return nil, errors.New("rtp session: no socket")
	}
	if cfg.Pacer == nil {
		return nil, errors.New("rtp session: no pacer")
	}
	if cfg.Codec.Name != "PCMU" && cfg.Codec.Name != "PCMA" {
		return nil, errors.New("rtp session: codec must be PCMU or PCMA")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	var r [8]byte
	if _, err := rand.Read(r[:]); err != nil {
		return nil, err
	}
	// RFC 3550 section 5.1: random SSRC, initial sequence number and timestamp.
	s := &Session{
		cfg: cfg, log: cfg.Logger, remoteAP: addrPort(cfg.Remote),
		frames: make(chan []int16, framesBuffer), dtmf: make(chan DTMFEvent, 16),
		jb:   NewJitterBuffer(cfg.JitterDepth, cfg.Codec.ClockRate),
		ssrc: binary.BigEndian.Uint32(r[0:4]), seq: binary.BigEndian.Uint16(r[4:6]),
		ts:            uint32(r[6])<<24 | uint32(r[7])<<16,
		closed:        make(chan struct{}),
		pktBuf:        make([]byte, 0, 12+frameSamples),
		packetSamples: frameSamples,
	}
	s.seq0 = s.seq
	return s, nil
}

// Start begins the receive loop and joins the pacer.
func (s *Session) Start(ctx context.Context) {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return
	}
	s.started = true
	if p := newPollReader(s.cfg.Conn); p != nil {
		s.poller = p
		s.onPacket = s.handleDatagram
	}
	s.mu.Unlock()
	// Not under s.mu: the pacer's workers take their shard lock and then
	// s.mu, so holding s.mu here would invert that order.
	id := s.cfg.Pacer.add(s)
	s.mu.Lock()
	s.pacerID, s.registered = id, true
	s.mu.Unlock()
	select {
	case <-s.closed: // closed while joining: Close may have missed the id
		s.cfg.Pacer.remove(id)
	default:
	}
	if s.poller == nil {
		go s.readLoop()
	}
	go func() {
		select {
		case <-ctx.Done():
			s.Close()
		case <-s.closed:
		}
	}()
}

// Frames delivers decoded 8 kHz audio, 160 samples per pacer tick once the
// far end has started sending. Lost packets, and gaps where the far end
// sends nothing (silence suppression, hold), come as silent frames, so a
// VAD downstream sees the silence it needs to end a turn. A reader more
// than a second behind loses the oldest frames (SessionStats.FramesDropped).
// The channel is never closed: stop reading when the call ends.
func (s *Session) Frames() <-chan []int16 { return s.frames }

// DTMF delivers key presses.
func (s *Session) DTMF() <-chan DTMFEvent { return s.dtmf }

// LocalAddr is the session's RTP address.
func (s *Session) LocalAddr() *net.UDPAddr {
	a, _ := s.cfg.Conn.LocalAddr().(*net.UDPAddr)
	return a
}

// SetRemote changes where packets go (re-INVITE, or a hold that moved media).
func (s *Session) SetRemote(addr *net.UDPAddr) {
	s.mu.Lock()
	s.remoteAP = addrPort(addr)
	s.mu.Unlock()
}

func addrPort(a *net.UDPAddr) netip.AddrPort {
	if a == nil {
		return netip.AddrPort{}
	}
	ap := a.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// LastPacketAt is when the last RTP packet arrived (zero if none yet).
func (s *Session) LastPacketAt() time.Time {
	if v := s.lastPacket.Load(); v != 0 {
		return time.Unix(0, v)
	}
	return time.Time{}
}

// Play queues 8 kHz audio after anything already queued.
func (s *Session) Play(pcm []int16) *Playback {
	p := &Playback{pcm: pcm, done: make(chan struct{})}
	if len(pcm) == 0 {
		p.finish()
		return p
	}
	s.mu.Lock()
	s.queue = append(s.queue, p)
	s.mu.Unlock()
	return p
}

// StopPlayback drops all queued audio (barge-in) and returns how many
// 20 ms frames were not sent. The next tick sends nothing more.
func (s *Session) StopPlayback() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	dropped := 0
	for _, p := range s.queue {
		dropped += (len(p.pcm) - p.off + frameSamples - 1) / frameSamples
		p.stopped.Store(true)
		p.finish()
	}
	s.queue = nil
	if dropped > 0 {
		s.stats.PlaybackStopped++
		// The packets already made ahead for the sender thread are
		// recalled too (not while a key press is going out, whose packets
		// are among them), and the sequence goes on from the last packet
		// that left, so the far end sees no gap.
		if s.via != nil && len(s.dtmfQueue) == 0 && time.Now().After(s.dtmfUntil) {
			next := s.seq0
			if last, ok := s.via.recall(); ok {
				next = last + 1
			}
			// What was recalled never left: uncount it.
			n := uint64(s.seq - next)
			s.stats.PacketsSent -= min(n, s.stats.PacketsSent)
			s.stats.BytesSent -= min(n*(12+frameSamples), s.stats.BytesSent)
			s.seq = next
			s.talking = false // what is played next starts a talkspurt (marker bit)
		}
	}
	return dropped
}

// Playing reports whether audio is queued.
func (s *Session) Playing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) > 0
}

// SendDTMF sends one key press as RFC 4733 events and waits until the last
// end packet has gone out.
func (s *Session) SendDTMF(digit rune, d time.Duration) error {
	if s.cfg.DTMFPayloadType == 0 {
		return errors.New("rtp session: no telephone-event payload type negotiated")
	}
	ev, ok := EventForDigit(digit)
	if !ok {
		return errors.New("rtp session: not a DTMF key")
	}
	if d < 40*time.Millisecond {
		d = 40 * time.Millisecond
	}
	job := &dtmfSend{event: ev, samples: int(d * time.Duration(s.cfg.Codec.ClockRate) / time.Second), done: make(chan struct{})}
	s.mu.Lock()
	s.dtmfQueue = append(s.dtmfQueue, job)
	s.mu.Unlock()
	select {
	case <-job.done:
		return nil
	case <-s.closed:
		return errors.New("rtp session closed")
	case <-time.After(d + 2*time.Second):
		return errors.New("rtp session: DTMF not sent (pacer stopped?)")
	}
}

// Stats returns the counters so far.
func (s *Session) Stats() SessionStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Jitter = s.jb.Stats()
	return st
}

// Close stops the session, frees the socket and finishes the recording.
func (s *Session) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		s.mu.Lock()
		registered, id := s.registered, s.pacerID
		s.mu.Unlock()
		if registered {
			s.cfg.Pacer.remove(id)
		}
		err = s.cfg.Conn.Close()
		s.mu.Lock()
		for _, p := range s.queue {
			p.finish()
		}
		s.queue = nil
		for _, j := range s.dtmfQueue {
			close(j.done)
		}
		s.dtmfQueue = nil
		s.mu.Unlock()
		if s.cfg.Recorder != nil {
			if rerr := s.cfg.Recorder.Close(); rerr != nil && err == nil {
				err = rerr
			}
		}
	})
	return err
}

// readLoop reads packets until the socket closes. Nothing a peer sends can
// stop it: bad packets are counted and dropped.
func (s *Session) readLoop() {
	buf := make([]byte, 1500)
	for {
		n, from, err := s.cfg.Conn.ReadFrom(buf)
		if err != nil {
			select {
			case <-s.closed:
			default:
				s.log.Warn("rtp receive stopped", "err", err)
			}
			return
		}
		s.handlePacket(buf[:n], from, time.Now())
	}
}

// handlePacket takes one datagram off the wire. Whatever it holds, it is
// either used or counted as garbage and dropped.
func (s *Session) handlePacket(b []byte, from net.Addr, now time.Time) {
	var ap netip.AddrPort
	if ua, ok := from.(*net.UDPAddr); ok {
		ap = addrPort(ua)
	}
	s.handleDatagram(b, ap, now)
}

// handleDatagram is handlePacket with the sender as an address value.
func (s *Session) handleDatagram(b []byte, from netip.AddrPort, now time.Time) {
	var p rtp.Packet
	// The jitter buffer keeps the packet, and pion/rtp's payload aliases
	// the input, so the read buffer cannot be reused under it.
	if err := p.Unmarshal(append([]byte(nil), b...)); err != nil || p.Version != 2 {
		s.mu.Lock()
		s.stats.Garbage++
		s.mu.Unlock()
		return
	}
	s.lastPacket.Store(now.UnixNano())
	var events []DTMFEvent
	s.mu.Lock()
	s.stats.PacketsReceived++
	s.stats.BytesReceived += uint64(len(b))
	if !s.remoteAP.IsValid() && from.IsValid() {
		// Symmetric RTP (RFC 4961): answer where the far end sends from.
		s.remoteAP = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	}
	switch {
	case p.PayloadType == s.cfg.Codec.PayloadType:
		s.jb.Push(&p, now)
		s.receiving = true
	case s.cfg.DTMFPayloadType != 0 && p.PayloadType == s.cfg.DTMFPayloadType:
		ev, err := ParseTelephoneEvent(p.Payload)
		if err != nil {
			s.stats.Garbage++
			break
		}
		// Events share the sequence space with audio (RFC 4733 section
		// 2.1): the jitter buffer must see them, or their numbers look
		// like losses. Playout turns them into silence.
		s.jb.push(&p, now, false)
		events = s.det.push(p.Timestamp, ev, now, s.cfg.Codec.ClockRate)
	case p.PayloadType == 13:
		// Comfort noise (RFC 3389): the far end is silent; not an error.
	default:
		s.stats.Garbage++
	}
	s.mu.Unlock()
	s.deliverDTMF(events...)
}

// deliverDTMF hands key presses to the reader; a reader that has not
// taken the last 16 presses loses new ones rather than stalling the media.
func (s *Session) deliverDTMF(events ...DTMFEvent) {
	for _, ev := range events {
		s.mu.Lock()
		s.stats.DTMFReceived++
		s.mu.Unlock()
		select {
		case s.dtmf <- ev:
		default:
			s.log.Warn("dtmf reader lagging: key press dropped")
		}
	}
}

// packet is the pacer's first call each tick: the packet due at due (made
// ahead of it for a sender thread), nil when there is nothing to send, with
// where it goes and the generation it is made in.
func (s *Session) packet(due time.Time, via *senderMember) ([]byte, netip.AddrPort, uint32) {
	s.mu.Lock()
	if via != nil {
		s.via = via
	}
	out, pkt := s.nextPacket(due)
	remote := s.remoteAP
	var gen uint32
	if s.via != nil {
		gen = s.via.gen
	}
	if pkt != nil && remote.IsValid() {
		s.stats.PacketsSent++
		s.stats.BytesSent += uint64(len(pkt))
	} else {
		pkt = nil
	}
	s.mu.Unlock()
	if out != nil && s.cfg.Recorder != nil {
		s.cfg.Recorder.WriteOut(out, due)
	}
	return pkt, remote, gen
}

// socket lets the pacer's sender thread write the session's packets.
func (s *Session) socket() net.PacketConn { return s.cfg.Conn }

// leaving forgets the sender thread's handle as the session leaves the
// pacer (the thread frees it).
func (s *Session) leaving() {
	s.mu.Lock()
	s.via = nil
	s.mu.Unlock()
}

// receive is the pacer's second call each tick: what arrived since the last
// tick into the jitter buffer, then one frame from it to the reader.
func (s *Session) receive(now time.Time) {
	if s.poller != nil {
		s.poller.read(s.onPacket)
	}
	s.mu.Lock()
	frame := s.playout(now)
	ev, pressed := s.det.tick(now, s.cfg.Codec.ClockRate)
	s.mu.Unlock()
	if pressed {
		s.deliverDTMF(ev)
	}
	if frame == nil {
		return
	}
	if s.cfg.Recorder != nil {
		s.cfg.Recorder.WriteIn(frame, now)
	}
	select {
	case s.frames <- frame:
	default:
		// The reader lags: drop the oldest frame, keep the newest.
		select {
		case <-s.frames:
		default:
		}
		select {
		case s.frames <- frame:
		default:
		}
		s.mu.Lock()
		s.stats.FramesDropped++
		s.mu.Unlock()
	}
}

// write sends one packet at once (the pacer's members without a sender
// thread); a UDP socket avoids the address conversion and allocation of the
// generic WriteTo.
func (s *Session) write(pkt []byte, to netip.AddrPort) error {
	err := s.writeTo(pkt, to)
	if err != nil {
		select {
		case <-s.closed:
		default:
			s.log.Debug("rtp send failed", "err", err)
		}
	}
	return err
}

func (s *Session) writeTo(pkt []byte, to netip.AddrPort) error {
	if uc, ok := s.cfg.Conn.(*net.UDPConn); ok {
		_, err := uc.WriteToUDPAddrPort(pkt, to)
		return err
	}
	_, err := s.cfg.Conn.WriteTo(pkt, net.UDPAddrFromAddrPort(to))
	return err
}

// nextPacket builds this tick's outgoing packet (DTMF first, then audio)
// and returns the audio it carries for the recording. Called with s.mu held.
func (s *Session) nextPacket(due time.Time) ([]int16, []byte) {
	defer func() { s.ts += frameSamples }() // the media clock runs through silence
	if len(s.dtmfQueue) > 0 {
		s.dtmfUntil = due
		return nil, s.dtmfPacket()
	}
	for len(s.queue) > 0 {
		p := s.queue[0]
		if p.off >= len(p.pcm) {
			p.finish()
			s.queue = s.queue[1:]
			continue
		}
		end := min(p.off+frameSamples, len(p.pcm))
		pcm := p.pcm[p.off:end]
		if len(pcm) < frameSamples || s.cfg.Recorder != nil {
			// The recorder keeps the frame, and a short tail is padded
			// with silence to a whole packet.
			pcm = append(make([]int16, 0, frameSamples), pcm...)
			pcm = pcm[:frameSamples]
		}
		p.off = end
		if p.first.Load() == 0 {
			p.first.Store(due.UnixNano())
		}
		marker := !s.talking // first packet of a talkspurt, RFC 3551 section 4.1
		s.talking = true
		s.encBuf = s.cfg.Codec.Encode(s.encBuf[:0], pcm)
		b := s.marshal(s.cfg.Codec.PayloadType, marker, s.ts, s.encBuf)
		if p.off >= len(p.pcm) {
			p.finishAt(due)
			s.queue = s.queue[1:]
		}
		return pcm, b
	}
	s.talking = false
	return nil, nil
}

// dtmfPacket sends the current key press: one event packet per tick with
// the event's start timestamp and growing duration, the first with the
// marker bit (RFC 4733 section 2.5.1.2), then the end packet on three
// ticks in a row so that one lost packet does not lose the end
// (section 2.5.1.4). Called with s.mu held.
func (s *Session) dtmfPacket() []byte {
	j := s.dtmfQueue[0]
	marker := false
	if !j.started {
		j.started, j.ts, marker = true, s.ts, true
	}
	if j.ends == 0 {
		j.sent = min(j.sent+frameSamples, j.samples, 0xffff)
	}
	ev := TelephoneEvent{Event: j.event, Volume: 10, Duration: uint16(j.sent)}
	if j.sent >= j.samples || j.sent == 0xffff {
		ev.End = true
		j.ends++
		if j.ends == 3 {
			close(j.done)
			s.dtmfQueue = s.dtmfQueue[1:]
			s.talking = false // audio after the key press starts a new talkspurt
		}
	}
	return s.marshal(s.cfg.DTMFPayloadType, marker, j.ts, ev.Marshal())
}

// marshal builds one packet in the session's send buffer, valid until the
// next call. Called with s.mu held.
func (s *Session) marshal(pt uint8, marker bool, ts uint32, payload []byte) []byte {
	h := rtp.Header{Version: 2, Marker: marker, PayloadType: pt, SequenceNumber: s.seq, Timestamp: ts, SSRC: s.ssrc}
	s.seq++
	n, err := h.MarshalTo(s.pktBuf[:cap(s.pktBuf)])
	if err != nil {
		return nil
	}
	s.pktBuf = append(s.pktBuf[:n], payload...)
	return s.pktBuf
}

// playout takes this tick's 20 ms frame from the jitter buffer. The far
// end may packetise differently (10 or 30 ms per packet despite ptime 20),
// so packets are decoded into a sample queue and each tick takes 160
// samples from it. Once the far end has sent anything a frame comes every
// tick, silence for losses and gaps, so the listener's clock keeps
// running. Called with s.mu held.
func (s *Session) playout(now time.Time) []int16 {
	if !s.receiving {
		return nil
	}
	for len(s.pending) < frameSamples {
		p, r := s.jb.Pop()
		if r == PopEmpty {
			break
		}
		if r == PopPacket && p.PayloadType == s.cfg.Codec.PayloadType && len(p.Payload) > 0 {
			s.pending = s.cfg.Codec.Decode(s.pending, p.Payload) // one byte per sample
			s.packetSamples = min(len(p.Payload), 8*frameSamples)
			continue
		}
		// A lost packet, or a key press in the audio's place: silence as
		// long as the packets have been.
		s.pending = append(s.pending, make([]int16, s.packetSamples)...)
	}
	out := make([]int16, frameSamples)
	n := copy(out, s.pending) // an underrun leaves the rest silent
	s.pending = append(s.pending[:0], s.pending[n:]...)
	return out
}
