package voicemail

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/vastaa/vastaa/pipeline"
)

// countingSTT "recognises" how much audio it was given.
type countingSTT struct{ written int }

func (s *countingSTT) Name() string    { return "counting" }
func (s *countingSTT) SampleRate() int { return 16000 }
func (s *countingSTT) NewStream(ctx context.Context, lang pipeline.Language) (pipeline.RecognizerStream, error) {
	return &countingStream{s: s, lang: lang}, nil
}

type countingStream struct {
	s    *countingSTT
	lang pipeline.Language
}

func (st *countingStream) Write(pcm []int16) error { st.s.written += len(pcm); return nil }
func (st *countingStream) Partial() string         { return "" }
func (st *countingStream) Finish(ctx context.Context) (pipeline.Transcript, error) {
	return pipeline.Transcript{Text: "message in " + string(st.lang)}, nil
}
func (st *countingStream) Close() error { return nil }

func TestSTTTranscriber(t *testing.T) {
	dir := t.TempDir()
	path, err := SaveRecording(dir, "c1", make([]int16, 8000)) // one second at 8 kHz
	if err != nil {
		t.Fatal(err)
	}
	stt := &countingSTT{}
	text, err := STTTranscriber{STT: stt}.Transcribe(context.Background(), path, "fi")
	if err != nil || text != "message in fi" {
		t.Fatalf("%q %v", text, err)
	}
	if stt.written < 15900 || stt.written > 16100 {
		t.Errorf("%d samples at 16 kHz for one second", stt.written)
	}
	if _, err := (STTTranscriber{STT: stt}).Transcribe(context.Background(), filepath.Join(dir, "none.wav"), "fi"); !errors.Is(err, ErrNoRecording) {
		t.Errorf("missing file: %v", err)
	}
}
