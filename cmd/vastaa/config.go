package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// serveConfig is everything `vastaa serve` can be told.
type serveConfig struct {
	SIPAddr           string
	SIPTransports     string
	MediaIP           string
	RTPPortMin        int
	RTPPortMax        int
	MediaPriority     string
	MaxCalls          int
	HTTPAddr          string
	DataDir           string
	Record            bool
	TemporalAddress   string
	TemporalNamespace string
	Language          string
	NoInput           time.Duration
	LogLevel          string

	STT    string // embedded | openai
	TTS    string // embedded | openai
	Intent string // embedded | openai

	OpenAIBaseURL   string
	OpenAIAPIKey    string
	OpenAISTTModel  string
	OpenAIChatModel string
	OpenAITTSModel  string
	OpenAITTSVoice  string
	SileroModel     string
	OnnxRuntimeLib  string
	SphinxPoolSize  int

	BookingConfig string // services and resources (YAML); empty: the demo clinic's
	NotifyWebhook string // booking and task notifications go here as JSON (empty: the log)
	OpenHours     string // when people answer; outside them handoffs become voicemails
	TimeZone      string

	Callback callbackConfig
	KB       kbConfig
}

func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "vastaa")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "vastaa")
	}
	return "vastaa-data"
}

func (c *serveConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.SIPAddr, "sip-addr", "127.0.0.1:5060", "SIP listen address (UDP and TCP)")
	fs.StringVar(&c.SIPTransports, "sip-transports", "udp,tcp", "SIP transports to listen on")
	fs.StringVar(&c.MediaIP, "media-ip", "", "IP address put in SDP for RTP (default: the SIP listen IP)")
	fs.IntVar(&c.RTPPortMin, "rtp-port-min", 0, "lowest RTP port (0: any free port)")
	fs.IntVar(&c.RTPPortMax, "rtp-port-max", 0, "highest RTP port (0: any free port)")
	fs.StringVar(&c.MediaPriority, "media-priority", "realtime", mediaPriorityHelp)
	fs.IntVar(&c.MaxCalls, "max-calls", 0, "calls in progress at most; beyond it callers get 503 with Retry-After so the trunk tries elsewhere (0: no cap; about 400 per core with the embedded VAD, see the media benchmark)")
	fs.StringVar(&c.HTTPAddr, "http-addr", "127.0.0.1:8080", "HTTP API listen address")
	fs.StringVar(&c.DataDir, "data-dir", defaultDataDir(), "directory for call records, recordings and the embedded Temporal database")
	fs.BoolVar(&c.Record, "record", true, "record both directions of every call to a stereo WAV in the data directory")
	fs.StringVar(&c.TemporalAddress, "temporal-address", "", "host:port of a Temporal cluster (empty: run an embedded Temporal server)")
	fs.StringVar(&c.TemporalNamespace, "temporal-namespace", "default", "Temporal namespace")
	fs.StringVar(&c.Language, "language", "en", "language of the greeting until the caller shows another (en, fi, sv, lv)")
	fs.DurationVar(&c.NoInput, "no-input", 6*time.Second, "how long to wait for the caller to speak before reprompting")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error (transcripts and numbers appear only at debug)")
	fs.StringVar(&c.STT, "stt", "embedded", "speech to text: embedded (pocketsphinx, English) or openai")
	fs.StringVar(&c.TTS, "tts", "embedded", "speech synthesis: embedded (espeak-ng) or openai")
	fs.StringVar(&c.Intent, "intent", "embedded", "intent classifier: embedded or openai")
	fs.StringVar(&c.OpenAIBaseURL, "openai-base-url", "", "base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1")
	fs.StringVar(&c.OpenAIAPIKey, "openai-api-key", "", "API key for the OpenAI-compatible server (may be empty for local servers)")
	fs.StringVar(&c.OpenAISTTModel, "openai-stt-model", "whisper-1", "transcription model")
	fs.StringVar(&c.OpenAIChatModel, "openai-chat-model", "gpt-4o-mini", "chat model for intents")
	fs.StringVar(&c.OpenAITTSModel, "openai-tts-model", "tts-1", "speech model")
	fs.StringVar(&c.OpenAITTSVoice, "openai-tts-voice", "alloy", "speech voice")
	fs.StringVar(&c.SileroModel, "silero-model", "", "path of silero_vad.onnx (default: the models directory scripts/install-models.sh fills)")
	fs.StringVar(&c.OnnxRuntimeLib, "onnxruntime-lib", "", "path of libonnxruntime.so (default: the models directory)")
	fs.IntVar(&c.SphinxPoolSize, "sphinx-decoders", 4, "pocketsphinx decoders kept for concurrent utterances")
	fs.StringVar(&c.BookingConfig, "booking-config", "", "services, resources, opening hours and slot lengths (YAML; default: the demo clinic's examples/booking.yaml)")
	fs.StringVar(&c.NotifyWebhook, "notify-webhook", "", "URL that gets booking confirmations, reminders and task notices as JSON (default: the log, ids only)")
	fs.StringVar(&c.OpenHours, "open-hours", "", `when agents answer, e.g. "mon-fri 08:00-18:00, sat 09:00-14:00"; outside them a caller asking for a person leaves a message (default: always open)`)
	fs.StringVar(&c.TimeZone, "time-zone", "Europe/Helsinki", "time zone of --open-hours")
	c.Callback.register(fs)
	c.KB.register(fs, false)
}

func (c *serveConfig) validate() error {
	for name, v := range map[string]string{"stt": c.STT, "tts": c.TTS, "intent": c.Intent} {
		if v != "embedded" && v != "openai" {
			return fmt.Errorf("--%s must be embedded or openai, not %q", name, v)
		}
		if v == "openai" && c.OpenAIBaseURL == "" {
			return fmt.Errorf("--%s=openai needs --openai-base-url", name)
		}
	}
	switch c.Language {
	case "en", "fi", "sv", "lv":
	default:
		return fmt.Errorf("--language must be en, fi, sv or lv, not %q", c.Language)
	}
	if c.DataDir == "" {
		return fmt.Errorf("--data-dir is required")
	}
	if _, err := parseOpenHours(c.OpenHours, c.TimeZone); err != nil {
		return err
	}
	if err := c.Callback.validate(); err != nil {
		return err
	}
	c.KB.OpenAIBaseURL, c.KB.OpenAIAPIKey = c.OpenAIBaseURL, c.OpenAIAPIKey
	return c.KB.validate()
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}
