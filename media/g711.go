package media

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

// Encode appends the G.711 encoding of pcm to dst.
func (c Codec) Encode(dst []byte, pcm []int16) []byte {
	for _, s := range pcm {
		if c.Name == "PCMA" {
			dst = append(dst, EncodeAlaw(s))
		} else {
			dst = append(dst, EncodeMulaw(s))
		}
	}
	return dst
}

// Decode appends the linear PCM of a G.711 payload to dst.
func (c Codec) Decode(dst []int16, payload []byte) []int16 {
	for _, b := range payload {
		if c.Name == "PCMA" {
			dst = append(dst, DecodeAlaw(b))
		} else {
			dst = append(dst, DecodeMulaw(b))
		}
	}
	return dst
}

const (
	mulawBias = 0x84 // 132: shifts the segment boundaries so segment 0 starts at 0
	mulawClip = 32635
)

// EncodeMulaw compresses one 16-bit sample to µ-law (G.711 section 3.2).
func EncodeMulaw(s int16) byte {
	v := int(s)
	sign := 0
	if v < 0 {
		v = -v
		sign = 0x80
	}
	if v > mulawClip {
		v = mulawClip
	}
	v += mulawBias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0f
	return ^byte(sign | exp<<4 | mant)
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

// EncodeAlaw compresses one 16-bit sample to A-law (G.711 section 3.4).
func EncodeAlaw(s int16) byte {
	v := int(s) >> 3 // A-law works on 13-bit magnitudes
	sign := 0x80
	if v < 0 {
		v = -v - 1
		sign = 0
	}
	var out int
	if v < 32 {
		out = v >> 1
	} else {
		exp := 1
		for t := v >> 5; t > 1 && exp < 7; t >>= 1 {
			exp++
		}
		if v >= 4096 {
			exp, v = 7, 4095
		}
		out = exp<<4 | (v>>exp)&0x0f
	}
	return byte(out|sign) ^ 0x55 // even bits inverted on the wire
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
