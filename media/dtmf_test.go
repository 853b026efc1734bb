package media

import (
	"testing"
	"time"
)

func TestTelephoneEventRoundTrip(t *testing.T) {
	for _, e := range []TelephoneEvent{{Event: 0, Volume: 10, Duration: 160}, {Event: 11, End: true, Volume: 63, Duration: 65535}} {
		got, err := ParseTelephoneEvent(e.Marshal())
		if err != nil || got != e {
			t.Fatalf("%+v -> %+v %v", e, got, err)
		}
	}
	if _, err := ParseTelephoneEvent([]byte{1, 2, 3}); err == nil {
		t.Fatal("short payload accepted")
	}
}

func TestDigits(t *testing.T) {
	for i, d := range "0123456789*#ABCD" {
		ev, ok := EventForDigit(d)
		if !ok || int(ev) != i {
			t.Fatalf("%c -> %d", d, ev)
		}
		back, ok := DigitForEvent(ev)
		if !ok || back != d {
			t.Fatalf("%d -> %c", ev, back)
		}
	}
	if _, ok := EventForDigit('x'); ok {
		t.Fatal("x is not a key")
	}
	if _, ok := DigitForEvent(16); ok {
		t.Fatal("16 is not a key")
	}
}

func TestDTMFDetectorOnePerPress(t *testing.T) {
	var d dtmfDetector
	now := time.Now()
	type pkt struct {
		ts  uint32
		ev  TelephoneEvent
		out bool
	}
	seq := []pkt{
		{1000, TelephoneEvent{Event: 5, Duration: 160}, true},
		{1000, TelephoneEvent{Event: 5, Duration: 320}, false},
		{1000, TelephoneEvent{Event: 5, End: true, Duration: 800}, false},
		{1000, TelephoneEvent{Event: 5, End: true, Duration: 800}, false}, // retransmitted end
		// Next press: its first packets were lost, only an end packet arrives.
		{5000, TelephoneEvent{Event: 0, End: true, Duration: 800}, true},
		{5000, TelephoneEvent{Event: 0, End: true, Duration: 800}, false},
		{9000, TelephoneEvent{Event: 32, Duration: 160}, false}, // not a key
	}
	var got []rune
	for i, p := range seq {
		ev, ok := d.push(p.ts, p.ev, now, 8000)
		if ok != p.out {
			t.Fatalf("packet %d: reported %v, want %v", i, ok, p.out)
		}
		if ok {
			got = append(got, ev.Digit)
		}
	}
	if string(got) != "50" {
		t.Fatalf("digits %q, want 50", string(got))
	}
}

func FuzzParseTelephoneEvent(f *testing.F) {
	f.Add([]byte{0, 0x8a, 0, 160})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseTelephoneEvent(b)
		if err != nil {
			if len(b) >= 4 {
				t.Fatalf("4+ bytes rejected: %v", err)
			}
			return
		}
		back, err := ParseTelephoneEvent(e.Marshal())
		if err != nil || back != e {
			t.Fatalf("not stable: %+v -> %+v", e, back)
		}
	})
}
