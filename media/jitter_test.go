package media

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

func pkt(seq uint16) *rtp.Packet {
	return &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: uint32(seq) * 160}, Payload: []byte{byte(seq)}}
}

func TestJitterBufferReordersAndCounts(t *testing.T) {
	j := NewJitterBuffer(60*time.Millisecond, 8000)
	now := time.Now()
	// 65534, 65535 then 1, 0 (reordered across the wrap), 2, dup 2, 4 (3 lost), 5, 6.
	for i, s := range []uint16{65534, 65535, 1, 0, 2, 2, 4, 5, 6} {
		j.Push(pkt(s), now.Add(time.Duration(i)*20*time.Millisecond))
	}
	var order []int
	for {
		p, r := j.Pop()
		if r == PopEmpty {
			break
		}
		if r == PopLost {
			order = append(order, -1)
			continue
		}
		order = append(order, int(p.SequenceNumber))
	}
	want := []int{65534, 65535, 0, 1, 2, -1, 4, 5, 6}
	if len(order) != len(want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
	// 3 arrives after its turn: late, dropped.
	j.Push(pkt(3), now)
	st := j.Stats()
	if st.Received != 8 || st.Duplicate != 1 || st.Lost != 1 || st.Late != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestJitterBufferWaitsBeforeDeclaringLoss(t *testing.T) {
	j := NewJitterBuffer(60*time.Millisecond, 8000)
	now := time.Now()
	j.Push(pkt(10), now)
	if _, r := j.Pop(); r != PopPacket {
		t.Fatal("first packet not played")
	}
	j.Push(pkt(12), now) // 11 is late, not yet lost
	if _, r := j.Pop(); r != PopEmpty {
		t.Fatal("gap declared lost too early")
	}
	j.Push(pkt(11), now) // arrives in time
	if p, r := j.Pop(); r != PopPacket || p.SequenceNumber != 11 {
		t.Fatal("late-but-in-time packet not played")
	}
}

func TestJitterBufferJitter(t *testing.T) {
	j := NewJitterBuffer(0, 8000)
	now := time.Now()
	// Packets every 20 ms of media arriving alternately 0 and 10 ms late:
	// the RFC 3550 estimate converges towards 10 ms.
	for i := 0; i < 400; i++ {
		late := time.Duration(i%2) * 10 * time.Millisecond
		j.Push(pkt(uint16(i)), now.Add(time.Duration(i)*20*time.Millisecond+late))
		j.Pop()
	}
	if js := j.Stats().JitterMs; js < 8 || js > 11 {
		t.Fatalf("jitter %.2f ms, want about 10", js)
	}
}

func TestJitterBufferResyncsOnJump(t *testing.T) {
	j := NewJitterBuffer(0, 8000)
	j.Push(pkt(100), time.Now())
	j.Pop()
	j.Push(pkt(30000), time.Now())
	if p, r := j.Pop(); r != PopPacket || p.SequenceNumber != 30000 {
		t.Fatal("no resync after a sequence jump")
	}
}

func FuzzJitterBuffer(f *testing.F) {
	f.Add([]byte{0, 1, 0, 3, 0, 2, 255, 255, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		j := NewJitterBuffer(60*time.Millisecond, 8000)
		now := time.Now()
		popped := 0
		for i := 0; i+1 < len(b); i += 2 {
			j.Push(pkt(uint16(b[i])<<8|uint16(b[i+1])), now)
			if _, r := j.Pop(); r == PopPacket {
				popped++
			}
			if len(j.buf) > 1001 {
				t.Fatalf("buffer grew to %d", len(j.buf))
			}
		}
		st := j.Stats()
		if uint64(popped) > st.Received {
			t.Fatalf("played %d of %d received", popped, st.Received)
		}
	})
}

func TestJitterBufferSilenceWhileWaitingCoversTheLoss(t *testing.T) {
	j := NewJitterBuffer(60*time.Millisecond, 8000)
	now := time.Now()
	steps := []struct {
		push []uint16
		want PopResult
		seq  uint16
	}{
		{[]uint16{0}, PopPacket, 0},
		{[]uint16{2, 3}, PopEmpty, 0}, // 1 missing: wait (the caller plays silence)
		{[]uint16{4}, PopPacket, 2},   // 1 declared lost; the silence already stood in for it
		{nil, PopPacket, 3},
		{nil, PopPacket, 4},
		{nil, PopEmpty, 0},
	}
	for i, st := range steps {
		for _, s := range st.push {
			j.Push(pkt(s), now)
		}
		p, r := j.Pop()
		if r != st.want || (r == PopPacket && p.SequenceNumber != st.seq) {
			t.Fatalf("step %d: %v %v, want %v seq %d", i, r, p, st.want, st.seq)
		}
	}
	if st := j.Stats(); st.Lost != 1 || st.Received != 4 {
		t.Fatalf("stats %+v", st)
	}
}

func TestJitterBufferBoundsDelay(t *testing.T) {
	j := NewJitterBuffer(60*time.Millisecond, 8000)
	now := time.Now()
	for s := uint16(0); s < 20; s++ { // a 400 ms burst
		j.Push(pkt(s), now)
	}
	p, r := j.Pop()
	if r != PopPacket || p.SequenceNumber != 11 {
		t.Fatalf("%v %v: want the burst cut to 9 packets (180 ms)", r, p)
	}
	if st := j.Stats(); st.Discarded != 11 || st.Lost != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func pkt10(seq uint16) *rtp.Packet {
	return &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: uint32(seq) * 80, SSRC: 1}, Payload: make([]byte, 80)}
}

// The bound is a duration: 10 ms packets (told by their timestamps) are
// held twice as many.
func TestJitterBufferBoundsDelayByDuration(t *testing.T) {
	j := NewJitterBuffer(60*time.Millisecond, 8000)
	now := time.Now()
	for s := uint16(0); s < 18; s++ { // 180 ms of 10 ms packets: within the bound
		j.Push(pkt10(s), now)
	}
	if p, r := j.Pop(); r != PopPacket || p.SequenceNumber != 0 {
		t.Fatalf("%v %v: 180 ms of 10 ms packets cut", r, p)
	}
	for s := uint16(18); s < 40; s++ { // now 390 ms queued
		j.Push(pkt10(s), now)
	}
	if p, r := j.Pop(); r != PopPacket || p.SequenceNumber != 22 {
		t.Fatalf("%v %v: want the queue cut to 18 packets (180 ms)", r, p)
	}
	if st := j.Stats(); st.Discarded != 21 {
		t.Fatalf("stats %+v", st)
	}
}

func TestJitterBufferEventsDoNotSkewJitter(t *testing.T) {
	j := NewJitterBuffer(0, 8000)
	now := time.Now()
	for i := 0; i < 100; i++ {
		p := pkt(uint16(i))
		at := now.Add(time.Duration(i) * 20 * time.Millisecond)
		if i >= 50 && i < 60 {
			p.Timestamp = 50 * 160 // one key press: every packet carries its start time
			j.push(p, at, false)
		} else {
			j.Push(p, at)
		}
		j.Pop()
	}
	if js := j.Stats().JitterMs; js > 0.5 {
		t.Fatalf("jitter %.2f ms on a perfectly timed stream", js)
	}
}

func TestJitterBufferFollowsNewSource(t *testing.T) {
	j := NewJitterBuffer(60*time.Millisecond, 8000)
	now := time.Now()
	for s := uint16(500); s < 503; s++ {
		j.Push(pkt(s), now)
		j.Pop()
	}
	// A new source whose numbers sit just behind the old ones: without
	// noticing the SSRC it would all look late.
	for s := uint16(480); s < 483; s++ {
		p := pkt(s)
		p.SSRC = 99
		j.Push(p, now)
	}
	// An event from a third source is kept out of the sequence space.
	ev := pkt(7)
	ev.SSRC = 1234
	j.push(ev, now, false)
	for want := uint16(480); want < 483; want++ {
		if p, r := j.Pop(); r != PopPacket || p.SequenceNumber != want || p.SSRC != 99 {
			t.Fatalf("got %v %v, want seq %d of the new source", r, p, want)
		}
	}
	if _, r := j.Pop(); r != PopEmpty {
		t.Fatal("foreign event played")
	}
	if st := j.Stats(); st.Late != 0 || st.Lost != 0 || st.Received != 6 {
		t.Fatalf("stats %+v", st)
	}
}
