// Package speechtest makes test callers' speech: English spoken by Festival
// (Debian package festival with festvox-kallpc16k), which pocketsphinx
// recognises far better than espeak-ng's voice. Tests, benchmarks and the
// bench command share it.
package speechtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vastaa/vastaa/media"
)

// Speak returns text spoken by Festival as mono PCM at rate Hz.
func Speak(ctx context.Context, text string, rate int) ([]int16, error) {
	dir, err := os.MkdirTemp("", "vastaa-festival-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "speech.wav")
	cmd := exec.CommandContext(ctx, "text2wave", "-o", path, "-otype", "riff", "-F", fmt.Sprint(rate))
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("text2wave (Debian package festival): %v: %s", err, out)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pcm, got, err := media.ReadWAV(f)
	if err != nil {
		return nil, err
	}
	return media.Resample(pcm, got, rate), nil
}

// Festival is Speak for tests: it fails the test on error.
func Festival(tb testing.TB, text string, rate int) []int16 {
	tb.Helper()
	pcm, err := Speak(context.Background(), text, rate)
	if err != nil {
		tb.Fatal(err)
	}
	return pcm
}

// Pad surrounds pcm with lead and tail seconds of silence.
func Pad(pcm []int16, rate int, lead, tail float64) []int16 {
	out := make([]int16, int(lead*float64(rate)), int((lead+tail)*float64(rate))+len(pcm))
	out = append(out, pcm...)
	return append(out, make([]int16, int(tail*float64(rate)))...)
}
