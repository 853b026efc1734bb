package openaicompat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	openai "github.com/sashabaranov/go-openai"

	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/pipeline"
)

// TTS synthesises replies with the server's speech endpoint, asking for WAV
// so no MP3 decoder is needed.
type TTS struct {
	cfg Config
	c   *openai.Client
}

// maxSpeechBytes bounds a reply's audio (about 5 minutes at 24 kHz).
const maxSpeechBytes = 16 << 20

// NewTTS makes the provider.
func NewTTS(cfg Config) (*TTS, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if cfg.TTSModel == "" || cfg.TTSVoice == "" {
		return nil, errors.New("openai-compatible TTS: model and voice must be configured")
	}
	return &TTS{cfg: cfg, c: newClient(cfg)}, nil
}

func (t *TTS) Name() string { return "openai:" + t.cfg.TTSModel }

// Synthesize returns the speech for text. The voice is multilingual on
// such servers; lang is not sent (the endpoint has no language field).
func (t *TTS) Synthesize(ctx context.Context, text string, lang pipeline.Language) (pipeline.Speech, error) {
	if strings.TrimSpace(text) == "" {
		return pipeline.Speech{}, errors.New("speech synthesis: empty text")
	}
	body, err := withRetry(ctx, t.cfg, "speech synthesis", func() ([]byte, error) {
		resp, err := t.c.CreateSpeech(ctx, openai.CreateSpeechRequest{
			Model: openai.SpeechModel(t.cfg.TTSModel), Input: text, Voice: openai.SpeechVoice(t.cfg.TTSVoice),
			ResponseFormat: openai.SpeechResponseFormatWav,
		})
		if err != nil {
			return nil, err
		}
		defer resp.Close()
		return io.ReadAll(io.LimitReader(resp, maxSpeechBytes))
	})
	if err != nil {
		return pipeline.Speech{}, err
	}
	pcm, rate, err := media.ReadWAV(bytes.NewReader(body))
	if err != nil {
		return pipeline.Speech{}, fmt.Errorf("speech synthesis: the reply is not usable WAV audio: %w", err)
	}
	return pipeline.Speech{PCM: pcm, SampleRate: rate}, nil
}
