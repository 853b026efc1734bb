package sipua

import (
	"net"
	"strings"
	"testing"
	"time"
)

var testFormats = []Format{{Name: "PCMU", PayloadType: 0, ClockRate: 8000}, {Name: "PCMA", PayloadType: 8, ClockRate: 8000}}

func sdpLines(lines ...string) []byte { return []byte(strings.Join(lines, "\r\n") + "\r\n") }

func TestNegotiate(t *testing.T) {
	head := []string{"v=0", "o=- 1 1 IN IP4 10.0.0.1", "s=call"}
	with := func(lines ...string) []byte { return sdpLines(append(append([]string{}, head...), lines...)...) }
	tests := []struct {
		name   string
		body   []byte
		reason SDPReason
		codec  string
		pt     uint8
		dtmf   int // -1 none
		remote string
		ptime  time.Duration
		dir    Direction
		index  int
		onHold bool
	}{
		{name: "session-level c", body: with("c=IN IP4 10.0.0.5", "t=0 0", "m=audio 4000 RTP/AVP 0 101", "a=rtpmap:101 telephone-event/8000"),
			codec: "PCMU", pt: 0, dtmf: 101, remote: "10.0.0.5:4000", ptime: 20 * time.Millisecond, dir: SendRecv},
		{name: "media-level c overrides session", body: with("c=IN IP4 10.0.0.5", "t=0 0", "m=audio 4000 RTP/AVP 8 0", "c=IN IP4 10.0.0.9", "a=ptime:30"),
			codec: "PCMA", pt: 8, dtmf: -1, remote: "10.0.0.9:4000", ptime: 30 * time.Millisecond, dir: SendRecv},
		{name: "caller preference order wins", body: with("t=0 0", "m=audio 4000 RTP/AVP 18 8 0", "c=IN IP4 10.0.0.9"),
			codec: "PCMA", pt: 8, dtmf: -1, remote: "10.0.0.9:4000", ptime: 20 * time.Millisecond, dir: SendRecv},
		{name: "dynamic telephone-event 96", body: with("c=IN IP4 127.0.0.1", "t=0 0", "m=audio 6000 RTP/AVP 0 96", "a=rtpmap:0 PCMU/8000", "a=rtpmap:96 telephone-event/8000", "a=fmtp:96 0-15"),
			codec: "PCMU", pt: 0, dtmf: 96, remote: "127.0.0.1:6000", ptime: 20 * time.Millisecond, dir: SendRecv},
		{name: "multiple m lines, video first", body: with("c=IN IP4 10.0.0.5", "t=0 0", "m=video 5000 RTP/AVP 96", "a=rtpmap:96 H264/90000", "m=audio 4000 RTP/AVP 0", "a=sendonly"),
			codec: "PCMU", pt: 0, dtmf: -1, remote: "10.0.0.5:4000", ptime: 20 * time.Millisecond, dir: SendOnly, index: 1, onHold: true},
		{name: "session-level direction", body: with("c=IN IP4 10.0.0.5", "t=0 0", "a=inactive", "m=audio 4000 RTP/AVP 0"),
			codec: "PCMU", pt: 0, dtmf: -1, remote: "10.0.0.5:4000", ptime: 20 * time.Millisecond, dir: Inactive, onHold: true},
		{name: "zero address hold", body: with("c=IN IP4 0.0.0.0", "t=0 0", "m=audio 4000 RTP/AVP 0"),
			codec: "PCMU", pt: 0, dtmf: -1, remote: "0.0.0.0:4000", ptime: 20 * time.Millisecond, dir: SendRecv, onHold: true},
		{name: "second audio used when first disabled", body: with("c=IN IP4 10.0.0.5", "t=0 0", "m=audio 0 RTP/AVP 0", "m=audio 4002 RTP/AVP 8"),
			codec: "PCMA", pt: 8, dtmf: -1, remote: "10.0.0.5:4002", ptime: 20 * time.Millisecond, dir: SendRecv, index: 1},
		{name: "LF line ends", body: []byte("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.4\nt=0 0\nm=audio 7000 RTP/AVP 0\n"),
			codec: "PCMU", pt: 0, dtmf: -1, remote: "1.2.3.4:7000", ptime: 20 * time.Millisecond, dir: SendRecv},
		{name: "audio port 0 rejected", body: with("c=IN IP4 10.0.0.5", "t=0 0", "m=audio 0 RTP/AVP 0"), reason: ReasonNoAudio},
		{name: "video only", body: with("c=IN IP4 10.0.0.5", "t=0 0", "m=video 5000 RTP/AVP 96", "a=rtpmap:96 H264/90000"), reason: ReasonNoAudio},
		{name: "no m lines", body: with("c=IN IP4 10.0.0.5", "t=0 0"), reason: ReasonNoAudio},
		{name: "G729 only", body: with("c=IN IP4 10.0.0.5", "t=0 0", "m=audio 4000 RTP/AVP 18 101", "a=rtpmap:18 G729/8000", "a=rtpmap:101 telephone-event/8000"), reason: ReasonNoCommonCodec},
		{name: "PCMU at wrong rate", body: with("c=IN IP4 10.0.0.5", "t=0 0", "m=audio 4000 RTP/AVP 97", "a=rtpmap:97 PCMU/16000"), reason: ReasonNoCommonCodec},
		{name: "SRTP only", body: with("c=IN IP4 10.0.0.5", "t=0 0", "m=audio 4000 RTP/SAVP 0"), reason: ReasonUnsupportedProto},
		{name: "no connection", body: with("t=0 0", "m=audio 4000 RTP/AVP 0"), reason: ReasonMalformedSDP},
		{name: "host name connection", body: with("c=IN IP4 pbx.example", "t=0 0", "m=audio 4000 RTP/AVP 0"), reason: ReasonMalformedSDP},
		{name: "garbage", body: []byte("hello world\r\n"), reason: ReasonMalformedSDP},
		{name: "empty", body: nil, reason: ReasonNoSDP},
		{name: "bad port", body: with("c=IN IP4 10.0.0.5", "m=audio 99999 RTP/AVP 0"), reason: ReasonMalformedSDP},
		{name: "short origin", body: sdpLines("v=0", "o=- 1 IN IP4", "s=x"), reason: ReasonMalformedSDP},
		{name: "version 1", body: sdpLines("v=1", "o=- 1 1 IN IP4 1.1.1.1"), reason: ReasonMalformedSDP},
		{name: "no origin", body: sdpLines("v=0", "s=x", "c=IN IP4 1.1.1.1", "m=audio 4000 RTP/AVP 0"), reason: ReasonMalformedSDP},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sd, err := ParseSDP(tc.body)
			var n Negotiated
			if err == nil {
				n, err = Negotiate(sd, testFormats)
			}
			if tc.reason != "" {
				if got := ReasonOf(err); got != tc.reason {
					t.Fatalf("reason = %q (err %v), want %q", got, err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if n.Format.Name != tc.codec || n.Format.PayloadType != tc.pt {
				t.Errorf("codec = %s/%d, want %s/%d", n.Format.Name, n.Format.PayloadType, tc.codec, tc.pt)
			}
			if tc.dtmf < 0 && n.HasDTMF {
				t.Errorf("unexpected DTMF pt %d", n.DTMFPayloadType)
			}
			if tc.dtmf >= 0 && (!n.HasDTMF || int(n.DTMFPayloadType) != tc.dtmf) {
				t.Errorf("dtmf = %v/%d, want %d", n.HasDTMF, n.DTMFPayloadType, tc.dtmf)
			}
			if n.Remote.String() != tc.remote {
				t.Errorf("remote = %s, want %s", n.Remote, tc.remote)
			}
			if n.Ptime != tc.ptime || n.Direction != tc.dir || n.MediaIndex != tc.index || n.OnHold() != tc.onHold {
				t.Errorf("ptime/dir/index/hold = %v/%s/%d/%v, want %v/%s/%d/%v", n.Ptime, n.Direction, n.MediaIndex, n.OnHold(),
					tc.ptime, tc.dir, tc.index, tc.onHold)
			}
		})
	}
}

func TestBuildAnswerRoundTrip(t *testing.T) {
	offer, err := ParseSDP(sdpLines("v=0", "o=caller 5 7 IN IP4 10.0.0.1", "s=-", "c=IN IP4 10.0.0.1", "t=0 0",
		"m=video 5000 RTP/AVP 96", "a=rtpmap:96 H264/90000",
		"m=audio 4000 RTP/AVP 8 0 96", "a=rtpmap:96 telephone-event/8000", "a=sendonly"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := Negotiate(offer, testFormats)
	if err != nil {
		t.Fatal(err)
	}
	ans := BuildAnswer(offer, n, LocalMedia{IP: net.ParseIP("127.0.0.1"), Port: 30000, SessionID: 42, Version: 3})
	text := string(ans.Marshal())
	for _, want := range []string{"v=0\r\n", "o=vastaa 42 3 IN IP4 127.0.0.1\r\n", "c=IN IP4 127.0.0.1\r\n", "t=0 0\r\n",
		"m=video 0 RTP/AVP 96\r\n", "m=audio 30000 RTP/AVP 8 96\r\n", "a=rtpmap:8 PCMA/8000\r\n",
		"a=rtpmap:96 telephone-event/8000\r\n", "a=fmtp:96 0-16\r\n", "a=ptime:20\r\n", "a=recvonly\r\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer lacks %q:\n%s", want, text)
		}
	}
	// The answer must itself be acceptable to the offerer.
	back, err := ParseSDP([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	n2, err := Negotiate(back, testFormats)
	if err != nil {
		t.Fatal(err)
	}
	if n2.Format.Name != "PCMA" || n2.DTMFPayloadType != 96 || n2.Remote.Port != 30000 || n2.Direction != RecvOnly || n2.MediaIndex != 1 {
		t.Errorf("round trip = %+v", n2)
	}
}

func TestBuildOffer(t *testing.T) {
	sd := BuildOffer(testFormats, 101, LocalMedia{IP: net.ParseIP("127.0.0.1"), Port: 20000, SessionID: 1, Version: 1})
	text := string(sd.Marshal())
	if !strings.Contains(text, "m=audio 20000 RTP/AVP 0 8 101\r\n") || !strings.Contains(text, "a=rtpmap:101 telephone-event/8000\r\n") {
		t.Fatalf("offer:\n%s", text)
	}
	back, err := ParseSDP(sd.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	n, err := Negotiate(back, []Format{testFormats[1]})
	if err != nil || n.Format.Name != "PCMA" || n.DTMFPayloadType != 101 {
		t.Fatalf("negotiate own offer: %+v %v", n, err)
	}
}

func TestSDPErrorWarning(t *testing.T) {
	tests := []struct {
		err  *SDPError
		want string
	}{
		{&SDPError{Reason: ReasonNoCommonCodec, Detail: "offered G729"}, `305 vastaa "no-common-codec: offered G729"`},
		{&SDPError{Reason: ReasonNoAudio}, `304 vastaa "no-audio"`},
		{&SDPError{Reason: ReasonMalformedSDP, Detail: `a "quote"`}, `399 vastaa "malformed-sdp: a \"quote\""`},
		{&SDPError{Reason: ReasonUnsupportedProto}, `302 vastaa "unsupported-transport"`},
	}
	for _, tc := range tests {
		if got := tc.err.Warning("vastaa"); got != tc.want {
			t.Errorf("Warning = %s, want %s", got, tc.want)
		}
	}
}

func FuzzParseSDP(f *testing.F) {
	f.Add(sdpLines("v=0", "o=- 1 1 IN IP4 10.0.0.1", "s=-", "c=IN IP4 10.0.0.1", "t=0 0", "m=audio 4000 RTP/AVP 0 101", "a=rtpmap:101 telephone-event/8000"))
	f.Add(sdpLines("v=0", "o=- 1 1 IN IP4 10.0.0.1", "s=-", "m=audio 4000/2 RTP/AVP 97", "c=IN IP6 ::1/127", "a=rtpmap:97 PCMA/8000/1", "a=ptime:x"))
	f.Add([]byte("v=0\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := ParseSDP(b)
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		n, err := Negotiate(sd, testFormats)
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("unclassified negotiate error %v", err)
			}
			return
		}
		ans := BuildAnswer(sd, n, LocalMedia{IP: net.ParseIP("127.0.0.1"), Port: 1})
		if _, err := ParseSDP(ans.Marshal()); err != nil {
			t.Fatalf("our answer does not parse: %v\n%s", err, ans.Marshal())
		}
	})
}
