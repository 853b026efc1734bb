package voicemail

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/pipeline"
)

// Transcriber turns a recorded message (a WAV file) into text.
type Transcriber interface {
	Transcribe(ctx context.Context, path, lang string) (string, error)
}

// ErrNoRecording says the recording is missing or unreadable: retrying
// will not help.
var ErrNoRecording = errors.New("recording missing or unreadable")

// STTTranscriber transcribes with one of the pipeline's speech-to-text
// providers, feeding the whole message as one utterance in 200 ms pieces.
type STTTranscriber struct {
	STT pipeline.STT
}

func (s STTTranscriber) Transcribe(ctx context.Context, path, lang string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoRecording, err)
	}
	pcm, rate, err := media.ReadWAV(f)
	f.Close()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoRecording, err)
	}
	if r := s.STT.SampleRate(); r != rate {
		pcm = media.Resample(pcm, rate, r)
		rate = r
	}
	st, err := s.STT.NewStream(ctx, pipeline.Language(lang))
	if err != nil {
		return "", fmt.Errorf("transcribe with %s: %w", s.STT.Name(), err)
	}
	defer st.Close()
	step := rate / 5
	for i := 0; i < len(pcm); i += step {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		if err := st.Write(pcm[i:min(i+step, len(pcm))]); err != nil {
			return "", fmt.Errorf("transcribe with %s: %w", s.STT.Name(), err)
		}
	}
	tr, err := st.Finish(ctx)
	if err != nil {
		return "", fmt.Errorf("transcribe with %s: %w", s.STT.Name(), err)
	}
	return tr.Text, nil
}
