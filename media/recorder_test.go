package media

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// readStereo returns the two channels of a 16-bit stereo WAV written by
// WAVWriter (44-byte header).
func readStereo(t *testing.T, path string) (left, right []int16) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 44 || binary.LittleEndian.Uint16(b[22:]) != 2 || binary.LittleEndian.Uint32(b[24:]) != 8000 {
		t.Fatalf("not an 8 kHz stereo WAV (%d bytes)", len(b))
	}
	if got := binary.LittleEndian.Uint32(b[40:]); int(got) != len(b)-44 {
		t.Fatalf("data size in header %d, file has %d", got, len(b)-44)
	}
	for i := 44; i+3 < len(b); i += 4 {
		left = append(left, int16(binary.LittleEndian.Uint16(b[i:])))
		right = append(right, int16(binary.LittleEndian.Uint16(b[i+2:])))
	}
	return left, right
}

func constFrame(v int16) []int16 {
	f := make([]int16, frameSamples)
	for i := range f {
		f[i] = v
	}
	return f
}

func TestRecorderPlacesAudioByWallClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.wav")
	r, err := NewRecorder(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	// Caller talks 0-100 ms, pauses (a lost stretch) and talks 200-240 ms;
	// the bot answers at 500 ms for 60 ms. Writes come in the pacer's order.
	for ms := 0; ms < 100; ms += 20 {
		r.WriteIn(constFrame(1000), at(ms))
	}
	for ms := 200; ms < 240; ms += 20 {
		r.WriteIn(constFrame(3000), at(ms))
	}
	for ms := 500; ms < 560; ms += 20 {
		r.WriteOut(constFrame(-2000), at(ms))
	}
	r.WriteIn(constFrame(5), at(5000)) // late, past a long silence on both sides
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	r.WriteIn(constFrame(1), at(6000)) // after Close: ignored, no panic

	left, right := readStereo(t, path)
	if want := 5000*8 + frameSamples; len(left) != want {
		t.Fatalf("%d frames, want %d", len(left), want)
	}
	checks := []struct {
		name     string
		ch       []int16
		from, to int // ms
		want     int16
	}{
		{"caller first words", left, 0, 100, 1000},
		{"caller pause", left, 100, 200, 0},
		{"caller again", left, 200, 240, 3000},
		{"caller silent while bot talks", left, 240, 5000, 0},
		{"bot silent at first", right, 0, 500, 0},
		{"bot answer", right, 500, 560, -2000},
		{"bot done", right, 560, 5020, 0},
		{"caller late frame", left, 5000, 5020, 5},
	}
	for _, c := range checks {
		for i := c.from * 8; i < c.to*8; i++ {
			if c.ch[i] != c.want {
				t.Fatalf("%s: sample at %.3f s is %d, want %d", c.name, float64(i)/8000, c.ch[i], c.want)
			}
		}
	}
}

func TestRecorderBadPath(t *testing.T) {
	if _, err := NewRecorder(filepath.Join(t.TempDir(), "missing", "x.wav")); err == nil {
		t.Fatal("recorder created in a missing directory")
	}
}
