package media

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestWAVRoundTrip(t *testing.T) {
	pcm := sine(440, 8000, 800, 0.3)
	var buf bytes.Buffer
	if err := WriteWAV(&buf, 8000, 1, pcm); err != nil {
		t.Fatal(err)
	}
	got, rate, err := ReadWAV(bytes.NewReader(buf.Bytes()))
	if err != nil || rate != 8000 || len(got) != len(pcm) || got[100] != pcm[100] {
		t.Fatalf("round trip: rate %d len %d err %v", rate, len(got), err)
	}

	// Stereo is mixed down to mono.
	st := []int16{100, 300, -200, 200}
	buf.Reset()
	WriteWAV(&buf, 16000, 2, st)
	got, rate, err = ReadWAV(&buf)
	if err != nil || rate != 16000 || len(got) != 2 || got[0] != 200 || got[1] != 0 {
		t.Fatalf("stereo: %v %d %v", got, rate, err)
	}
}

func TestWAVWriterPatchesHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWAVWriter(f, 8000, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		w.Write(make([]int16, 320))
	}
	w.Close()
	f.Close()
	b, _ := os.ReadFile(path)
	pcm, rate, err := ReadWAV(bytes.NewReader(b))
	if err != nil || rate != 8000 || len(pcm) != 1600 {
		t.Fatalf("len %d rate %d err %v", len(pcm), rate, err)
	}
}

func TestReadWAVRejectsGarbage(t *testing.T) {
	bad := map[string][]byte{
		"empty":      nil,
		"not riff":   []byte("hello world, this is not a wav file at all"),
		"no data":    append([]byte("RIFF\x00\x00\x00\x00WAVE"), []byte("fmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00")...),
		"float":      append([]byte("RIFF\x00\x00\x00\x00WAVE"), []byte("fmt \x10\x00\x00\x00\x03\x00\x01\x00\x40\x1f\x00\x00\x00\x7d\x00\x00\x04\x00\x20\x00data\x00\x00\x00\x00")...),
		"zero chans": append([]byte("RIFF\x00\x00\x00\x00WAVE"), []byte("fmt \x10\x00\x00\x00\x01\x00\x00\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00")...),
	}
	for name, b := range bad {
		if _, _, err := ReadWAV(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzReadWAV(f *testing.F) {
	var buf bytes.Buffer
	WriteWAV(&buf, 8000, 1, sine(440, 8000, 80, 0.3))
	f.Add(buf.Bytes())
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt "))
	f.Fuzz(func(t *testing.T, b []byte) {
		pcm, rate, err := ReadWAV(bytes.NewReader(b))
		if err == nil && (rate <= 0 || len(pcm) > len(b)) {
			t.Fatalf("accepted with rate %d and %d samples from %d bytes", rate, len(pcm), len(b))
		}
	})
}
