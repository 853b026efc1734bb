package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vastaa/vastaa/media/sipua"
	"github.com/vastaa/vastaa/media/sipua/sipptest"
	"github.com/vastaa/vastaa/workflows/callback"
)

func TestCallbackDialOutcome(t *testing.T) {
	live := context.Background()
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	rej := func(code int) error { return fmt.Errorf("wrapped: %w", &sipua.ErrRejected{StatusCode: code}) }
	tests := []struct {
		name   string
		err    error
		parent context.Context
		want   callback.Outcome
	}{
		{"486 busy here", rej(486), live, callback.Busy},
		{"600 busy everywhere", rej(600), live, callback.Busy},
		{"408 request timeout", rej(408), live, callback.NoAnswer},
		{"480 temporarily unavailable", rej(480), live, callback.NoAnswer},
		{"487 after our cancel", rej(487), live, callback.NoAnswer},
		{"404 not found", rej(404), live, callback.Rejected},
		{"503 service unavailable", rej(503), live, callback.Rejected},
		{"603 decline", rej(603), live, callback.Rejected},
		{"ring timeout", fmt.Errorf("sipua: waiting for answer: %w", context.DeadlineExceeded), live, callback.NoAnswer},
		{"attempt stopped", fmt.Errorf("sipua: waiting for answer: %w", context.DeadlineExceeded), stopped, callback.Failed},
		{"transport error", errors.New("sipua: INVITE: write: connection refused"), live, callback.Failed},
	}
	for _, tc := range tests {
		if got := dialOutcome(tc.err, tc.parent); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// An invalid number fails the attempt before anything is synthesised or
// sent: nothing reaches the trunk.
func TestCallbackSIPDialerInvalidNumber(t *testing.T) {
	trunk, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer trunk.Close()
	var spoke atomic.Int32
	d := &sipDialer{Trunk: trunk.LocalAddr().String(), RingTimeout: time.Second, Log: testLogger(t),
		Speak: func(text, lang string) ([]int16, error) { spoke.Add(1); return toneSpeech(text, lang) }}
	for _, n := range []string{"040 123 4567", "sip:evil@example.com", "+", "12345678901234567"} {
		out, err := d.Dial(context.Background(), callback.Attempt{CallID: "c1", Number: n, Attempt: 1, Prompt: callback.Prompt("en")})
		if out != callback.Failed || !errors.Is(err, callback.ErrInvalidNumber) {
			t.Errorf("%q: %s %v", n, out, err)
		}
	}
	trunk.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, _, err := trunk.ReadFrom(make([]byte, 2048)); err == nil {
		t.Errorf("the trunk got %d bytes for an invalid number", n)
	}
	if spoke.Load() != 0 {
		t.Error("the prompt was synthesised for an invalid number")
	}
	// No trunk configured is a failure too, and says so.
	out, err := (&sipDialer{Speak: toneSpeech}).Dial(context.Background(), callback.Attempt{CallID: "c1", Number: "112", Attempt: 1})
	if out != callback.Failed || err == nil || !strings.Contains(err.Error(), "trunk") {
		t.Errorf("no trunk: %s %v", out, err)
	}
}

// The real dialer against sipp playing the callee's phone on 127.0.0.1.
func TestCallbackSIPDialerSipp(t *testing.T) {
	sipptest.Require(t)
	tests := []struct {
		name     string
		scenario string
		want     callback.Outcome
		minTime  time.Duration // the answered call lasts the prompt
		detail   string
	}{
		{"answered", uasAnswer, callback.Answered, 1500 * time.Millisecond, ""},
		{"busy", uasBusy, callback.Busy, 0, "486"},
		{"rings out", uasRingNoAnswer, callback.NoAnswer, 0, "no answer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sf := filepath.Join(dir, "uas.xml")
			if err := os.WriteFile(sf, []byte(tc.scenario), 0o644); err != nil {
				t.Fatal(err)
			}
			port, err := sipptest.FreeUDPPort("127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			ran := make(chan sipptest.Result, 1)
			go func() {
				// sipp is the callee here: the scenario starts by receiving
				// the INVITE, and Target only fills [remote_ip] (unused).
				res, err := sipptest.Run(context.Background(), sipptest.Options{Scenario: sf, Target: "127.0.0.1:9",
					LocalPort: port, Timeout: 15 * time.Second, Dir: dir})
				if err != nil {
					res.ExitCode, res.Output = -1, err.Error()
				}
				ran <- res
			}()
			waitUDPBound(t, port, ran)
			d := &sipDialer{Trunk: "127.0.0.1:" + strconv.Itoa(port), RingTimeout: 2 * time.Second, Speak: toneSpeech, Log: testLogger(t)}
			start := time.Now()
			out, err := d.Dial(context.Background(), callback.Attempt{CallID: "c1", Number: "+358401234567", Language: "fi",
				Attempt: 1, Prompt: callback.Prompt("fi")})
			took := time.Since(start)
			t.Logf("outcome %s in %v (%v)", out, took.Round(time.Millisecond), err)
			if out != tc.want {
				t.Errorf("outcome %s, want %s (%v)", out, tc.want, err)
			}
			if tc.detail != "" && (err == nil || !strings.Contains(err.Error(), tc.detail)) {
				t.Errorf("error %v, want it to mention %q", err, tc.detail)
			}
			if took < tc.minTime {
				t.Errorf("the call took %v: the prompt was not played", took)
			}
			select {
			case res := <-ran:
				if res.ExitCode != 0 {
					t.Errorf("%s\n%s", res.Failed(), res.Output)
				} else if !strings.Contains(res.Messages, "INVITE sip:+358401234567@127.0.0.1:"+strconv.Itoa(port)) {
					t.Errorf("sipp did not get the INVITE to the number at the trunk:\n%s", res.Messages)
				}
			case <-time.After(20 * time.Second):
				t.Error("sipp did not finish")
			}
		})
	}
	// Nothing listening at the trunk: no answer, within the ring timeout
	// and its grace.
	t.Run("nothing listening", func(t *testing.T) {
		port, err := sipptest.FreeUDPPort("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		d := &sipDialer{Trunk: "127.0.0.1:" + strconv.Itoa(port), RingTimeout: 2 * time.Second, Speak: toneSpeech, Log: testLogger(t)}
		start := time.Now()
		out, err := d.Dial(context.Background(), callback.Attempt{CallID: "c2", Number: "0401234567", Attempt: 1, Prompt: callback.Prompt("en")})
		took := time.Since(start)
		t.Logf("outcome %s in %v (%v)", out, took.Round(time.Millisecond), err)
		if out != callback.NoAnswer && out != callback.Failed {
			t.Errorf("outcome %s, want no-answer or failed", out)
		}
		if took > 2*time.Second+dialGrace+time.Second {
			t.Errorf("took %v", took)
		}
	})
}

// waitUDPBound waits until sipp has bound the port, failing with sipp's
// output if it exits first.
func waitUDPBound(t *testing.T, port int, ran <-chan sipptest.Result) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		pc, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			return // taken: sipp is listening
		}
		pc.Close()
		select {
		case res := <-ran:
			t.Fatalf("sipp exited before listening: %s\n%s", res.Failed(), res.Output)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("nothing bound udp port %d in 5 s", port)
}

// toneSpeech stands in for speech synthesis: 2 s of 440 Hz at 8 kHz.
func toneSpeech(text, lang string) ([]int16, error) {
	if text == "" {
		return nil, errors.New("nothing to say")
	}
	out := make([]int16, 16000)
	for i := range out {
		out[i] = int16(6000 * math.Sin(2*math.Pi*440*float64(i)/8000))
	}
	return out, nil
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// sipp scenarios of the callee's phone (sipp as UAS).
const (
	uasHead = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
`
	// uasRinging is the 180 Ringing a callee's phone sends first.
	uasRinging = `  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0
    ]]>
  </send>
`
	uasAnswer = uasHead + `<scenario name="callee answers">
  <recv request="INVITE"/>
` + uasRinging + `  <pause milliseconds="200"/>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=callee 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv request="ACK"/>
  <recv request="BYE" timeout="10000"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
</scenario>
`
	uasBusy = uasHead + `<scenario name="callee busy">
  <recv request="INVITE"/>
  <send>
    <![CDATA[
      SIP/2.0 486 Busy Here
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <recv request="ACK"/>
</scenario>
`
	// The phone rings until the caller gives up: CANCEL, 200 to it, 487 to
	// the INVITE, ACK.
	uasRingNoAnswer = uasHead + `<scenario name="callee does not answer">
  <recv request="INVITE"/>
` + uasRinging + `  <recv request="CANCEL" timeout="10000">
    <action>
      <!-- A CANCEL carries the INVITE's CSeq number (RFC 3261 section 9.1). -->
      <ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" check_it="true" assign_to="cseqnum"/>
    </action>
  </recv>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <send>
    <![CDATA[
      SIP/2.0 487 Request Terminated
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      CSeq: [$cseqnum] INVITE
      Content-Length: 0
    ]]>
  </send>
  <recv request="ACK"/>
</scenario>
`
)
