package devserver

import (
	"context"
	"log/slog"
	"sync/atomic"

	sdklog "go.temporal.io/sdk/log"
	tlog "go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// slogLogger passes the server's warnings and errors to slog; its debug
// and info lines are the server's own business.
type slogLogger struct {
	l     *slog.Logger
	quiet atomic.Bool // while starting and stopping, peers missing is expected
}

var _ tlog.Logger = (*slogLogger)(nil)

func newLogger(l *slog.Logger) *slogLogger { return &slogLogger{l: l.With("component", "temporal")} }

func (s *slogLogger) err(msg string, tags []tag.Tag) {
	level := slog.LevelError
	if s.quiet.Load() {
		level = slog.LevelDebug
	}
	s.l.Log(context.Background(), level, msg, attrs(tags)...)
}

func attrs(tags []tag.Tag) []any {
	out := make([]any, 0, 2*len(tags))
	for _, t := range tags {
		out = append(out, t.Key(), t.Value())
	}
	return out
}

func (s *slogLogger) Debug(msg string, tags ...tag.Tag) {}
func (s *slogLogger) Info(msg string, tags ...tag.Tag)  {}
func (s *slogLogger) Warn(msg string, tags ...tag.Tag) {
	s.l.Log(context.Background(), slog.LevelDebug, msg, attrs(tags)...) // the server warns a lot at start-up
}
func (s *slogLogger) Error(msg string, tags ...tag.Tag)  { s.err(msg, tags) }
func (s *slogLogger) DPanic(msg string, tags ...tag.Tag) { s.err(msg, tags) }
func (s *slogLogger) Panic(msg string, tags ...tag.Tag)  { s.err(msg, tags) }
func (s *slogLogger) Fatal(msg string, tags ...tag.Tag)  { s.err(msg, tags) }

// quietSDKLogger drops the SDK client's lines while probing readiness.
type quietSDKLogger struct{}

func (quietSDKLogger) Debug(string, ...any) {}
func (quietSDKLogger) Info(string, ...any)  {}
func (quietSDKLogger) Warn(string, ...any)  {}
func (quietSDKLogger) Error(string, ...any) {}

var _ sdklog.Logger = quietSDKLogger{}
