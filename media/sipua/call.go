package sipua

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vastaa/vastaa/media"
)

// EndReason says why a call ended; it is stored with the call record.
type EndReason string

const (
	EndCallerHangup EndReason = "caller-hangup" // the peer sent BYE
	EndCancelled    EndReason = "cancelled"     // the caller gave up before we answered (CANCEL)
	EndBotHangup    EndReason = "bot-hangup"    // we sent BYE
	EndRTPTimeout   EndReason = "rtp-timeout"   // no RTP from the peer for Config.RTPTimeout
	EndShutdown     EndReason = "shutdown"      // the server stopped
	EndNoACK        EndReason = "no-ack"        // our 200 OK was never acknowledged
	EndError        EndReason = "error"         // a local failure after answer
)

// Call is one answered SIP call, inbound (Server) or outbound (Dial).
type Call struct {
	ID        string // ours, unique, safe to log
	SIPCallID string
	// From and To are the caller's and callee's user parts. PERSONAL DATA:
	// never log them above Debug.
	From, To        string
	Inbound         bool
	Media           *media.Session
	Codec           media.Codec
	HasDTMF         bool
	DTMFPayloadType uint8
	// StartedAt is when the INVITE arrived (inbound) or was sent (outbound);
	// AnsweredAt is when the 200 OK was acknowledged (inbound) or received (outbound).
	StartedAt, AnsweredAt time.Time

	log      *slog.Logger
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan struct{}
	endOnce  sync.Once
	sendBye  func(ctx context.Context, reason string) error
	cleanup  func()
	onHold   atomic.Bool
	sdpVer   atomic.Uint64
	mu       sync.Mutex
	reason   EndReason
	endedAt  time.Time
	detail   string
	onEnded  func(*Call)
	remoteMu sync.Mutex
	remote   *net.UDPAddr
	recPath  string
}

// RecordingPath is the stereo WAV of the call (caller left, bot right), or
// "" when the call is not recorded.
func (c *Call) RecordingPath() string { return c.recPath }

func newCallID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func newCall(base *slog.Logger, inbound bool) *Call {
	ctx, cancel := context.WithCancel(context.Background())
	c := &Call{ID: newCallID(), Inbound: inbound, ctx: ctx, cancel: cancel, done: make(chan struct{}), StartedAt: time.Now()}
	c.log = base.With("call", c.ID)
	return c
}

// Context is cancelled when the call ends for any reason.
func (c *Call) Context() context.Context { return c.ctx }

// Done is closed when the call has ended.
func (c *Call) Done() <-chan struct{} { return c.done }

// EndReason is empty while the call is up.
func (c *Call) EndReason() EndReason {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}

// EndDetail is the free text given to Hangup, if any.
func (c *Call) EndDetail() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.detail
}

// EndedAt is zero while the call is up.
func (c *Call) EndedAt() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endedAt
}

// OnHold reports whether the peer has put the call on hold (RFC 3264 section 8.4).
func (c *Call) OnHold() bool { return c.onHold.Load() }

// Remote is where RTP is sent now; a re-INVITE may change it.
func (c *Call) Remote() *net.UDPAddr {
	c.remoteMu.Lock()
	defer c.remoteMu.Unlock()
	return c.remote
}

func (c *Call) setRemote(a *net.UDPAddr) {
	c.remoteMu.Lock()
	c.remote = a
	c.remoteMu.Unlock()
}

// Hangup sends BYE and ends the call. reason is recorded as the call's
// EndDetail; the EndReason is bot-hangup. Hanging up an ended call is a no-op.
func (c *Call) Hangup(ctx context.Context, reason string) error {
	return c.hangup(ctx, EndBotHangup, reason)
}

func (c *Call) hangup(ctx context.Context, why EndReason, detail string) error {
	select {
	case <-c.done:
		return nil
	default:
	}
	var err error
	if c.sendBye != nil {
		err = c.sendBye(ctx, detail)
	}
	c.end(why, detail)
	return err
}

// end is idempotent: the first reason wins, so a BYE racing our own hangup
// keeps whichever happened first.
func (c *Call) end(why EndReason, detail string) {
	c.endOnce.Do(func() {
		c.mu.Lock()
		c.reason, c.detail, c.endedAt = why, detail, time.Now()
		c.mu.Unlock()
		c.cancel()
		if c.Media != nil {
			if err := c.Media.Close(); err != nil {
				c.log.Debug("closing media", "err", err)
			}
		}
		if c.cleanup != nil {
			c.cleanup()
		}
		if c.AnsweredAt.IsZero() {
			c.log.Info("call ended before answer", "reason", string(why))
		} else {
			c.log.Info("call ended", "reason", string(why), "duration", c.endedAt.Sub(c.AnsweredAt).Round(time.Millisecond))
		}
		close(c.done)
		if c.onEnded != nil {
			c.onEnded(c)
		}
	})
}

// watchRTP ends the call when the peer has sent no RTP for timeout while it
// is supposed to be sending (not on hold).
func (c *Call) watchRTP(timeout time.Duration) {
	if timeout <= 0 || c.Media == nil {
		return
	}
	tick := timeout / 4
	if tick > time.Second {
		tick = time.Second
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	holdSince := time.Time{}
	for {
		select {
		case <-c.done:
			return
		case now := <-t.C:
			if c.OnHold() {
				holdSince = now
				continue
			}
			last := c.Media.LastPacketAt()
			for _, ts := range []time.Time{c.AnsweredAt, holdSince} {
				if ts.After(last) {
					last = ts
				}
			}
			if now.Sub(last) > timeout {
				c.log.Info("no RTP from peer, hanging up", "timeout", timeout)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				if err := c.hangup(ctx, EndRTPTimeout, ""); err != nil {
					c.log.Warn("BYE after RTP timeout failed", "err", err)
				}
				cancel()
				return
			}
		}
	}
}
