package media

import (
	"encoding/binary"
	"errors"
	"time"
)

// TelephoneEvent is the payload of an RFC 4733 telephone-event packet
// (section 2.3): event code, end bit, volume in -dBm0 and duration in
// timestamp units.
type TelephoneEvent struct {
	Event    uint8
	End      bool
	Volume   uint8
	Duration uint16
}

// ErrShortEvent is returned for a telephone-event payload under 4 bytes.
var ErrShortEvent = errors.New("rfc4733: telephone-event payload shorter than 4 bytes")

// ParseTelephoneEvent decodes the first event of a telephone-event payload.
func ParseTelephoneEvent(p []byte) (TelephoneEvent, error) {
	if len(p) < 4 {
		return TelephoneEvent{}, ErrShortEvent
	}
	return TelephoneEvent{
		Event:    p[0],
		End:      p[1]&0x80 != 0,
		Volume:   p[1] & 0x3f,
		Duration: binary.BigEndian.Uint16(p[2:4]),
	}, nil
}

// Marshal encodes the event as a 4-byte payload.
func (e TelephoneEvent) Marshal() []byte {
	b := make([]byte, 4)
	b[0] = e.Event
	b[1] = e.Volume & 0x3f
	if e.End {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], e.Duration)
	return b
}

// DTMF event codes, RFC 4733 section 3.2: 0-9, *, #, A-D.
const dtmfDigits = "0123456789*#ABCD"

// DigitForEvent maps an event code to its key.
func DigitForEvent(ev uint8) (rune, bool) {
	if int(ev) < len(dtmfDigits) {
		return rune(dtmfDigits[ev]), true
	}
	return 0, false
}

// EventForDigit maps a key to its event code.
func EventForDigit(d rune) (uint8, bool) {
	if d >= 'a' && d <= 'd' {
		d -= 'a' - 'A'
	}
	for i, c := range dtmfDigits {
		if c == d {
			return uint8(i), true
		}
	}
	return 0, false
}

// DTMFEvent is one key press heard on the call.
type DTMFEvent struct {
	Digit    rune
	Duration time.Duration
	At       time.Time
}

// dtmfEndTimeout is how long a press whose end packets were all lost stays
// open before it is reported anyway. RFC 4733 section 2.5.1.3 has senders
// refresh an event at least every 50-100 ms (one packet per 20 ms here), so
// silence this long means the end was lost.
const dtmfEndTimeout = 200 * time.Millisecond

// dtmfDetector turns telephone-event packets into exactly one DTMFEvent per
// key press. A press is sent as many packets sharing one RTP timestamp (the
// start of the event, RFC 4733 section 2.5.1.2) with a growing duration, the
// end packet three times (section 2.5.1.4); any of them may be lost or
// repeated. A press is keyed by its timestamp and reported when its first
// end packet arrives, so the duration is the real one; if the end never
// comes it is reported when the next press starts or after dtmfEndTimeout.
// A press whose start packets were lost is still reported from whatever
// packet of it arrives.
type dtmfDetector struct {
	done [8]uint32 // timestamps of presses already reported (a tiny ring)
	nd   int

	open     bool // a press is in progress and not yet reported
	ts       uint32
	digit    rune
	duration uint16
	at       time.Time // when its first packet arrived
	last     time.Time // when its latest packet arrived
}

// push takes one telephone-event packet and reports up to two presses: an
// unfinished earlier one that this packet shows is over, and this one if
// the packet ends it.
func (d *dtmfDetector) push(ts uint32, ev TelephoneEvent, at time.Time, rate int) []DTMFEvent {
	if d.reported(ts) {
		return nil // a repeated end packet of a press already reported
	}
	digit, ok := DigitForEvent(ev.Event)
	if !ok {
		return nil // a tone event (fax, ring) that is not a key
	}
	var out []DTMFEvent
	if d.open && d.ts != ts {
		out = append(out, d.finish(rate))
	}
	if !d.open {
		d.open, d.ts, d.digit, d.duration, d.at = true, ts, digit, 0, at
	}
	d.last = at
	d.duration = max(d.duration, ev.Duration)
	if ev.End {
		out = append(out, d.finish(rate))
	}
	return out
}

// tick reports a press whose end packets were all lost.
func (d *dtmfDetector) tick(now time.Time, rate int) (DTMFEvent, bool) {
	if d.open && now.Sub(d.last) > dtmfEndTimeout {
		return d.finish(rate), true
	}
	return DTMFEvent{}, false
}

func (d *dtmfDetector) finish(rate int) DTMFEvent {
	d.open = false
	d.done[d.nd%len(d.done)] = d.ts
	d.nd++
	return DTMFEvent{Digit: d.digit, Duration: time.Duration(d.duration) * time.Second / time.Duration(max(rate, 1)), At: d.at}
}

func (d *dtmfDetector) reported(ts uint32) bool {
	for i := 0; i < min(d.nd, len(d.done)); i++ {
		if d.done[i] == ts {
			return true
		}
	}
	return false
}
