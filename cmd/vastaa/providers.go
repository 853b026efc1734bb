package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	tlog "go.temporal.io/sdk/log"

	"github.com/vastaa/vastaa/examples"
	"github.com/vastaa/vastaa/knowledge"
	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/pipeline/espeak"
	"github.com/vastaa/vastaa/pipeline/intent"
	"github.com/vastaa/vastaa/pipeline/langid"
	"github.com/vastaa/vastaa/pipeline/openaicompat"
	"github.com/vastaa/vastaa/pipeline/silero"
	"github.com/vastaa/vastaa/pipeline/sphinx"
)

// providers are the speech and language engines chosen by configuration.
type providers struct {
	vad     pipeline.VADFactory
	stt     pipeline.STT
	tts     pipeline.TTS
	langID  pipeline.LanguageID
	intents pipeline.IntentClassifier
	closers []func() error
}

func newProviders(cfg serveConfig, log *slog.Logger) (_ *providers, err error) {
	p := &providers{}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	vcfg := silero.DefaultConfig()
	if cfg.SileroModel != "" {
		vcfg.ModelPath = cfg.SileroModel
	}
	if cfg.OnnxRuntimeLib != "" {
		vcfg.LibraryPath = cfg.OnnxRuntimeLib
	}
	vcfg.SampleRate = 8000
	vad, err := silero.NewFactory(vcfg)
	if err != nil {
		return nil, fmt.Errorf("voice activity detection: %w", err)
	}
	p.vad = vad
	p.closers = append(p.closers, vad.Close)

	oa := openaicompat.Config{BaseURL: cfg.OpenAIBaseURL, APIKey: cfg.OpenAIAPIKey,
		STTModel: cfg.OpenAISTTModel, ChatModel: cfg.OpenAIChatModel, TTSModel: cfg.OpenAITTSModel, TTSVoice: cfg.OpenAITTSVoice}

	switch cfg.STT {
	case "openai":
		if p.stt, err = openaicompat.NewSTT(oa); err != nil {
			return nil, fmt.Errorf("speech to text: %w", err)
		}
	default:
		sc := sphinx.DefaultConfig()
		sc.PoolSize = cfg.SphinxPoolSize
		if sc.Corpus, err = speechCorpus(); err != nil {
			return nil, err
		}
		rec, err := sphinx.New(sc)
		if err != nil {
			return nil, fmt.Errorf("speech to text (pocketsphinx): %w", err)
		}
		p.stt = rec
		p.closers = append(p.closers, rec.Close)
	}
	switch cfg.TTS {
	case "openai":
		if p.tts, err = openaicompat.NewTTS(oa); err != nil {
			return nil, fmt.Errorf("speech synthesis: %w", err)
		}
	default:
		e, err := espeak.New(espeak.Config{})
		if err != nil {
			return nil, fmt.Errorf("speech synthesis (espeak-ng): %w", err)
		}
		p.tts = e
		p.closers = append(p.closers, e.Close)
	}
	if p.langID, err = langid.New(); err != nil {
		return nil, fmt.Errorf("language identification: %w", err)
	}
	switch cfg.Intent {
	case "openai":
		if p.intents, err = openaicompat.NewIntentClassifier(oa); err != nil {
			return nil, fmt.Errorf("intent classifier: %w", err)
		}
	default:
		if p.intents, err = intent.New(); err != nil {
			return nil, fmt.Errorf("intent classifier: %w", err)
		}
	}
	log.Info("providers ready", "vad", p.vad.Name(), "stt", p.stt.Name(), "tts", p.tts.Name(), "intent", p.intents.Name())
	return p, nil
}

func (p *providers) Close() error {
	var errs []error
	for i := len(p.closers) - 1; i >= 0; i-- {
		errs = append(errs, p.closers[i]())
	}
	p.closers = nil
	return errors.Join(errs...)
}

// newTemporalLogger routes the SDK's logs through slog, one level quieter:
// its Info lines (workers starting, polling) are noise in a call log.
func newTemporalLogger(log *slog.Logger) tlog.Logger {
	return tlog.NewStructuredLogger(slog.New(quietHandler{log.Handler()}))
}

type quietHandler struct{ slog.Handler }

func (h quietHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h quietHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return quietHandler{h.Handler.WithAttrs(as)}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{h.Handler.WithGroup(name)}
}

// speechCorpus is what English callers are expected to say: the intent
// examples and the demo knowledge base's English articles. pocketsphinx
// gets a language model of it (see sphinx.WriteDomainLM).
func speechCorpus() ([]string, error) {
	ex, err := intent.ShippedExamples()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ex {
		if e.Lang == pipeline.English {
			out = append(out, e.Text)
		}
	}
	arts, err := knowledge.ReadArticles(examples.KB, "kb")
	if err != nil {
		return nil, err
	}
	for _, a := range arts {
		if a.Lang == "en" {
			out = append(out, a.Title)
			out = append(out, strings.FieldsFunc(a.Body, func(r rune) bool { return r == '.' || r == '?' || r == '\n' })...)
		}
	}
	return out, nil
}
