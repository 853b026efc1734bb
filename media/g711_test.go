package media

import (
	"math"
	"testing"
)

func TestG711RoundTrip(t *testing.T) {
	for _, c := range []Codec{PCMU, PCMA} {
		t.Run(c.Name, func(t *testing.T) {
			for s := -32768; s <= 32767; s += 7 {
				got := c.Decode(nil, c.Encode(nil, []int16{int16(s)}))[0]
				// Companding error grows with amplitude: about 1/16 of the
				// value (4 mantissa bits), with a floor for small values.
				limit := math.Max(float64(abs(s))/15, 36)
				if s > 32635 || s < -32635 {
					limit = 1200 // clipping at full scale
				}
				if d := math.Abs(float64(int(got) - s)); d > limit {
					t.Fatalf("%s: %d -> %d (error %v > %v)", c.Name, s, got, d, limit)
				}
			}
			// Every code decodes and re-encodes to itself (the codec is idempotent).
			for b := 0; b < 256; b++ {
				v := c.Decode(nil, []byte{byte(b)})[0]
				again := c.Encode(nil, []int16{v})[0]
				if c.Decode(nil, []byte{again})[0] != v {
					t.Fatalf("%s: code %#x not stable", c.Name, b)
				}
			}
		})
	}
}

func TestG711KnownValues(t *testing.T) {
	cases := []struct {
		name string
		got  byte
		want byte
	}{
		{"mulaw 0", EncodeMulaw(0), 0xff},
		{"mulaw max", EncodeMulaw(32767), 0x80},
		{"mulaw min", EncodeMulaw(-32768), 0x00},
		{"mulaw -1 (negative zero)", EncodeMulaw(-1), 0x7f},
		{"mulaw 1000", EncodeMulaw(1000), 0xce},
		{"mulaw -1000", EncodeMulaw(-1000), 0x4e},
		{"alaw 0", EncodeAlaw(0), 0xd5},
		{"alaw -1", EncodeAlaw(-1), 0x55},
		{"alaw 1000", EncodeAlaw(1000), 0xfa},
		{"alaw -1000", EncodeAlaw(-1000), 0x7a},
		{"alaw max", EncodeAlaw(32767), 0xaa},
		{"alaw min", EncodeAlaw(-32768), 0x2a},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s = %#x, want %#x", c.name, c.got, c.want)
		}
	}
}

func TestG711SineSNR(t *testing.T) {
	for _, c := range []Codec{PCMU, PCMA} {
		pcm := sine(1000, 8000, 8000, 0.5)
		dec := c.Decode(nil, c.Encode(nil, pcm))
		if snr := snrDB(pcm, dec); snr < 30 {
			t.Errorf("%s SNR %.1f dB, want > 30", c.Name, snr)
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sine(freq float64, rate, n int, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return out
}

func snrDB(ref, got []int16) float64 {
	var sig, noise float64
	for i := range ref {
		if i >= len(got) {
			break
		}
		d := float64(ref[i]) - float64(got[i])
		sig += float64(ref[i]) * float64(ref[i])
		noise += d * d
	}
	if noise == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(sig/noise)
}

// refMulaw and refAlaw encode by searching the segment end points of
// G.711 tables 1a and 2a (in the 14-bit and 13-bit domains the
// Recommendation uses) rather than by bit tricks, as an independent check
// of EncodeMulaw and EncodeAlaw.
func refMulaw(s int16) byte {
	v := int(s) >> 2 // 14-bit
	mask := byte(0xff)
	if v < 0 {
		v = -v - 1
		mask = 0x7f
	}
	v += 33 // bias in 14-bit units
	if v > 0x1fff {
		v = 0x1fff
	}
	ends := []int{0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff}
	seg := 0
	for seg < 8 && v > ends[seg] {
		seg++
	}
	return byte(seg<<4|(v>>(seg+1))&0x0f) ^ mask
}

func refAlaw(s int16) byte {
	v := int(s) >> 3 // 13-bit
	mask := byte(0xd5)
	if v < 0 {
		v = -v - 1
		mask = 0x55
	}
	ends := []int{0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff}
	seg := 0
	for seg < 8 && v > ends[seg] {
		seg++
	}
	if seg >= 8 {
		return 0x7f ^ mask
	}
	shift := max(seg, 1)
	return byte(seg<<4|(v>>shift)&0x0f) ^ mask
}

func TestG711MatchesSegmentTables(t *testing.T) {
	for s := -32768; s <= 32767; s++ {
		v := int16(s)
		if got, want := EncodeAlaw(v), refAlaw(v); got != want {
			t.Fatalf("A-law %d: %#x, table says %#x", s, got, want)
		}
		if got, want := EncodeMulaw(v), refMulaw(v); got != want {
			t.Fatalf("µ-law %d: %#x, table says %#x", s, got, want)
		}
	}
}

func BenchmarkG711(b *testing.B) {
	frame := sine(440, 8000, 160, 0.5)
	for _, c := range []Codec{PCMU, PCMA} {
		b.Run(c.Name+"/encode", func(b *testing.B) {
			buf := make([]byte, 0, 160)
			for b.Loop() {
				buf = c.Encode(buf[:0], frame)
			}
		})
		enc := c.Encode(nil, frame)
		b.Run(c.Name+"/decode", func(b *testing.B) {
			out := make([]int16, 0, 160)
			for b.Loop() {
				out = c.Decode(out[:0], enc)
			}
		})
	}
}
