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

// dtmfDetector turns telephone-event packets into one DTMFEvent per key
// press. A press is sent as many packets sharing one RTP timestamp (the
// start of the event, section 2.5.1.2), the end packet three times; any of
// them may be lost, so a press is reported on the first packet seen for a
// new timestamp and later packets with that timestamp are ignored.
type dtmfDetector struct {
	seen [8]uint32 // recent event timestamps (a tiny ring)
	n    int
}

func (d *dtmfDetector) push(ts uint32, ev TelephoneEvent, at time.Time, rate int) (DTMFEvent, bool) {
	for i := 0; i < min(d.n, len(d.seen)); i++ {
		if d.seen[i] == ts {
			return DTMFEvent{}, false
		}
	}
	digit, ok := DigitForEvent(ev.Event)
	if !ok {
		return DTMFEvent{}, false // a tone event (e.g. fax) that is not a key
	}
	d.seen[d.n%len(d.seen)] = ts
	d.n++
	return DTMFEvent{Digit: digit, Duration: time.Duration(ev.Duration) * time.Second / time.Duration(rate), At: at}, true
}
