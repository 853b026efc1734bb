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
	t0 := time.Now()
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	type pkt struct {
		at   int // ms after t0
		ts   uint32
		ev   TelephoneEvent
		want string // digits reported by this packet
	}
	cases := []struct {
		name    string
		pkts    []pkt
		tickAt  int    // a tick after the packets, ms after t0 (0: none)
		tickOut string // digits reported by that tick
		durMs   []int  // durations of all reported presses
	}{
		{
			name: "start, repeats, end three times",
			pkts: []pkt{
				{0, 1000, TelephoneEvent{Event: 5, Duration: 160}, ""},
				{20, 1000, TelephoneEvent{Event: 5, Duration: 320}, ""},
				{20, 1000, TelephoneEvent{Event: 5, Duration: 320}, ""}, // duplicated on the wire
				{40, 1000, TelephoneEvent{Event: 5, End: true, Duration: 800}, "5"},
				{41, 1000, TelephoneEvent{Event: 5, End: true, Duration: 800}, ""},
				{42, 1000, TelephoneEvent{Event: 5, End: true, Duration: 800}, ""},
			},
			durMs: []int{100},
		},
		{
			name: "start packets lost: only an end packet arrives",
			pkts: []pkt{
				{0, 5000, TelephoneEvent{Event: 0, End: true, Duration: 640}, "0"},
				{1, 5000, TelephoneEvent{Event: 0, End: true, Duration: 640}, ""},
			},
			durMs: []int{80},
		},
		{
			name: "all end packets lost: the next press closes it",
			pkts: []pkt{
				{0, 9000, TelephoneEvent{Event: 1, Duration: 160}, ""},
				{20, 9000, TelephoneEvent{Event: 1, Duration: 320}, ""},
				{300, 12000, TelephoneEvent{Event: 2, Duration: 160}, "1"},
				{320, 12000, TelephoneEvent{Event: 2, End: true, Duration: 480}, "2"},
			},
			durMs: []int{40, 60},
		},
		{
			name: "all end packets lost: the timeout closes it",
			pkts: []pkt{
				{0, 100, TelephoneEvent{Event: 11, Duration: 160}, ""},
				{20, 100, TelephoneEvent{Event: 11, Duration: 320}, ""},
			},
			tickAt: 20 + int(dtmfEndTimeout/time.Millisecond) + 5, tickOut: "#",
			durMs: []int{40},
		},
		{
			name: "still going: no timeout yet",
			pkts: []pkt{
				{0, 100, TelephoneEvent{Event: 11, Duration: 160}, ""},
			},
			tickAt: 50, tickOut: "",
		},
		{
			name: "tone events that are not keys are ignored",
			pkts: []pkt{
				{0, 100, TelephoneEvent{Event: 32, Duration: 160}, ""},
				{20, 100, TelephoneEvent{Event: 32, End: true, Duration: 320}, ""},
			},
			tickAt: 1000,
		},
		{
			name: "same key twice is two presses",
			pkts: []pkt{
				{0, 100, TelephoneEvent{Event: 7, End: true, Duration: 800}, "7"},
				{200, 2000, TelephoneEvent{Event: 7, End: true, Duration: 800}, "7"},
				{201, 100, TelephoneEvent{Event: 7, End: true, Duration: 800}, ""}, // very late retransmission
			},
			durMs: []int{100, 100},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d dtmfDetector
			var all []DTMFEvent
			for i, p := range c.pkts {
				got := d.push(p.ts, p.ev, ms(p.at), 8000)
				var digits string
				for _, e := range got {
					digits += string(e.Digit)
				}
				if digits != p.want {
					t.Fatalf("packet %d reported %q, want %q", i, digits, p.want)
				}
				all = append(all, got...)
			}
			if c.tickAt != 0 {
				ev, ok := d.tick(ms(c.tickAt), 8000)
				got := ""
				if ok {
					got = string(ev.Digit)
					all = append(all, ev)
				}
				if got != c.tickOut {
					t.Fatalf("tick reported %q, want %q", got, c.tickOut)
				}
			}
			if len(all) != len(c.durMs) {
				t.Fatalf("%d presses, want %d", len(all), len(c.durMs))
			}
			for i, e := range all {
				if e.Duration != time.Duration(c.durMs[i])*time.Millisecond {
					t.Errorf("press %d lasted %v, want %d ms", i, e.Duration, c.durMs[i])
				}
			}
			if len(all) > 0 && !all[0].At.Equal(ms(c.pkts[0].at)) {
				t.Errorf("press at %v, want its first packet's arrival", all[0].At.Sub(t0))
			}
		})
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
