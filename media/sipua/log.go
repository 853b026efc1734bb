package sipua

import (
	"context"
	"log/slog"

	"github.com/emiago/sipgo/sip"
)

// debugOnly demotes every record to Debug. sipgo logs whole SIP messages,
// caller numbers included, at Error when one fails to parse; at Debug they
// stay out of production logs (personal data) yet remain available.
type debugOnly struct{ h slog.Handler }

func (d debugOnly) Enabled(ctx context.Context, _ slog.Level) bool {
	return d.h.Enabled(ctx, slog.LevelDebug)
}

func (d debugOnly) Handle(ctx context.Context, r slog.Record) error {
	r.Level = slog.LevelDebug
	return d.h.Handle(ctx, r)
}

func (d debugOnly) WithAttrs(attrs []slog.Attr) slog.Handler { return debugOnly{d.h.WithAttrs(attrs)} }
func (d debugOnly) WithGroup(name string) slog.Handler       { return debugOnly{d.h.WithGroup(name)} }

// libraryLogger is the logger handed to sipgo.
func libraryLogger(l *slog.Logger) *slog.Logger {
	return slog.New(debugOnly{l.Handler()}).With("component", "sipgo")
}

// unhandledResponse notes stray responses (mostly retransmissions of a 200
// we already handled) instead of letting sipgo log them on its global logger.
func unhandledResponse(l *slog.Logger) func(*sip.Response) {
	return func(r *sip.Response) { l.Debug("unmatched SIP response", "status", r.StatusCode) }
}
