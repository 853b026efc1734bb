package media

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
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

// wavBytes builds a WAV file by hand: a fmt chunk (extra bytes appended
// as given), optional chunks before the data, then the data.
func wavBytes(format, channels uint16, rate uint32, bits uint16, fmtExtra []byte, before []byte, data []byte) []byte {
	le16 := func(v uint16) []byte { return []byte{byte(v), byte(v >> 8)} }
	le32 := func(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }
	var f []byte
	f = append(f, le16(format)...)
	f = append(f, le16(channels)...)
	f = append(f, le32(rate)...)
	f = append(f, le32(rate*uint32(channels)*uint32(bits)/8)...)
	f = append(f, le16(channels*bits/8)...)
	f = append(f, le16(bits)...)
	f = append(f, fmtExtra...)
	var b []byte
	b = append(b, "WAVE"...)
	b = append(b, "fmt "...)
	b = append(b, le32(uint32(len(f)))...)
	b = append(b, f...)
	b = append(b, before...)
	b = append(b, "data"...)
	b = append(b, le32(uint32(len(data)))...)
	b = append(b, data...)
	return append(append([]byte("RIFF"), le32(uint32(len(b)))...), b...)
}

func TestReadWAVFormats(t *testing.T) {
	pcm := sine(440, 8000, 400, 0.4)
	mu := PCMU.Encode(nil, pcm)
	al := PCMA.Encode(nil, pcm)
	var le []byte
	for _, v := range pcm {
		le = append(le, byte(v), byte(uint16(v)>>8))
	}
	stereoMu := make([]byte, 0, 2*len(mu))
	for _, c := range mu {
		stereoMu = append(stereoMu, c, 0xff) // right channel silent
	}
	extensible := append([]byte{22, 0, 16, 0, 4, 0, 0, 0, 1, 0}, make([]byte, 14)...) // cbSize 22, sub-format PCM
	list := append([]byte("LIST\x03\x00\x00\x00abc"), 0)                              // odd size, padded
	cases := []struct {
		name string
		file []byte
		rate int
		want []int16
		tol  int // allowed sample error
	}{
		{"µ-law (format 7)", wavBytes(7, 1, 8000, 8, nil, nil, mu), 8000, pcm, 1100},
		{"A-law (format 6)", wavBytes(6, 1, 8000, 8, nil, nil, al), 8000, pcm, 1100},
		{"µ-law stereo mixed down", wavBytes(7, 2, 8000, 8, nil, nil, stereoMu), 8000, halve(pcm), 600},
		{"extensible 16-bit", wavBytes(0xfffe, 1, 16000, 16, extensible, nil, le), 16000, pcm, 0},
		{"odd chunk before data", wavBytes(1, 1, 22050, 16, nil, list, le), 22050, pcm, 0},
		{"8-bit unsigned PCM", wavBytes(1, 1, 8000, 8, nil, nil, []byte{128, 255, 0}), 8000, []int16{0, 127 << 8, -128 << 8}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, rate, err := ReadWAV(bytes.NewReader(c.file))
			if err != nil {
				t.Fatal(err)
			}
			if rate != c.rate || len(got) != len(c.want) {
				t.Fatalf("rate %d len %d, want %d %d", rate, len(got), c.rate, len(c.want))
			}
			for i := range got {
				if d := abs(int(got[i]) - int(c.want[i])); d > c.tol {
					t.Fatalf("sample %d: %d, want %d±%d", i, got[i], c.want[i], c.tol)
				}
			}
		})
	}
}

func halve(pcm []int16) []int16 {
	out := make([]int16, len(pcm))
	for i, v := range pcm {
		out[i] = v / 2
	}
	return out
}

func TestReadWAVErrorsSayWhy(t *testing.T) {
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"24-bit", wavBytes(1, 1, 8000, 24, nil, nil, make([]byte, 30)), "unsupported format"},
		{"16-bit µ-law", wavBytes(7, 1, 8000, 16, nil, nil, make([]byte, 30)), "unsupported format"},
		{"absurd rate", wavBytes(1, 1, 7, 16, nil, nil, make([]byte, 30)), "sample rate"},
		{"too many channels", wavBytes(1, 40, 8000, 16, nil, nil, make([]byte, 80)), "channels"},
		{"truncated fmt", []byte("RIFF\x20\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00"), "fmt chunk"},
		{"chunk overruns file", []byte("RIFF\x20\x00\x00\x00WAVEjunk\xff\x00\x00\x00ab"), "junk"},
		{"RIFF but not WAVE", []byte("RIFF\x20\x00\x00\x00AVI LIST"), "not a RIFF WAVE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ReadWAV(bytes.NewReader(c.file))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one mentioning %q", err, c.want)
			}
		})
	}
}
