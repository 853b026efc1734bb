package sipua

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"
)

var benchOffer = sdpLines("v=0", "o=caller 5 7 IN IP4 10.0.0.1", "s=-", "c=IN IP4 10.0.0.1", "t=0 0",
	"m=audio 4000 RTP/AVP 18 8 0 96", "a=rtpmap:96 telephone-event/8000", "a=fmtp:96 0-16", "a=ptime:20", "a=sendrecv")

// BenchmarkOfferAnswer is the SDP work per incoming call: parse, negotiate,
// build and marshal the answer.
func BenchmarkOfferAnswer(b *testing.B) {
	local := LocalMedia{IP: net.ParseIP("127.0.0.1"), Port: 30000, SessionID: 1, Version: 1}
	b.ReportAllocs()
	for b.Loop() {
		sd, err := ParseSDP(benchOffer)
		if err != nil {
			b.Fatal(err)
		}
		n, err := Negotiate(sd, testFormats)
		if err != nil {
			b.Fatal(err)
		}
		_ = BuildAnswer(sd, n, local).Marshal()
	}
}

// BenchmarkCallSetup times INVITE to answered call and BYE over loopback
// UDP with our own client, one call at a time.
func BenchmarkCallSetup(b *testing.B) {
	quiet := slog.New(slog.DiscardHandler)
	s, err := NewServer(Config{ListenAddr: "127.0.0.1:0", Logger: quiet}, func(ctx context.Context, c *Call) { <-ctx.Done() })
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = s.Serve(ctx) }()
	<-s.Ready()
	var setup time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		c, err := Dial(ctx, DialConfig{To: "sip:bot@" + s.Addr(), Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		setup += time.Since(start)
		if err := c.Hangup(ctx, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(setup.Microseconds())/float64(b.N), "µs-setup/op")
}
