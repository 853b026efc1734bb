package sipua

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/vastaa/vastaa/media/sipua/sipptest"
)

// tone makes d of a sine at freq Hz, 8 kHz mono.
func tone(freq float64, d time.Duration) []int16 {
	n := int(d.Seconds() * 8000)
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(8000 * math.Sin(2*math.Pi*freq*float64(i)/8000))
	}
	return out
}

// toneShare is the fraction of the signal's energy at freq (Goertzel), near
// 1 for a clean tone, near 0 for silence or another frequency.
func toneShare(x []int16, freq float64) float64 {
	if len(x) == 0 {
		return 0
	}
	w := 2 * math.Pi * freq / 8000
	coeff := 2 * math.Cos(w)
	var s1, s2, total float64
	for _, v := range x {
		f := float64(v)
		s := f + coeff*s1 - s2
		s2, s1 = s1, s
		total += f * f
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2
	if total == 0 {
		return 0
	}
	return 2 * power / (float64(len(x)) * total)
}

// collect gathers received PCM until it has want samples whose tone share
// at freq is high, or the deadline passes; it returns the best share seen.
func collectTone(ctx context.Context, frames <-chan []int16, freq float64) float64 {
	var buf []int16
	best := 0.0
	for {
		select {
		case <-ctx.Done():
			return best
		case f, ok := <-frames:
			if !ok {
				return best
			}
			buf = append(buf, f...)
			if len(buf) >= 1600 { // 200 ms windows
				if s := toneShare(buf[len(buf)-1600:], freq); s > best {
					best = s
				}
				if best > 0.9 {
					return best
				}
			}
		}
	}
}

func TestToneShare(t *testing.T) {
	tests := []struct {
		name string
		x    []int16
		freq float64
		min  float64
		max  float64
	}{
		{"same tone", tone(1000, 200*time.Millisecond), 1000, 0.9, 1.01},
		{"other tone", tone(600, 200*time.Millisecond), 1000, 0, 0.05},
		{"silence", make([]int16, 1600), 1000, 0, 0},
	}
	for _, tc := range tests {
		if s := toneShare(tc.x, tc.freq); s < tc.min || s > tc.max {
			t.Errorf("%s: share %.3f outside [%.2f, %.2f]", tc.name, s, tc.min, tc.max)
		}
	}
}

func TestDialAudioAndDTMFBothWays(t *testing.T) {
	type result struct {
		share float64
		digit rune
	}
	fromCaller := make(chan result, 1)
	ts := startServer(t, Config{}, func(ctx context.Context, c *Call) {
		// The bot plays 600 Hz and sends DTMF 7 while listening for the caller.
		c.Media.Play(tone(600, 2*time.Second))
		lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		share := collectTone(lctx, c.Media.Frames(), 1000)
		if err := c.Media.SendDTMF('7', 120*time.Millisecond); err != nil {
			t.Errorf("bot SendDTMF: %v", err)
		}
		var digit rune
		select {
		case ev := <-c.Media.DTMF():
			digit = ev.Digit
		case <-lctx.Done():
		}
		fromCaller <- result{share, digit}
		<-ctx.Done()
	})
	c := dial(t, ts, "udp")
	c.Media.Play(tone(1000, 2*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	share := collectTone(ctx, c.Media.Frames(), 600)
	t.Logf("caller heard 600 Hz with share %.3f", share)
	if share < 0.8 {
		t.Errorf("caller heard the bot's 600 Hz tone with share %.2f", share)
	}
	if err := c.Media.SendDTMF('3', 120*time.Millisecond); err != nil {
		t.Fatalf("caller SendDTMF: %v", err)
	}
	select {
	case ev := <-c.Media.DTMF():
		if ev.Digit != '7' {
			t.Errorf("caller got DTMF %q, want 7", ev.Digit)
		}
	case <-ctx.Done():
		t.Error("caller got no DTMF from the bot")
	}
	r := waitFor(t, fromCaller, "bot result")
	t.Logf("bot heard 1000 Hz with share %.3f", r.share)
	if r.share < 0.8 {
		t.Errorf("bot heard the caller's 1000 Hz tone with share %.2f", r.share)
	}
	if r.digit != '3' {
		t.Errorf("bot got DTMF %q, want 3", r.digit)
	}
}

// TestSippDTMF0 is the scenario the end-to-end test uses: sipp offers
// telephone-event on 96 and sends "0"; the bot must hear it.
func TestSippDTMF0(t *testing.T) {
	sipptest.Require(t)
	digits := make(chan rune, 1)
	ts := startServer(t, Config{}, func(ctx context.Context, c *Call) {
		if c.DTMFPayloadType != 96 {
			t.Errorf("DTMF payload type %d, want 96", c.DTMFPayloadType)
		}
		select {
		case ev := <-c.Media.DTMF():
			digits <- ev.Digit
		case <-ctx.Done():
		}
		<-ctx.Done()
	})
	sipptest.RunT(t, sipptest.Options{Scenario: sipptest.Scenario("dtmf0.xml"), Target: ts.Addr()})
	select {
	case d := <-digits:
		if d != '0' {
			t.Errorf("digit %q, want 0", d)
		}
	default:
		t.Error("the bot heard no DTMF from sipp")
	}
	if c := waitFor(t, ts.ended, "call end"); c.EndReason() != EndCallerHangup {
		t.Errorf("end reason %q", c.EndReason())
	}
}
