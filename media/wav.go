package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// WAV format tags (RIFF WAVE fmt chunk).
const (
	wavPCM        = 1
	wavAlaw       = 6
	wavMulaw      = 7
	wavExtensible = 0xfffe
)

// maxWAVBytes bounds how much audio ReadWAV will hold (about 30 minutes
// of 16 kHz stereo), so a lying header cannot exhaust memory.
const maxWAVBytes = 128 << 20

// ReadWAV reads a RIFF WAVE file of 16-bit or 8-bit PCM, µ-law or A-law and
// returns mono linear PCM (channels averaged) and its sample rate.
func ReadWAV(r io.Reader) ([]int16, int, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, 0, fmt.Errorf("wav: reading RIFF header: %w", err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, 0, errors.New("wav: not a RIFF WAVE file")
	}
	var (
		format, channels, bits uint16
		rate                   uint32
		haveFmt                bool
	)
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return nil, 0, fmt.Errorf("wav: no data chunk: %w", err)
		}
		id := string(ch[0:4])
		size := binary.LittleEndian.Uint32(ch[4:8])
		switch id {
		case "fmt ":
			if size < 16 || size > 1024 {
				return nil, 0, fmt.Errorf("wav: fmt chunk of %d bytes", size)
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, 0, fmt.Errorf("wav: reading fmt chunk: %w", err)
			}
			format = binary.LittleEndian.Uint16(b[0:2])
			channels = binary.LittleEndian.Uint16(b[2:4])
			rate = binary.LittleEndian.Uint32(b[4:8])
			bits = binary.LittleEndian.Uint16(b[14:16])
			if format == wavExtensible && size >= 26 {
				format = binary.LittleEndian.Uint16(b[24:26]) // sub-format GUID starts with the tag
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, 0, errors.New("wav: data chunk before fmt chunk")
			}
			return readWAVData(r, size, format, channels, bits, rate)
		default:
			if _, err := io.CopyN(io.Discard, r, int64(size)+int64(size%2)); err != nil {
				return nil, 0, fmt.Errorf("wav: skipping %q chunk: %w", id, err)
			}
		}
	}
}

func readWAVData(r io.Reader, size uint32, format, channels, bits uint16, rate uint32) ([]int16, int, error) {
	if channels == 0 || channels > 8 {
		return nil, 0, fmt.Errorf("wav: %d channels", channels)
	}
	if rate < 1000 || rate > 192000 {
		return nil, 0, fmt.Errorf("wav: sample rate %d Hz", rate)
	}
	var width int
	switch {
	case format == wavPCM && bits == 16:
		width = 2
	case format == wavPCM && bits == 8, format == wavMulaw && bits == 8, format == wavAlaw && bits == 8:
		width = 1
	default:
		return nil, 0, fmt.Errorf("wav: unsupported format %d with %d bits (want 16-bit PCM, 8-bit PCM, µ-law or A-law)", format, bits)
	}
	// Streams written live often leave the data size at 0 or 0xffffffff:
	// read to the end then, within the bound.
	limit := int64(size)
	if size == 0 || size == 0xffffffff || limit > maxWAVBytes {
		limit = maxWAVBytes
	}
	raw, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return nil, 0, fmt.Errorf("wav: reading samples: %w", err)
	}
	frame := width * int(channels)
	n := len(raw) / frame
	out := make([]int16, n)
	for i := 0; i < n; i++ {
		var sum int
		for c := 0; c < int(channels); c++ {
			off := i*frame + c*width
			var v int16
			switch {
			case width == 2:
				v = int16(binary.LittleEndian.Uint16(raw[off:]))
			case format == wavMulaw:
				v = DecodeMulaw(raw[off])
			case format == wavAlaw:
				v = DecodeAlaw(raw[off])
			default:
				v = (int16(raw[off]) - 128) << 8
			}
			sum += int(v)
		}
		out[i] = int16(sum / int(channels))
	}
	return out, int(rate), nil
}

// WriteWAV writes 16-bit PCM samples (interleaved when channels > 1).
func WriteWAV(w io.Writer, rate, channels int, interleaved []int16) error {
	if err := writeWAVHeader(w, rate, channels, uint32(len(interleaved)*2)); err != nil {
		return err
	}
	return binary.Write(w, binary.LittleEndian, interleaved)
}

func writeWAVHeader(w io.Writer, rate, channels int, dataBytes uint32) error {
	var h [44]byte
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], 36+dataBytes)
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], wavPCM)
	binary.LittleEndian.PutUint16(h[22:], uint16(channels))
	binary.LittleEndian.PutUint32(h[24:], uint32(rate))
	binary.LittleEndian.PutUint32(h[28:], uint32(rate*channels*2))
	binary.LittleEndian.PutUint16(h[32:], uint16(channels*2))
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], dataBytes)
	_, err := w.Write(h[:])
	return err
}

// WAVWriter streams 16-bit PCM to a file and fixes the sizes in the header
// on Close, so a recording can be written as the call goes.
type WAVWriter struct {
	w        io.WriteSeeker
	rate     int
	channels int
	bytes    uint32
}

// NewWAVWriter writes a provisional header and returns the writer.
func NewWAVWriter(w io.WriteSeeker, rate, channels int) (*WAVWriter, error) {
	if err := writeWAVHeader(w, rate, channels, 0); err != nil {
		return nil, err
	}
	return &WAVWriter{w: w, rate: rate, channels: channels}, nil
}

// Write appends interleaved samples.
func (ww *WAVWriter) Write(interleaved []int16) error {
	if err := binary.Write(ww.w, binary.LittleEndian, interleaved); err != nil {
		return err
	}
	ww.bytes += uint32(len(interleaved) * 2)
	return nil
}

// Close rewrites the header with the final sizes. It does not close the
// underlying file.
func (ww *WAVWriter) Close() error {
	if _, err := ww.w.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := writeWAVHeader(ww.w, ww.rate, ww.channels, ww.bytes); err != nil {
		return err
	}
	_, err := ww.w.Seek(0, io.SeekEnd)
	return err
}
