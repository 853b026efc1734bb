package media

import (
	"math/bits"
	"slices"
)

// Codec is a G.711 RTP payload format as negotiated in SDP.
type Codec struct {
	Name        string // "PCMU" | "PCMA"
	PayloadType uint8
	ClockRate   int
}

// Static payload types from RFC 3551 section 6, table 4.
var (
	PCMU = Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000}
	PCMA = Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000}
)

// Encode appends the G.711 encoding of pcm to dst (one byte per sample).
func (c Codec) Encode(dst []byte, pcm []int16) []byte {
	dst = slices.Grow(dst, len(pcm))
	if c.Name == "PCMA" {
		for _, s := range pcm {
			dst = append(dst, EncodeAlaw(s))
		}
		return dst
	}
	for _, s := range pcm {
		dst = append(dst, EncodeMulaw(s))
	}
	return dst
}

// Decode appends the linear PCM of a G.711 payload to dst.
func (c Codec) Decode(dst []int16, payload []byte) []int16 {
	dst = slices.Grow(dst, len(payload))
	if c.Name == "PCMA" {
		for _, b := range payload {
			dst = append(dst, DecodeAlaw(b))
		}
		return dst
	}
	for _, b := range payload {
		dst = append(dst, DecodeMulaw(b))
	}
	return dst
}

// mulawBias is the µ-law bias in 16-bit units (33 in the Recommendation's
// 14-bit domain): it shifts the segment boundaries so segment 0 starts at 0.
const mulawBias = 0x84

// EncodeMulaw compresses one 16-bit sample to µ-law (G.711 section 3.2,
// table 2a). Like the Recommendation it works on the top 14 bits, and a
// negative sample takes its one's complement, so the decision levels for
// negative values sit one step from the positive ones as the table says.
func EncodeMulaw(s int16) byte {
	x := int(s)
	mask := byte(0xff) // every bit inverted on the wire, sign bit set for >= 0
	if x < 0 {
		x = ^x
		mask = 0x7f
	}
	v := min(x>>2+33, 0x1fff)
	seg := bits.Len(uint(v)) - 6 // v is 33..8191: 6..13 bits long
	return byte(seg<<4|(v>>(seg+1))&0x0f) ^ mask
}

// DecodeMulaw expands one µ-law byte to a 16-bit sample.
func DecodeMulaw(b byte) int16 {
	b = ^b
	exp := int(b>>4) & 0x07
	mant := int(b & 0x0f)
	v := ((mant << 3) + mulawBias) << exp
	v -= mulawBias
	if b&0x80 != 0 {
		return int16(-v)
	}
	return int16(v)
}

// EncodeAlaw compresses one 16-bit sample to A-law (G.711 section 3.4,
// table 1a), on the top 13 bits as the Recommendation does.
func EncodeAlaw(s int16) byte {
	v := int(s) >> 3
	mask := byte(0xd5) // even bits inverted on the wire, sign bit set for >= 0
	if v < 0 {
		v = -v - 1
		mask = 0x55
	}
	if v < 32 {
		return byte(v>>1) ^ mask // segment 0 is linear
	}
	v = min(v, 4095)
	seg := bits.Len(uint(v)) - 5 // v is 32..4095: segments 1..7
	return byte(seg<<4|(v>>seg)&0x0f) ^ mask
}

// DecodeAlaw expands one A-law byte to a 16-bit sample.
func DecodeAlaw(b byte) int16 {
	b ^= 0x55
	exp := int(b>>4) & 0x07
	mant := int(b & 0x0f)
	var v int
	if exp == 0 {
		v = mant<<4 + 8
	} else {
		v = (mant<<4 + 0x108) << (exp - 1)
	}
	if b&0x80 == 0 {
		return int16(-v)
	}
	return int16(v)
}
