package openaicompat

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"

	openai "github.com/sashabaranov/go-openai"

	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/pipeline"
)

// STT transcribes each utterance with the server's transcription endpoint.
// The endpoint is not streaming: audio is buffered while the caller speaks
// and sent as one WAV when the utterance ends.
type STT struct {
	cfg Config
	c   *openai.Client
}

// maxUtteranceSamples bounds the buffer (60 s at 16 kHz).
const maxUtteranceSamples = 60 * 16000

// NewSTT makes the provider.
func NewSTT(cfg Config) (*STT, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if cfg.STTModel == "" {
		return nil, errors.New("openai-compatible STT: no model configured")
	}
	return &STT{cfg: cfg, c: newClient(cfg)}, nil
}

func (s *STT) Name() string    { return "openai:" + s.cfg.STTModel }
func (s *STT) SampleRate() int { return 16000 }

// NewStream starts buffering one utterance.
func (s *STT) NewStream(ctx context.Context, lang pipeline.Language) (pipeline.RecognizerStream, error) {
	return &sttStream{s: s, lang: lang}, nil
}

type sttStream struct {
	s    *STT
	lang pipeline.Language
	mu   sync.Mutex
	pcm  []int16
	done bool
}

func (st *sttStream) Write(pcm []int16) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.done {
		return errors.New("stream finished")
	}
	if len(st.pcm)+len(pcm) > maxUtteranceSamples {
		return errors.New("utterance longer than 60 s")
	}
	st.pcm = append(st.pcm, pcm...)
	return nil
}

func (st *sttStream) Partial() string { return "" }

func (st *sttStream) Finish(ctx context.Context) (pipeline.Transcript, error) {
	st.mu.Lock()
	pcm := st.pcm
	st.done = true
	st.mu.Unlock()
	if len(pcm) == 0 {
		return pipeline.Transcript{}, nil
	}
	var wav bytes.Buffer
	if err := media.WriteWAV(&wav, 16000, 1, pcm); err != nil {
		return pipeline.Transcript{}, err
	}
	body := wav.Bytes()
	resp, err := withRetry(ctx, st.s.cfg, "transcription", func() (openai.AudioResponse, error) {
		return st.s.c.CreateTranscription(ctx, openai.AudioRequest{
			Model: st.s.cfg.STTModel, FilePath: "utterance.wav", Reader: bytes.NewReader(body),
			Language: string(st.lang), Format: openai.AudioResponseFormatVerboseJSON,
		})
	})
	if err != nil {
		return pipeline.Transcript{}, err
	}
	tr := pipeline.Transcript{Text: strings.TrimSpace(resp.Text)}
	if l := languageFromName(resp.Language); l.Valid() {
		tr.Language = l
	}
	return tr, nil
}

func (st *sttStream) Close() error { return nil }

// languageFromName maps what transcription servers report ("finnish",
// "fi", "Swedish") onto a served language.
func languageFromName(s string) pipeline.Language {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "en", "english":
		return pipeline.English
	case "fi", "finnish":
		return pipeline.Finnish
	case "sv", "swedish":
		return pipeline.Swedish
	case "lv", "latvian":
		return pipeline.Latvian
	}
	return ""
}
