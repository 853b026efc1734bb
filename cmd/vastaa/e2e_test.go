package main

// End-to-end tests: the whole product (SIP, RTP, VAD, pocketsphinx, intent,
// Temporal workflow on the embedded server, knowledge base, espeak-ng,
// call records) answers real SIP peers from Debian: baresip and sipp.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/media/sipua"
	"github.com/vastaa/vastaa/media/sipua/sipptest"
	"github.com/vastaa/vastaa/pipeline/speechtest"
	"github.com/vastaa/vastaa/workflows/callstore"
)

// testApp is one running Vastaa shared by the end-to-end tests.
var testApp struct {
	a   *app
	dir string
	err error
}

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("", "vastaa-e2e-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		testApp.dir = dir
		cfg := benchServeConfig(filepath.Join(dir, "data"))
		cfg.Record = true
		cfg.NoInput = 2 * time.Second
		cfg.LogLevel = "info"
		// Callbacks dial out through the bot's own SIP address: the
		// "caller" called back is the bot answering a new call.
		cfg.Callback.Trunk = cfg.SIPAddr
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		testApp.a, testApp.err = startApp(ctx, cfg)
		code := m.Run()
		if testApp.a != nil {
			if err := testApp.a.stop(); err != nil {
				fmt.Fprintln(os.Stderr, "stopping the app:", err)
			}
		}
		return code
	}()
	os.Exit(code)
}

func runningApp(t *testing.T) *app {
	t.Helper()
	if testApp.err != nil {
		t.Fatalf("vastaa did not start: %v", testApp.err)
	}
	return testApp.a
}

// callFrom waits for the call whose caller is user to end and returns its record.
func callFrom(t *testing.T, a *app, user string, wait time.Duration) callstore.Call {
	t.Helper()
	c, err := endedCallFrom(context.Background(), a.store, user, wait)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// festivalWAV writes Festival speech at 8 kHz with lead and tail silence
// to a WAV file for baresip to play.
func festivalWAV(t *testing.T, text string, lead, tail float64) string {
	t.Helper()
	pcm := speechtest.Pad(speechtest.Festival(t, text, 8000), 8000, lead, tail)
	out := filepath.Join(t.TempDir(), "say.wav")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := media.WriteWAV(f, 8000, 1, pcm); err != nil {
		t.Fatal(err)
	}
	return out
}

// baresipCall makes baresip dial the bot as user, play wav and hang up when
// it ends. It returns the directory holding baresip's recordings.
func baresipCall(t *testing.T, a *app, user, wav string) string {
	t.Helper()
	dir := t.TempDir()
	rec := filepath.Join(dir, "rec")
	if err := os.Mkdir(rec, 0o755); err != nil {
		t.Fatal(err)
	}
	port := freePort()
	config := strings.Join([]string{
		"poll_method epoll",
		fmt.Sprintf("sip_listen 127.0.0.1:%d", port),
		"net_interface 127.0.0.1",
		"audio_source aufile," + wav,
		"audio_player aufile," + filepath.Join(dir, "played.wav"),
		"audio_alert aufile,/dev/null",
		"ausrc_srate 8000", "auplay_srate 8000", "ausrc_channels 1", "auplay_channels 1",
		"module_path /usr/lib/baresip/modules",
		"module g711.so", "module aufile.so", "module sndfile.so",
		"snd_path " + rec,
		"module_app account.so", "module_app menu.so",
		"",
	}, "\n")
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	account := fmt.Sprintf("<sip:%s@127.0.0.1>;regint=0;audio_codecs=PCMU\n", user)
	if err := os.WriteFile(filepath.Join(dir, "accounts"), []byte(account), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// baresip stays up after the call; -t is only a safety net: the test
	// stops it once the bot has recorded the end of the call.
	cmd := exec.CommandContext(ctx, "baresip", "-f", dir, "-e", "/dial sip:vastaa@"+a.sipAddr, "-t", "80")
	cmd.Env = append(os.Environ(), "HOME="+dir)
	logPath := filepath.Join(dir, "baresip.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("baresip: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer logFile.Close()
	callFrom(t, a, user, 75*time.Second)
	time.Sleep(300 * time.Millisecond) // let baresip close its recordings
	cmd.Process.Signal(os.Interrupt)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
	return rec
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// decodedRecording reads baresip's recording of what it received from the bot.
func decodedRecording(t *testing.T, recDir string) []int16 {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(recDir, "*-dec.wav"))
	if len(m) != 1 {
		t.Fatalf("want one decoded recording in %s, found %v", recDir, m)
	}
	f, err := os.Open(m[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pcm, rate, err := media.ReadWAV(f)
	if err != nil {
		t.Fatal(err)
	}
	return media.Resample(pcm, rate, 8000)
}

// voicedSeconds counts 20 ms frames louder than -40 dBFS.
func voicedSeconds(pcm []int16, from, to float64) float64 {
	n := 0
	for i := int(from * 8000); i+160 <= len(pcm) && float64(i) < to*8000; i += 160 {
		var s float64
		for _, v := range pcm[i : i+160] {
			s += float64(v) * float64(v)
		}
		if math.Sqrt(s/160) > 328 {
			n++
		}
	}
	return float64(n) * 0.02
}

func turnWith(c callstore.Call, pred func(callstore.Turn) bool) (callstore.Turn, bool) {
	for _, t := range c.Turns {
		if pred(t) {
			return t, true
		}
	}
	return callstore.Turn{}, false
}

func TestE2EBaresipAsksOpeningHours(t *testing.T) {
	a := runningApp(t)
	// The bot greets first (about 8 s); the question starts after it and
	// the tail leaves time to hear the whole answer before baresip hangs up.
	const lead = 9.0
	// The long tail keeps baresip on the line: after the answer the bot
	// reprompts once and then says goodbye and hangs up itself.
	wav := festivalWAV(t, "What are your opening hours?", lead, 30)
	rec := baresipCall(t, a, "e2e-hours", wav)
	c := callFrom(t, a, "e2e-hours", 20*time.Second)

	turn, ok := turnWith(c, func(t callstore.Turn) bool { return t.CallerText != "" })
	if !ok {
		t.Fatalf("no turn heard the question; turns: %+v", c.Turns)
	}
	// pocketsphinx hears Festival's "opening" over G.711 as "opening" or
	// "open on": the content words must be there, in order.
	if !regexp.MustCompile(`^what are your open(ing| on) hours`).MatchString(turn.CallerText) {
		t.Errorf("transcript %q does not match the question", turn.CallerText)
	}
	if turn.BargeIn {
		t.Errorf("the question was taken as a barge-in: the greeting should have ended")
	}
	if turn.Intent != "question" || turn.Route != "self_service" {
		t.Errorf("intent %q route %q, want question/self_service", turn.Intent, turn.Route)
	}
	if len(turn.Citations) == 0 || turn.Citations[0] != "opening-hours" {
		t.Errorf("citations %v, want opening-hours", turn.Citations)
	}
	if turn.Timings.FirstAudio <= 0 || turn.Timings.STT <= 0 || turn.Timings.Endpointing <= 0 {
		t.Errorf("stage timings missing: %+v", turn.Timings)
	}
	if c.EndReason != "bot-hangup" {
		t.Errorf("end reason %q, want bot-hangup after the silent tail", c.EndReason)
	}
	if c.Recording == "" {
		t.Error("call has no recording")
	} else if _, err := os.Stat(c.Recording); err != nil {
		t.Errorf("recording: %v", err)
	}
	// What baresip heard: the greeting before the question, and an answer of
	// plausible length after it (the answer names hours: several seconds).
	heard := decodedRecording(t, rec)
	if g := voicedSeconds(heard, 0, lead); g < 1 {
		t.Errorf("greeting: %.1f s of speech heard, want >= 1 s", g)
	}
	if ans := voicedSeconds(heard, lead+1.5, lead+1.5+10); ans < 2 {
		t.Errorf("answer: %.1f s of speech heard in the 10 s after the question, want >= 2 s", ans)
	}
	t.Logf("heard %q -> intent %s (%.2f), route %s, cites %v; first audio %.0f ms (endpoint %.0f, stt %.0f, decide %.0f, tts %.0f)",
		turn.CallerText, turn.Intent, turn.IntentConfidence, turn.Route, turn.Citations, turn.Timings.FirstAudio,
		turn.Timings.Endpointing, turn.Timings.STT, turn.Timings.Decision, turn.Timings.TTS)
}

func TestE2EBaresipAsksForPerson(t *testing.T) {
	a := runningApp(t)
	wav := festivalWAV(t, "I want to talk to a person.", 9, 6)
	baresipCall(t, a, "e2e-person", wav)
	c := callFrom(t, a, "e2e-person", 20*time.Second)
	turn, ok := turnWith(c, func(t callstore.Turn) bool { return t.Route == "handoff" })
	if !ok {
		t.Fatalf("not routed to a person; turns: %+v", c.Turns)
	}
	if turn.Intent != "human" {
		t.Errorf("intent %q (%q), want human", turn.Intent, turn.CallerText)
	}
	if c.Route != "handoff" || c.Queue == "" {
		t.Errorf("call route %q queue %q, want handoff to a queue", c.Route, c.Queue)
	}
}

// sippPressesZero runs sipp's caller pressing 0 against a and returns the
// ended call's record. sipp's play_dtmf sends RFC 4733 on payload type 96;
// its caller is "sipp".
func sippPressesZero(t *testing.T, a *app) callstore.Call {
	t.Helper()
	sipptest.RunT(t, sipptest.Options{Scenario: sipptest.Scenario("dtmf0.xml"), Target: a.sipAddr, Timeout: 30 * time.Second})
	return callFrom(t, a, "sipp", 20*time.Second)
}

func TestE2ESippPressesZero(t *testing.T) {
	a := runningApp(t)
	c := sippPressesZero(t, a)
	turn, ok := turnWith(c, func(t callstore.Turn) bool { return t.DTMF == "0" })
	if !ok {
		t.Fatalf("no DTMF 0 turn; turns: %+v", c.Turns)
	}
	if turn.Route != "handoff" || c.Queue == "" {
		t.Errorf("DTMF 0 routed to %q queue %q, want handoff", turn.Route, c.Queue)
	}
}

func TestE2ESilentCallerGetsRepromptThenGoodbye(t *testing.T) {
	a := runningApp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	pacer := media.NewPacer(20 * time.Millisecond)
	pacer.Start(ctx)
	defer pacer.Stop()
	c, err := sipua.Dial(ctx, sipua.DialConfig{To: "sip:vastaa@" + a.sipAddr, From: "sip:e2e-silent@127.0.0.1", LocalIP: "127.0.0.1", Pacer: pacer})
	if err != nil {
		t.Fatal(err)
	}
	// Say nothing: the bot must reprompt, then say goodbye and hang up itself.
	select {
	case <-c.Done():
	case <-ctx.Done():
		c.Hangup(context.Background(), "test-timeout")
		t.Fatal("the bot did not hang up on a silent caller")
	}
	rec := callFrom(t, a, "e2e-silent", 10*time.Second)
	if rec.EndReason != "bot-hangup" {
		t.Errorf("end reason %q, want bot-hangup", rec.EndReason)
	}
	silent := 0
	for _, turn := range rec.Turns {
		if turn.Silence {
			silent++
		}
	}
	if silent != 2 {
		t.Errorf("%d silence turns, want 2 (reprompt, goodbye): %+v", silent, rec.Turns)
	}
}

func TestE2ECallerHangsUpMidSentence(t *testing.T) {
	a := runningApp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	pacer := media.NewPacer(20 * time.Millisecond)
	pacer.Start(ctx)
	defer pacer.Stop()
	speech, err := speakForTest(ctx, "I would like to ask about the prices of your vaccinations for children and adults", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := sipua.Dial(ctx, sipua.DialConfig{To: "sip:vastaa@" + a.sipAddr, From: "sip:e2e-hangup@127.0.0.1", LocalIP: "127.0.0.1", Pacer: pacer})
	if err != nil {
		t.Fatal(err)
	}
	listenTurn(ctx, c, 10*time.Second) // the greeting
	c.Media.Play(speech[:len(speech)/2])
	time.Sleep(time.Duration(len(speech)/2) * time.Second / 8000)
	if err := c.Hangup(ctx, "caller-gone"); err != nil {
		t.Fatal(err)
	}
	rec := callFrom(t, a, "e2e-hangup", 10*time.Second)
	if rec.EndReason != "caller-hangup:mid-utterance" {
		t.Errorf("end reason %q, want caller-hangup:mid-utterance", rec.EndReason)
	}
}

// TestMediaClockAPI: GET /api/media tells ops how punctual the media clock
// has been: after a call, packets written by the sender threads, their
// lateness, one sender thread per shard.
func TestMediaClockAPI(t *testing.T) {
	a := runningApp(t)
	sippPressesZero(t, a)
	resp, err := http.Get("http://" + a.httpAddr + "/api/media")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st clockStats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if st.PacketsSent == 0 || st.LateP99Ms <= 0 || st.LateMaxMs < st.LateP99Ms || st.SenderThreads != a.pacer.Shards() {
		t.Errorf("media clock figures after a call: %+v", st)
	}
}
