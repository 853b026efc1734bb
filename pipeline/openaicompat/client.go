// Package openaicompat provides the production speech-to-text, intent and
// speech-synthesis providers on any OpenAI-compatible server (a hosted API,
// or a local vLLM, LocalAI, whisper.cpp or Speaches server) through
// github.com/sashabaranov/go-openai. Nothing is sent anywhere unless a base
// URL is configured.
package openaicompat

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Config points the providers at a server.
type Config struct {
	BaseURL   string // e.g. http://127.0.0.1:8000/v1 (required)
	APIKey    string // may be empty for local servers
	STTModel  string // transcription model, e.g. whisper-1
	ChatModel string // chat model for intents
	TTSModel  string // speech model, e.g. tts-1
	TTSVoice  string // speech voice, e.g. alloy
	// EmbeddingModel and EmbeddingDim name the knowledge base's embedding
	// (e.g. text-embedding-3-small, 1536); AnswerModel is the chat model
	// that composes grounded answers (ChatModel when empty).
	EmbeddingModel string
	EmbeddingDim   int
	AnswerModel    string
	// Timeout bounds each HTTP request (default 15 s).
	Timeout time.Duration
	// Retries is how many times a 429, 5xx or connection failure is retried
	// (default 2), with exponential backoff from RetryBackoff (default 200 ms).
	Retries      int
	RetryBackoff time.Duration
}

func (c *Config) defaults() error {
	if c.BaseURL == "" {
		return errors.New("openai-compatible provider: no base URL configured")
	}
	if c.Timeout <= 0 {
		c.Timeout = 15 * time.Second
	}
	if c.Retries < 0 {
		c.Retries = 0
	} else if c.Retries == 0 {
		c.Retries = 2
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = 200 * time.Millisecond
	}
	return nil
}

func newClient(cfg Config) *openai.Client {
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	oc.HTTPClient = &http.Client{Timeout: cfg.Timeout}
	return openai.NewClientWithConfig(oc)
}

// retryable reports whether err is worth another try: rate limits, server
// errors and connections that failed or timed out.
func retryable(err error) bool {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode == http.StatusTooManyRequests || apiErr.HTTPStatusCode >= 500
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode == http.StatusTooManyRequests || reqErr.HTTPStatusCode >= 500
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "connection refused")
}

// withRetry runs fn until it succeeds, fails for good, or retries run out.
func withRetry[T any](ctx context.Context, cfg Config, what string, fn func() (T, error)) (T, error) {
	var zero T
	backoff := cfg.RetryBackoff
	for attempt := 0; ; attempt++ {
		v, err := fn()
		if err == nil {
			return v, nil
		}
		if attempt >= cfg.Retries || !retryable(err) {
			return zero, fmt.Errorf("%s at %s (after %d attempts): %w", what, cfg.BaseURL, attempt+1, err)
		}
		select {
		case <-ctx.Done():
			return zero, fmt.Errorf("%s at %s: %w (last error: %v)", what, cfg.BaseURL, ctx.Err(), err)
		case <-time.After(backoff):
		}
		backoff *= 2
	}
}
