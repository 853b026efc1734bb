package sipua

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vastaa/vastaa/media"
)

func dial(t *testing.T, ts *testServer, transport string, codecs ...media.Codec) *Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, DialConfig{To: "sip:bot@" + ts.Addr(), From: "sip:tester@127.0.0.1", Transport: transport, Codecs: codecs, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = c.Hangup(ctx, "test over")
	})
	return c
}

func waitDone(t *testing.T, c *Call, what string) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: call %s did not end", what, c.ID)
	}
}

func TestDialHangupEitherSide(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport+"/caller hangs up", func(t *testing.T) {
			ts := startServer(t, Config{}, nil)
			c := dial(t, ts, transport)
			srvCall := waitFor(t, ts.answered, "answer")
			if err := c.Hangup(context.Background(), "done"); err != nil {
				t.Fatalf("Hangup: %v", err)
			}
			if c.EndReason() != EndBotHangup || c.EndDetail() != "done" {
				t.Errorf("client reason %q/%q", c.EndReason(), c.EndDetail())
			}
			ended := waitFor(t, ts.ended, "server end")
			if ended != srvCall || ended.EndReason() != EndCallerHangup {
				t.Errorf("server reason %q", ended.EndReason())
			}
			if srvCall.From != "tester" || srvCall.To != "bot" || srvCall.SIPCallID != c.SIPCallID {
				t.Errorf("server call parties %q %q %q", srvCall.From, srvCall.To, srvCall.SIPCallID)
			}
		})
		t.Run(transport+"/bot hangs up", func(t *testing.T) {
			ts := startServer(t, Config{}, func(ctx context.Context, c *Call) {
				_ = c.Hangup(ctx, "goodbye")
			})
			c := dial(t, ts, transport)
			waitDone(t, c, "client")
			if c.EndReason() != EndCallerHangup {
				t.Errorf("client reason %q", c.EndReason())
			}
			ended := waitFor(t, ts.ended, "server end")
			if ended.EndReason() != EndBotHangup || ended.EndDetail() != "goodbye" {
				t.Errorf("server reason %q/%q", ended.EndReason(), ended.EndDetail())
			}
		})
	}
}

func TestDialCodecPreference(t *testing.T) {
	ts := startServer(t, Config{Codecs: []media.Codec{media.PCMU, media.PCMA}}, nil)
	c := dial(t, ts, "udp", media.PCMA, media.PCMU)
	srv := waitFor(t, ts.answered, "answer")
	if c.Codec.Name != "PCMA" || srv.Codec.Name != "PCMA" {
		t.Errorf("caller prefers PCMA, got client %s server %s", c.Codec.Name, srv.Codec.Name)
	}
	if !c.HasDTMF || c.DTMFPayloadType != 101 || srv.DTMFPayloadType != 101 {
		t.Errorf("dtmf client %v/%d server %d", c.HasDTMF, c.DTMFPayloadType, srv.DTMFPayloadType)
	}
}

func TestDialRejected(t *testing.T) {
	ts := startServer(t, Config{Codecs: []media.Codec{media.PCMA}}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Dial(ctx, DialConfig{To: "sip:bot@" + ts.Addr(), Codecs: []media.Codec{media.PCMU}, Logger: testLogger(t)})
	var rej *ErrRejected
	if !errors.As(err, &rej) || rej.StatusCode != 488 || !strings.Contains(rej.Warning, "no-common-codec") {
		t.Fatalf("Dial err = %v, want 488 no-common-codec", err)
	}
	r := waitFor(t, ts.rejected, "rejection")
	if r.Reason != string(ReasonNoCommonCodec) || r.From != "caller" {
		t.Errorf("rejection %+v", r)
	}
}

func TestShutdownHangsUpCalls(t *testing.T) {
	cfg := Config{ListenAddr: "127.0.0.1:0", Logger: testLogger(t)}
	ended := make(chan *Call, 1)
	cfg.OnCallEnd = func(c *Call) { ended <- c }
	handlerDone, handlerStarted := make(chan struct{}), make(chan struct{})
	s, err := NewServer(cfg, func(ctx context.Context, c *Call) {
		close(handlerStarted)
		<-ctx.Done()
		close(handlerDone)
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	serveErr := make(chan error, 1)
	go func() { serveErr <- s.Serve(ctx) }()
	<-s.Ready()
	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer dcancel()
	c, err := Dial(dctx, DialConfig{To: "sip:bot@" + s.Addr(), Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	<-handlerStarted
	cancel()
	if err := <-serveErr; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	select {
	case <-handlerDone:
	default:
		t.Error("Serve returned before the handler")
	}
	if sc := <-ended; sc.EndReason() != EndShutdown {
		t.Errorf("server reason %q", sc.EndReason())
	}
	waitDone(t, c, "client")
	if c.EndReason() != EndCallerHangup {
		t.Errorf("client reason %q", c.EndReason())
	}
}

func TestNewServerValidates(t *testing.T) {
	h := func(context.Context, *Call) {}
	bad := []Config{
		{ListenAddr: "nope"},
		{ListenAddr: "0.0.0.0:5060"}, // media IP would be unspecified
		{ListenAddr: "127.0.0.1:0", Transports: []string{"sctp"}},
		{ListenAddr: "127.0.0.1:0", RTPPortMin: 20000},
		{ListenAddr: "127.0.0.1:0", RTPPortMin: 20000, RTPPortMax: 10000},
	}
	for _, cfg := range bad {
		if _, err := NewServer(cfg, h); err == nil {
			t.Errorf("NewServer(%+v) accepted", cfg)
		}
	}
	if _, err := NewServer(Config{ListenAddr: "0.0.0.0:5060", MediaIP: "127.0.0.1"}, h); err != nil {
		t.Errorf("explicit media IP: %v", err)
	}
	if _, err := NewServer(Config{}, nil); err == nil {
		t.Error("nil handler accepted")
	}
}

func TestRTPPortRange(t *testing.T) {
	ts := startServer(t, Config{RTPPortMin: 31000, RTPPortMax: 31009}, nil)
	for i := 0; i < 3; i++ {
		dial(t, ts, "udp")
		srv := waitFor(t, ts.answered, "answer")
		port := srv.Media.LocalAddr().Port
		if port < 31000 || port > 31009 || port%2 != 0 {
			t.Errorf("RTP port %d outside 31000-31009 or odd", port)
		}
	}
}

func TestRecordingBothSides(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, Config{RecordDir: dir}, func(ctx context.Context, c *Call) {
		<-c.Media.Play(tone(600, 300*time.Millisecond)).Done()
		_ = c.Hangup(ctx, "played")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	clientRec := filepath.Join(dir, "client.wav")
	c, err := Dial(ctx, DialConfig{To: "sip:bot@" + ts.Addr(), RecordPath: clientRec, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, c, "client")
	srv := waitFor(t, ts.ended, "server end")
	if want := filepath.Join(dir, srv.ID+".wav"); srv.RecordingPath() != want {
		t.Errorf("server recording %q, want %q", srv.RecordingPath(), want)
	}
	if c.RecordingPath() != clientRec {
		t.Errorf("client recording %q", c.RecordingPath())
	}
	for _, p := range []string{srv.RecordingPath(), c.RecordingPath()} {
		// 300 ms of stereo 16-bit audio at 8 kHz is 9600 bytes after the header;
		// the caller hangs up as the last packets are still in flight, so ask for half.
		if fi, err := os.Stat(p); err != nil || fi.Size() < 44+4800 {
			t.Errorf("recording %s: %v (size %d)", p, err, sizeOf(fi))
		}
	}
}

func sizeOf(fi os.FileInfo) int64 {
	if fi == nil {
		return -1
	}
	return fi.Size()
}

// At MaxCalls, one more INVITE gets 503 (with Retry-After, so a trunk
// tries elsewhere); a call that ends gives its place back, and so does an
// INVITE that never became a call.
func TestMaxCalls(t *testing.T) {
	ts := startServer(t, Config{MaxCalls: 1, Codecs: []media.Codec{media.PCMU}}, nil)
	a := dial(t, ts, "udp")
	waitFor(t, ts.answered, "first call answered")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Dial(ctx, DialConfig{To: "sip:bot@" + ts.Addr(), Logger: testLogger(t)})
	var rej *ErrRejected
	if !errors.As(err, &rej) || rej.StatusCode != 503 {
		t.Fatalf("second call: %v, want 503", err)
	}
	if r := waitFor(t, ts.rejected, "rejection"); r.StatusCode != 503 || r.Reason != "at-capacity" {
		t.Errorf("rejection %+v", r)
	}

	// A refused offer (no common codec) while at capacity is still 503;
	// after the first call ends it is 488 and frees its place again.
	if err := a.Hangup(context.Background(), "done"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ts.ended, "first call ended")
	_, err = Dial(ctx, DialConfig{To: "sip:bot@" + ts.Addr(), Codecs: []media.Codec{media.PCMA}, Logger: testLogger(t)})
	if !errors.As(err, &rej) || rej.StatusCode != 488 {
		t.Fatalf("refused offer: %v, want 488", err)
	}
	waitFor(t, ts.rejected, "488 rejection")
	dial(t, ts, "tcp")
	waitFor(t, ts.answered, "third call answered")
}
