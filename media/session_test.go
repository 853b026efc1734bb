package media

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pion/rtp"
)

type legPair struct {
	a, b  *Session
	pacer *Pacer
}

func newPair(t *testing.T, codec Codec, dtmfPT uint8, rec *Recorder) legPair {
	t.Helper()
	ca, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cb, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pacer := NewPacer(20 * time.Millisecond)
	pacer.Start(ctx)
	t.Cleanup(pacer.Stop)
	a, err := NewSession(SessionConfig{Conn: ca, Remote: cb.LocalAddr().(*net.UDPAddr), Codec: codec, DTMFPayloadType: dtmfPT, Pacer: pacer})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSession(SessionConfig{Conn: cb, Remote: ca.LocalAddr().(*net.UDPAddr), Codec: codec, DTMFPayloadType: dtmfPT, Pacer: pacer, Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	a.Start(ctx)
	b.Start(ctx)
	t.Cleanup(func() { a.Close(); b.Close() })
	return legPair{a, b, pacer}
}

// collectUntil reads frames from s until stop is closed and returns them
// joined.
func collectUntil(s *Session, stop <-chan struct{}) []int16 {
	var out []int16
	for {
		select {
		case f := <-s.Frames():
			out = append(out, f...)
		case <-stop:
			return out
		}
	}
}

// collect reads frames from s for d and returns them joined.
func collect(s *Session, d time.Duration) []int16 {
	var out []int16
	deadline := time.After(d)
	for {
		select {
		case f := <-s.Frames():
			out = append(out, f...)
		case <-deadline:
			return out
		}
	}
}

// bestSNR aligns got against ref (the network adds a delay) and returns the
// SNR at the best offset.
func bestSNR(ref, got []int16) float64 {
	best := -100.0
	for off := 0; off+len(ref) <= len(got); off += 1 {
		if s := snrDB(ref, got[off:off+len(ref)]); s > best {
			best = s
		}
		if best > 30 {
			break
		}
	}
	return best
}

func TestSessionAudioBothWays(t *testing.T) {
	for _, codec := range []Codec{PCMU, PCMA} {
		t.Run(codec.Name, func(t *testing.T) {
			p := newPair(t, codec, 101, nil)
			tone := sine(1000, 8000, 8000, 0.5)
			pbA := p.a.Play(tone)
			pbB := p.b.Play(sine(440, 8000, 8000, 0.5))
			gotB := collect(p.b, 1500*time.Millisecond)
			gotA := collect(p.a, 200*time.Millisecond)
			<-pbA.Done()
			<-pbB.Done()
			if pbA.FirstPacketAt().IsZero() {
				t.Fatal("first packet time not set")
			}
			ref := tone[800:1600] // skip the first 100 ms (start-up of both clocks)
			if snr := bestSNR(ref, gotB); snr < 30 {
				t.Errorf("a->b SNR %.1f dB, want > 30", snr)
			}
			if len(gotA) == 0 {
				t.Error("b->a: nothing received")
			}
			st := p.b.Stats()
			if st.Jitter.Received < 45 || st.PacketsSent < 45 || st.Garbage != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestSessionRTPHeaders(t *testing.T) {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	out, _ := net.ListenPacket("udp", "127.0.0.1:0")
	pacer := NewPacer(20 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pacer.Start(ctx)
	defer pacer.Stop()
	s, _ := NewSession(SessionConfig{Conn: out, Remote: conn.LocalAddr().(*net.UDPAddr), Codec: PCMU, Pacer: pacer})
	s.Start(ctx)
	defer s.Close()
	s.Play(make([]int16, 3*160))
	var pkts []rtp.Packet
	buf := make([]byte, 1500)
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	for len(pkts) < 3 {
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		var p rtp.Packet
		if err := p.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, p)
	}
	time.Sleep(100 * time.Millisecond) // silence: nothing sent, clock runs on
	s.Play(make([]int16, 160))
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _, err := conn.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	var next rtp.Packet
	next.Unmarshal(buf[:n])
	pkts = append(pkts, next)

	if !pkts[0].Marker || pkts[1].Marker || pkts[2].Marker || !pkts[3].Marker {
		t.Errorf("marker bits %v %v %v %v, want talkspurt starts only", pkts[0].Marker, pkts[1].Marker, pkts[2].Marker, pkts[3].Marker)
	}
	for i := 1; i < 4; i++ {
		if pkts[i].SequenceNumber != pkts[i-1].SequenceNumber+1 || pkts[i].SSRC != pkts[0].SSRC || len(pkts[i].Payload) != 160 {
			t.Errorf("packet %d: seq %d ssrc %x len %d", i, pkts[i].SequenceNumber, pkts[i].SSRC, len(pkts[i].Payload))
		}
	}
	if pkts[1].Timestamp-pkts[0].Timestamp != 160 || pkts[2].Timestamp-pkts[1].Timestamp != 160 {
		t.Error("timestamps do not advance by 160 per packet")
	}
	if gap := pkts[3].Timestamp - pkts[2].Timestamp; gap < 160*4 {
		t.Errorf("timestamp gap %d over 100 ms of silence, want it to reflect the elapsed time", gap)
	}
}

func TestSessionDTMFBothWays(t *testing.T) {
	p := newPair(t, PCMU, 101, nil)
	p.b.Play(sine(440, 8000, 16000, 0.3)) // audio flowing at the same time
	for _, d := range "05#" {
		if err := p.a.SendDTMF(d, 100*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.b.SendDTMF('*', 60*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	var gotB []rune
	for len(gotB) < 3 {
		select {
		case ev := <-p.b.DTMF():
			gotB = append(gotB, ev.Digit)
		case <-time.After(2 * time.Second):
			t.Fatalf("b heard %q, want 05#", string(gotB))
		}
	}
	if string(gotB) != "05#" {
		t.Fatalf("b heard %q, want 05#", string(gotB))
	}
	select {
	case ev := <-p.a.DTMF():
		if ev.Digit != '*' {
			t.Fatalf("a heard %c", ev.Digit)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a heard no DTMF")
	}
	select {
	case ev := <-p.b.DTMF():
		t.Fatalf("extra DTMF %c (end packets counted twice?)", ev.Digit)
	case <-time.After(200 * time.Millisecond):
	}
	if err := p.a.SendDTMF('x', time.Second); err == nil {
		t.Fatal("non-key accepted")
	}
}

func TestSessionStopPlaybackWithinATick(t *testing.T) {
	p := newPair(t, PCMU, 0, nil)
	pb := p.a.Play(sine(440, 8000, 8000*5, 0.5))
	time.Sleep(200 * time.Millisecond)
	if !p.a.Playing() {
		t.Fatal("not playing")
	}
	dropped := p.a.StopPlayback()
	sentAtStop := p.a.Stats().PacketsSent
	if dropped < 200 || !pb.Stopped() || p.a.Playing() {
		t.Fatalf("dropped %d frames, stopped %v", dropped, pb.Stopped())
	}
	select {
	case <-pb.Done():
	default:
		t.Fatal("stopped playback not done")
	}
	// StopPlayback and the tick's packet making share the session lock,
	// so not one more packet is made once it has returned (the one made a
	// tick ahead for the sender thread may still leave).
	time.Sleep(100 * time.Millisecond)
	if sent := p.a.Stats().PacketsSent - sentAtStop; sent != 0 {
		t.Fatalf("%d packets sent after StopPlayback", sent)
	}
	// The far end hears silence once what was already on its way has
	// played: at most its jitter buffer, the frames waiting for this
	// reader and a packet in flight.
	after := collect(p.b, 600*time.Millisecond)
	audible := 0
	for i := 0; i+frameSamples <= len(after); i += frameSamples {
		if rms(after[i:i+frameSamples]) > 10 {
			audible++
		}
	}
	if n := len(after); n < 10*frameSamples || rms(after[n-5*frameSamples:]) > 10 || audible > 30 {
		t.Fatalf("after barge-in the far end heard %d audible frames of %d, tail rms %.0f",
			audible, n/frameSamples, rms(after[max(0, n-5*frameSamples):]))
	}
}

func TestSessionSurvivesGarbage(t *testing.T) {
	p := newPair(t, PCMU, 101, nil)
	raw, err := net.Dial("udp", p.b.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	bad := [][]byte{
		{}, {0x80}, []byte("definitely not rtp"),
		{0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1},           // version 1
		{0x80, 18, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3}, // G.729, not negotiated
		{0x80, 101, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1},      // telephone-event too short
		{0x8f, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1},           // CSRC count beyond the packet
	}
	for _, b := range bad {
		raw.Write(b)
	}
	p.a.Play(sine(1000, 8000, 4000, 0.5))
	got := collect(p.b, 800*time.Millisecond)
	if rms(got) < 1000 {
		t.Fatal("audio after garbage not received")
	}
	if g := p.b.Stats().Garbage; g < 6 {
		t.Fatalf("garbage counted %d, want >= 6", g)
	}
}

func TestRecorderAlignsBothDirections(t *testing.T) {
	path := filepath.Join(t.TempDir(), "call.wav")
	rec, err := NewRecorder(path)
	if err != nil {
		t.Fatal(err)
	}
	p := newPair(t, PCMU, 0, rec)
	// The far end (a) talks first; the bot (b) answers 500 ms later.
	p.a.Play(sine(1000, 8000, 4000, 0.5))
	time.Sleep(1000 * time.Millisecond)
	p.b.Play(sine(500, 8000, 4000, 0.5))
	time.Sleep(800 * time.Millisecond)
	p.b.Close()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Read raw stereo: ReadWAV mixes down, so parse the two channels here.
	hdr := make([]byte, 44)
	f.Read(hdr)
	data, _ := os.ReadFile(path)
	data = data[44:]
	var left, right []int16
	for i := 0; i+3 < len(data); i += 4 {
		left = append(left, int16(uint16(data[i])|uint16(data[i+1])<<8))
		right = append(right, int16(uint16(data[i+2])|uint16(data[i+3])<<8))
	}
	onset := func(ch []int16) int {
		for i := 0; i+160 <= len(ch); i += 160 {
			if rms(ch[i:i+160]) > 3000 {
				return i
			}
		}
		return -1
	}
	l, r := onset(left), onset(right)
	if l < 0 || r < 0 {
		t.Fatalf("onsets %d %d: a channel is silent", l, r)
	}
	// Right starts about 1 s after left (minus network and jitter-buffer delay).
	gap := float64(r-l) / 8000
	// Appended without regard to time the two would start together;
	// network and jitter-buffer delay and a busy machine blur the second.
	if gap < 0.7 || gap > 1.5 {
		t.Fatalf("bot audio starts %.2f s after caller audio, want about 1 s", gap)
	}
}

// TestSessionReordersLosesAndDetectsDTMF feeds a session crafted RTP over
// UDP: audio and telephone events in one sequence space, sent in swapped
// pairs, with audio and event packets lost and end packets repeated.
func TestSessionReordersLosesAndDetectsDTMF(t *testing.T) {
	s, rx, tx := rawLeg(t, SessionConfig{Codec: PCMU, DTMFPayloadType: 101}, true)

	const base = 65500 // the stream wraps its sequence number
	lost := map[int]bool{10: true, 20: true, 21: true, 45: true}
	var pkts []rtp.Packet
	for i := 0; i < 60; i++ {
		h := rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(base + i), Timestamp: uint32(i * 160), SSRC: 7}
		var payload []byte
		switch {
		case i >= 20 && i <= 26: // key 7: start packets lost, end sent three times
			h.PayloadType, h.Timestamp = 101, 20*160
			ev := TelephoneEvent{Event: 7, Volume: 10, Duration: uint16((i - 19) * 160)}
			if i >= 24 {
				ev.End, ev.Duration = true, 5*160
			}
			payload = ev.Marshal()
		case i >= 30 && i <= 36: // key 3: complete
			h.PayloadType, h.Timestamp, h.Marker = 101, 30*160, i == 30
			ev := TelephoneEvent{Event: 3, Volume: 10, Duration: uint16((i - 29) * 160)}
			if i >= 34 {
				ev.End, ev.Duration = true, 5*160
			}
			payload = ev.Marshal()
		default:
			payload = bytes.Repeat([]byte{byte(0x80 + i)}, 160)
		}
		if !lost[i] {
			pkts = append(pkts, rtp.Packet{Header: h, Payload: payload})
		}
	}
	dst := rx.LocalAddr().(*net.UDPAddr)
	got := make(chan []int16)
	sent := make(chan struct{})
	go func() { got <- collectUntil(s, sent) }()
	start := time.Now()
	for i := 0; i < len(pkts); i += 2 {
		for _, k := range []int{i + 1, i} { // each pair swapped
			if k < len(pkts) {
				b, _ := pkts[k].Marshal()
				tx.WriteToUDP(b, dst)
			}
		}
		time.Sleep(time.Until(start.Add(time.Duration(i/2+1) * 40 * time.Millisecond)))
	}
	time.Sleep(300 * time.Millisecond) // let the jitter buffer play out
	close(sent)
	frames := <-got

	var ids []int
	for f := 0; f+frameSamples <= len(frames); f += frameSamples {
		if v := frames[f]; v != 0 {
			id := -1
			for i := 0; i < 60; i++ {
				if DecodeMulaw(byte(0x80+i)) == v {
					id = i
				}
			}
			ids = append(ids, id)
		}
	}
	var want []int
	for i := 0; i < 60; i++ {
		if !lost[i] && (i < 20 || i > 26) && (i < 30 || i > 36) {
			want = append(want, i)
		}
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Fatalf("audio frames played %v\nwant %v", ids, want)
	}
	var digits string
	for len(digits) < 2 {
		select {
		case ev := <-s.DTMF():
			digits += string(ev.Digit)
			if ev.Duration != 100*time.Millisecond {
				t.Errorf("key %c lasted %v, want 100ms", ev.Digit, ev.Duration)
			}
		case <-time.After(time.Second):
			t.Fatalf("keys %q, want 73", digits)
		}
	}
	select {
	case ev := <-s.DTMF():
		t.Fatalf("key %c reported twice", ev.Digit)
	case <-time.After(100 * time.Millisecond):
	}
	if digits != "73" {
		t.Fatalf("keys %q, want 73", digits)
	}
	st := s.Stats()
	if st.Jitter.Lost != uint64(len(lost)) || st.Jitter.Received != uint64(len(pkts)) || st.Garbage != 0 || st.DTMFReceived != 2 {
		t.Fatalf("stats %+v, want %d lost of %d", st, len(lost), len(pkts))
	}
}

// FuzzSessionReceive throws arbitrary datagrams at the receive path: each
// is used or counted as garbage, and playout keeps producing whole frames.
func FuzzSessionReceive(f *testing.F) {
	good, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: 1, Timestamp: 160, SSRC: 1}, Payload: make([]byte, 160)}).Marshal()
	ev, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, SequenceNumber: 2, Timestamp: 160, SSRC: 1}, Payload: TelephoneEvent{Event: 1, End: true, Duration: 800}.Marshal()}).Marshal()
	f.Add(good)
	f.Add(ev)
	f.Add([]byte{0x8f, 0, 0, 1})
	f.Add([]byte{0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0xff, 0xff})
	pacer := NewPacer(20 * time.Millisecond) // never started: the test drives the ticks
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := NewSession(SessionConfig{Conn: nullConn{}, Codec: PCMU, DTMFPayloadType: 101, Pacer: pacer})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		from := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
		now := time.Now()
		for i := 0; i < 3; i++ {
			s.handlePacket(b, from, now)
			s.handlePacket(good, from, now)
			s.receive(now)
			now = now.Add(20 * time.Millisecond)
		}
		for len(s.frames) > 0 {
			if fr := <-s.frames; len(fr) != frameSamples {
				t.Fatalf("frame of %d samples", len(fr))
			}
		}
		st := s.Stats()
		if st.Jitter.Received+st.Jitter.Duplicate+st.Jitter.Late+st.Garbage == 0 {
			t.Fatal("packets neither used nor counted")
		}
	})
}

func TestSessionSendDTMFWire(t *testing.T) {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	out, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pacer := NewPacer(20 * time.Millisecond)
	pacer.Start(ctx)
	defer pacer.Stop()
	s, err := NewSession(SessionConfig{Conn: out, Remote: conn.LocalAddr().(*net.UDPAddr), Codec: PCMA, DTMFPayloadType: 96, Pacer: pacer})
	if err != nil {
		t.Fatal(err)
	}
	s.Start(ctx)
	defer s.Close()
	if err := s.SendDTMF('9', 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	s.Play(make([]int16, 160))
	var pkts []rtp.Packet
	buf := make([]byte, 1500)
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	for len(pkts) < 8 {
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			t.Fatalf("after %d packets: %v", len(pkts), err)
		}
		var p rtp.Packet
		if err := p.Unmarshal(append([]byte(nil), buf[:n]...)); err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, p)
	}
	// 100 ms: 5 event packets (the last one the first end), 2 more ends, then audio.
	for i, p := range pkts[:7] {
		ev, err := ParseTelephoneEvent(p.Payload)
		if err != nil || p.PayloadType != 96 || ev.Event != 9 {
			t.Fatalf("packet %d: pt %d event %+v %v", i, p.PayloadType, ev, err)
		}
		if p.Marker != (i == 0) || p.Timestamp != pkts[0].Timestamp || p.SequenceNumber != pkts[0].SequenceNumber+uint16(i) {
			t.Errorf("packet %d: marker %v ts %d seq %d", i, p.Marker, p.Timestamp, p.SequenceNumber)
		}
		wantDur := uint16(min(i+1, 5) * 160)
		if ev.End != (i >= 4) || ev.Duration != wantDur {
			t.Errorf("packet %d: end %v duration %d, want %v %d", i, ev.End, ev.Duration, i >= 4, wantDur)
		}
	}
	if a := pkts[7]; a.PayloadType != 8 || !a.Marker || a.Timestamp != pkts[0].Timestamp+7*160 {
		t.Errorf("audio after the key: pt %d marker %v ts +%d", a.PayloadType, a.Marker, a.Timestamp-pkts[0].Timestamp)
	}
	if err := (&Session{cfg: SessionConfig{Codec: PCMU}}).SendDTMF('1', time.Second); err == nil {
		t.Error("DTMF sent without a negotiated payload type")
	}
}

// TestSessionOtherPacketSizes checks that a far end sending 10 or 30 ms
// per packet is heard whole, re-cut into 20 ms frames.
func TestSessionOtherPacketSizes(t *testing.T) {
	for _, ptime := range []int{10, 30} {
		t.Run(fmt.Sprintf("%dms", ptime), func(t *testing.T) {
			s, rx, tx := rawLeg(t, SessionConfig{Codec: PCMU}, false)

			tone := sine(700, 8000, 8000, 0.5)
			per := 8 * ptime
			got := make(chan []int16)
			sent := make(chan struct{})
			go func() { got <- collectUntil(s, sent) }()
			start := time.Now()
			ahead := 60 / ptime
			for i := 0; (i+1)*per <= len(tone); i++ {
				// 60 ms ahead of time, so scheduling hiccups in the test
				// do not underrun the receiver.
				if wait := time.Until(start.Add(time.Duration(i-ahead) * time.Duration(ptime) * time.Millisecond)); wait > 0 {
					time.Sleep(wait)
				}
				p := rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(i), Timestamp: uint32(i * per), SSRC: 5},
					Payload: PCMU.Encode(nil, tone[i*per:(i+1)*per])}
				b, _ := p.Marshal()
				tx.WriteToUDP(b, rx.LocalAddr().(*net.UDPAddr))
			}
			time.Sleep(300 * time.Millisecond)
			close(sent)
			frames := <-got
			if snr := bestSNR(tone[2000:6000], frames); snr < 30 {
				t.Fatalf("SNR %.1f dB over %d samples, want > 30 (audio cut or stretched)", snr, len(frames))
			}
			if st := s.Stats(); st.Jitter.Lost != 0 || st.Jitter.Discarded != 0 {
				t.Fatalf("stats %+v", st.Jitter)
			}
		})
	}
}

func TestSessionStartCloseRace(t *testing.T) {
	pacer := NewPacer(20 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := 0; i < 50; i++ {
		conn, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewSession(SessionConfig{Conn: conn, Codec: PCMU, Pacer: pacer})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { s.Close(); close(done) }()
		s.Start(ctx)
		<-done
		s.Close()
	}
	for _, sh := range pacer.shards {
		if len(sh.members) != 0 {
			t.Fatalf("%d closed sessions still on the pacer", len(sh.members))
		}
	}
	if _, err := NewSession(SessionConfig{Codec: PCMU, Pacer: pacer}); err == nil {
		t.Error("session without a socket")
	}
	conn, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer conn.Close()
	if _, err := NewSession(SessionConfig{Conn: conn, Codec: Codec{Name: "G729", PayloadType: 18, ClockRate: 8000}, Pacer: pacer}); err == nil {
		t.Error("session with a codec it cannot encode")
	}
}

// TestSessionSlowReaderLosesOldestFrames drives the receive side by hand
// (no clock): a reader that falls more than a second behind finds the
// newest audio waiting, not the oldest.
func TestSessionSlowReaderLosesOldestFrames(t *testing.T) {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(SessionConfig{Conn: conn, Codec: PCMU, Pacer: NewPacer(0)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	from := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	now := time.Now()
	const n = framesBuffer + 10
	for i := 0; i < n; i++ {
		b, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(i), Timestamp: uint32(i * 160), SSRC: 3},
			Payload: bytes.Repeat([]byte{byte(0x80 + i)}, 160)}).Marshal()
		s.handlePacket(b, from, now)
		s.receive(now)
		now = now.Add(20 * time.Millisecond)
	}
	if got := s.Stats().FramesDropped; got != n-framesBuffer {
		t.Fatalf("dropped %d frames, want %d", got, n-framesBuffer)
	}
	first := <-s.Frames()
	if want := DecodeMulaw(byte(0x80 + n - framesBuffer)); first[0] != want {
		t.Fatalf("oldest frame kept is %d, want %d (frame %d)", first[0], want, n-framesBuffer)
	}
	if got := s.LastPacketAt(); got.IsZero() || s.Stats().PacketsReceived != n {
		t.Fatalf("last packet %v, received %d", got, s.Stats().PacketsReceived)
	}
}

// nullConn is a socket that is never read (the fuzz target feeds the
// receive path directly) and swallows writes.
type nullConn struct{}

func (nullConn) ReadFrom([]byte) (int, net.Addr, error)    { return 0, nil, net.ErrClosed }
func (nullConn) WriteTo(b []byte, _ net.Addr) (int, error) { return len(b), nil }
func (nullConn) Close() error                              { return nil }
func (nullConn) LocalAddr() net.Addr                       { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)} }
func (nullConn) SetDeadline(time.Time) error               { return nil }
func (nullConn) SetReadDeadline(time.Time) error           { return nil }
func (nullConn) SetWriteDeadline(time.Time) error          { return nil }

// rawLeg starts a session on a loopback socket (rx) fed by a plain UDP
// socket (tx) the test writes crafted packets to; with knowsRemote the
// session sends to tx, else it learns the far end from the first packet.
// Everything is closed when the test ends.
func rawLeg(t *testing.T, cfg SessionConfig, knowsRemote bool) (*Session, net.PacketConn, *net.UDPConn) {
	t.Helper()
	rx, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pacer := NewPacer(20 * time.Millisecond)
	pacer.Start(ctx)
	t.Cleanup(pacer.Stop)
	cfg.Conn, cfg.Pacer = rx, pacer
	if knowsRemote {
		cfg.Remote = tx.LocalAddr().(*net.UDPAddr)
	}
	s, err := NewSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(ctx)
	t.Cleanup(func() { s.Close() })
	return s, rx, tx
}
