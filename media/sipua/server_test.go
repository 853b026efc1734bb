package sipua

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vastaa/vastaa/media/sipua/sipptest"
)

type testServer struct {
	*Server
	ended    chan *Call
	rejected chan Rejection
	answered chan *Call
}

// testLogger collects a test's log lines and prints them only when the test
// fails. Writing to t.Log directly would race with SIP goroutines that still
// log after the test has returned.
func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("SIPUA_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	w := &lockedBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("log:\n" + w.String())
		}
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs a Server on a free loopback port until the test ends.
// h nil means: keep the call up until it ends.
func startServer(t *testing.T, cfg Config, h Handler) *testServer {
	t.Helper()
	ts := &testServer{ended: make(chan *Call, 16), rejected: make(chan Rejection, 16), answered: make(chan *Call, 16)}
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	cfg.OnCallEnd = func(c *Call) { ts.ended <- c }
	cfg.OnRejected = func(r Rejection) { ts.rejected <- r }
	if h == nil {
		h = func(ctx context.Context, c *Call) { <-ctx.Done() }
	}
	wrapped := func(ctx context.Context, c *Call) {
		ts.answered <- c
		h(ctx, c)
	}
	s, err := NewServer(cfg, wrapped)
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = s
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after cancel")
		}
	})
	select {
	case <-s.Ready():
	case err := <-done:
		t.Fatalf("Serve: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("server not ready")
	}
	return ts
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(15 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

func TestSippBasicCall(t *testing.T) {
	sipptest.Require(t)
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			ts := startServer(t, Config{}, nil)
			sipptest.RunT(t, sipptest.Options{Scenario: sipptest.Scenario("uac_basic.xml"), Target: ts.Addr(), Transport: transport})
			c := waitFor(t, ts.ended, "call end")
			if c.EndReason() != EndCallerHangup {
				t.Errorf("end reason = %q, want caller-hangup", c.EndReason())
			}
			if c.Codec.Name != "PCMU" || !c.HasDTMF || c.DTMFPayloadType != 101 {
				t.Errorf("codec %s dtmf %v/%d", c.Codec.Name, c.HasDTMF, c.DTMFPayloadType)
			}
			if c.From != "sipp" || c.To != "bot" || c.SIPCallID == "" || c.AnsweredAt.Before(c.StartedAt) || c.EndedAt().Before(c.AnsweredAt) {
				t.Errorf("call record: %+v", c)
			}
		})
	}
}

func TestSippOptions(t *testing.T) {
	sipptest.Require(t)
	ts := startServer(t, Config{}, nil)
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			sipptest.RunT(t, sipptest.Options{Scenario: sipptest.Scenario("options.xml"), Target: ts.Addr(), Transport: transport})
		})
	}
}

func TestSippRejectsOffer(t *testing.T) {
	sipptest.Require(t)
	tests := []struct {
		scenario string
		reason   SDPReason
	}{
		{"g729.xml", ReasonNoCommonCodec},
		{"no_audio.xml", ReasonNoAudio},
	}
	ts := startServer(t, Config{}, nil)
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			sipptest.RunT(t, sipptest.Options{Scenario: sipptest.Scenario(tc.scenario), Target: ts.Addr()})
			r := waitFor(t, ts.rejected, "rejection")
			if r.StatusCode != 488 || r.Reason != string(tc.reason) || r.CallID == "" {
				t.Errorf("rejection = %+v, want 488 %s", r, tc.reason)
			}
		})
	}
}

func TestSippCancelBeforeAnswer(t *testing.T) {
	sipptest.Require(t)
	ts := startServer(t, Config{RingTime: 5 * time.Second}, nil)
	sipptest.RunT(t, sipptest.Options{Scenario: sipptest.Scenario("cancel.xml"), Target: ts.Addr()})
	r := waitFor(t, ts.rejected, "rejection")
	if r.StatusCode != 487 || r.Reason != string(EndCancelled) {
		t.Errorf("rejection = %+v, want 487 cancelled", r)
	}
	select {
	case c := <-ts.answered:
		t.Errorf("cancelled call %s reached the handler", c.ID)
	default:
	}
}

func TestSippReinvite(t *testing.T) {
	sipptest.Require(t)
	type change struct {
		hold       bool
		port, base int
	}
	holds := make(chan change, 4)
	ts := startServer(t, Config{}, func(ctx context.Context, c *Call) {
		// Sample hold state while sipp holds and resumes.
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		last := c.OnHold()
		base := c.Remote().Port
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if h := c.OnHold(); h != last {
					last = h
					holds <- change{h, c.Remote().Port, base}
				}
			}
		}
	})
	sipptest.RunT(t, sipptest.Options{Scenario: sipptest.Scenario("reinvite.xml"), Target: ts.Addr()})
	c := waitFor(t, ts.ended, "call end")
	if c.EndReason() != EndCallerHangup {
		t.Errorf("end reason %q", c.EndReason())
	}
	// sipp moves its RTP port up by 2 while holding, then back.
	if h := waitFor(t, holds, "hold"); !h.hold || h.port != h.base+2 {
		t.Errorf("first change %+v, want hold on port base+2", h)
	}
	if h := waitFor(t, holds, "resume"); h.hold || h.port != h.base {
		t.Errorf("second change %+v, want resume on the first port", h)
	}
}

func TestSippRTPTimeout(t *testing.T) {
	sipptest.Require(t)
	ts := startServer(t, Config{RTPTimeout: time.Second}, nil)
	sipptest.RunT(t, sipptest.Options{Scenario: sipptest.Scenario("rtp_timeout.xml"), Target: ts.Addr()})
	c := waitFor(t, ts.ended, "call end")
	if c.EndReason() != EndRTPTimeout {
		t.Errorf("end reason %q, want rtp-timeout", c.EndReason())
	}
}

// rawExchange sends the message build makes for the connection's local
// address and returns the first response line, or "" when nothing came back.
func rawExchange(t *testing.T, network, addr string, build func(local string) []byte, wait time.Duration) string {
	t.Helper()
	conn, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write(build(conn.LocalAddr().String())); err != nil {
		return ""
	}
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	line, _ := bufio.NewReader(conn).ReadString('\n')
	return strings.TrimSpace(line)
}

func raw(b []byte) func(string) []byte { return func(string) []byte { return b } }

func sipRequest(method, network, addr, extra string) func(string) []byte {
	return func(local string) []byte {
		tr := strings.ToUpper(network)
		branch := fmt.Sprintf("z9hG4bK%d", time.Now().UnixNano())
		return []byte(fmt.Sprintf("%s sip:bot@%s SIP/2.0\r\nVia: SIP/2.0/%s %s;branch=%s;rport\r\n"+
			"From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:bot@%s>\r\nCall-ID: %s@t\r\nCSeq: 1 %s\r\nMax-Forwards: 70\r\n%sContent-Length: 0\r\n\r\n",
			method, addr, tr, local, branch, addr, branch, method, extra))
	}
}

func TestMalformedInputDoesNotCrash(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	garbage := [][]byte{
		[]byte("garbage\r\n\r\n"),
		{0x00, 0xff, 0x80, 0x01, 0x02},
		[]byte("INVITE sip:bot@127.0.0.1 SIP/2.0\r\n\r\n"),
		[]byte("INVITE sip:bot@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\nContent-Length: 99999\r\n\r\nv=0"),
		[]byte("INVITE sip:bot@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKy\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:bot@127.0.0.1>\r\nCall-ID: z\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n"),
		[]byte("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKq\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n"),
		[]byte("BYE sip:bot@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKb\r\nCSeq: abc BYE\r\nContent-Length: 0\r\n\r\n"),
		[]byte(strings.Repeat("A", 70000)),
	}
	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			for _, g := range garbage {
				rawExchange(t, network, ts.Addr(), raw(g), 100*time.Millisecond)
			}
			if got := rawExchange(t, network, ts.Addr(), sipRequest("OPTIONS", network, ts.Addr(), ""), 3*time.Second); got != "SIP/2.0 200 OK" {
				t.Fatalf("OPTIONS after garbage got %q", got)
			}
		})
	}
}

func TestUnsupportedMethods(t *testing.T) {
	ts := startServer(t, Config{}, nil)
	tests := []struct{ method, want string }{
		{"REGISTER", "SIP/2.0 405 Method Not Allowed"},
		{"SUBSCRIBE", "SIP/2.0 405 Method Not Allowed"},
		{"FROBNICATE", "SIP/2.0 501 Not Implemented"},
		{"OPTIONS", "SIP/2.0 200 OK"},
		{"BYE", "SIP/2.0 481 Call/Transaction Does Not Exist"},
		{"INVITE", "SIP/2.0 100 Trying"},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			extra := ""
			if tc.method == "INVITE" {
				extra = "Contact: <sip:t@127.0.0.1:5999>\r\n"
			}
			if got := rawExchange(t, "udp", ts.Addr(), sipRequest(tc.method, "udp", ts.Addr(), extra), 3*time.Second); got != tc.want {
				t.Errorf("%s got %q, want %q", tc.method, got, tc.want)
			}
		})
	}
	// The INVITE above had no SDP: it must be refused, not answered.
	r := waitFor(t, ts.rejected, "no-sdp rejection")
	if r.StatusCode != 488 || r.Reason != string(ReasonNoSDP) {
		t.Errorf("INVITE without SDP: %+v", r)
	}
}
