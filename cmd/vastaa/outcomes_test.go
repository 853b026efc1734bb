package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/media/sipua"
	"github.com/vastaa/vastaa/pipeline/speechtest"
	"github.com/vastaa/vastaa/workflows"
	qflow "github.com/vastaa/vastaa/workflows/queues"
	"github.com/vastaa/vastaa/workflows/voicemail"
)

func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// loudFor listens for d and says how much of it was sound.
func loudFor(ctx context.Context, c *sipua.Call, d time.Duration) time.Duration {
	var loud time.Duration
	end := time.After(d)
	for {
		select {
		case <-ctx.Done():
			return loud
		case <-c.Done():
			return loud
		case <-end:
			return loud
		case f := <-c.Media.Frames():
			if rms(f) > 300 {
				loud += time.Duration(len(f)) * time.Second / 8000
			}
		}
	}
}

func dialBot(t *testing.T, ctx context.Context, a *app, user string) *sipua.Call {
	t.Helper()
	c, err := sipua.Dial(ctx, sipua.DialConfig{To: "sip:vastaa@" + a.sipAddr, From: "sip:" + user + "@127.0.0.1", LocalIP: "127.0.0.1", Pacer: a.pacer})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Hangup(context.Background(), "test-done") })
	if heard := listenTurn(ctx, c, 20*time.Second); len(heard) == 0 {
		t.Fatal("no greeting")
	}
	return c
}

// A caller over SIP presses 2, hears the prompt and the beep, leaves a
// spoken message (Festival English) and presses #; the bot thanks them and
// hangs up; the message is kept as a WAV file, transcribed, triaged and
// turned into a task at GET /api/tasks.
func TestE2EVoicemailBecomesATask(t *testing.T) {
	a := runningApp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	const user = "+358401239876"
	c := dialBot(t, ctx, a, user)
	if err := c.Media.SendDTMF('2', 120*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// The prompt, then the beep: recording starts after the beep.
	prompt := listenTurn(ctx, c, 20*time.Second)
	if len(prompt) < 8000 {
		t.Fatalf("heard %d samples of the voicemail prompt", len(prompt))
	}
	listenTurn(ctx, c, 3*time.Second) // the beep (it may have been heard with the prompt)
	msg := speechtest.Pad(speechtest.Festival(t, "Hello, I need to renew my prescription for blood pressure medicine. Please call me back.", 8000), 8000, 0.3, 0.5)
	pb := c.Media.Play(msg)
	select {
	case <-pb.Done():
	case <-ctx.Done():
		t.Fatal("message not played")
	}
	if err := c.Media.SendDTMF('#', 120*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if bye := listenTurn(ctx, c, 20*time.Second); len(bye) < 8000 {
		t.Errorf("heard %d samples of the thank-you", len(bye))
	}
	select {
	case <-c.Done():
	case <-time.After(15 * time.Second):
		t.Error("the bot did not hang up after the message")
	}
	rec := callFrom(t, a, user, 10*time.Second)
	if rec.EndReason != "voicemail" || rec.Route != "voicemail" {
		t.Errorf("call record: route %q end %q", rec.Route, rec.EndReason)
	}
	var task voicemail.Task
	deadline := time.Now().Add(60 * time.Second)
	for {
		var list []voicemail.Task
		getJSON(t, "http://"+a.httpAddr+"/api/tasks?limit=500", &list)
		found := false
		for _, x := range list {
			if x.CallID == rec.ID {
				task, found = x, true
			}
		}
		if found && task.Transcript != "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if task.CallID != rec.ID {
		t.Fatalf("no task for call %s", rec.ID)
	}
	t.Logf("task %s: team %s priority %d transcript %q", task.ID, task.Team, task.Priority, task.Transcript)
	if task.Status != voicemail.StatusOpen || task.DueAt.Before(task.CreatedAt) || task.CallbackNumber == "" {
		t.Errorf("task %+v", task)
	}
	if !strings.Contains(strings.ToLower(task.Transcript), "prescription") || task.Team != "prescriptions" {
		t.Errorf("transcript %q triaged to %q, want the prescriptions team", task.Transcript, task.Team)
	}
	if fi, err := os.Stat(task.RecordingPath); err != nil || fi.Size() < int64(len(msg)) {
		t.Errorf("recording %s: %v (%v bytes, message %d samples)", task.RecordingPath, err, fi, len(msg))
	} else {
		f, _ := os.Open(task.RecordingPath)
		pcm, rate, err := media.ReadWAV(f)
		f.Close()
		if err != nil || rate != 8000 || voicedSeconds(pcm, 0, float64(len(pcm))/8000) < 1.5 {
			t.Errorf("recording: rate %d err %v, %.1f s voiced", rate, err, voicedSeconds(pcm, 0, float64(len(pcm))/8000))
		}
	}
	// The team can take it, over HTTP and from the terminal.
	req, _ := http.NewRequest(http.MethodPatch, "http://"+a.httpAddr+"/api/tasks/"+task.ID, strings.NewReader(`{"status":"pending","assignee":"aino"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("patch: %v %v", resp, err)
	}
	resp.Body.Close()
	dataDir := a.cfg.DataDir
	if code, out := vastaa(t, "tasks", "--data-dir", dataDir, "--team", "prescriptions"); code != 0 || !strings.Contains(out, "pending") || !strings.Contains(out, "aino") {
		t.Errorf("vastaa tasks: %d %q", code, out)
	}
	if code, out := vastaa(t, "tasks", "set", task.ID, "--data-dir", dataDir, "--status", "solved"); code != 0 || !strings.Contains(out, "solved") {
		t.Errorf("vastaa tasks set: %d %q", code, out)
	}
	if code, _ := vastaa(t, "tasks", "set", task.ID, "--data-dir", dataDir, "--status", "asleep"); code == 0 {
		t.Error("a bad status was accepted")
	}
	if code, out := vastaa(t, "tasks", "--data-dir", dataDir, "--status", "open"); code != 0 || strings.Contains(out, "prescriptions") {
		t.Errorf("solved task still listed as open: %q", out)
	}
}

// Bookings made by voice show up in the resource's iCalendar feed.
func TestBookingsICS(t *testing.T) {
	a := runningApp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	offer, err := a.desk.Offer(ctx, workflows.OfferRequest{Text: "a nurse as soon as possible", Language: "en", Earliest: true})
	if err != nil || len(offer.Slots) == 0 {
		t.Fatalf("offer %+v %v", offer, err)
	}
	b, err := a.desk.Book(ctx, workflows.BookSlot{ID: "ics-test", Slot: offer.Slots[0], Caller: "+358401110000", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + a.httpAddr + "/api/bookings/" + b.Resource + ".ics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ics := string(body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") ||
		!strings.Contains(ics, "BEGIN:VCALENDAR") || !strings.Contains(ics, "ics-test") ||
		!strings.Contains(ics, b.Start.UTC().Format("20060102T150405Z")) || strings.Contains(ics, "+358401110000") {
		t.Errorf("ics %d %q:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), ics)
	}
	if resp, err := http.Get("http://" + a.httpAddr + "/api/bookings/nobody.ics"); err != nil || resp.StatusCode != 404 {
		t.Errorf("unknown resource: %v %v", resp.Status, err)
	}
	if err := a.desk.Cancel(ctx, b); err != nil {
		t.Fatal(err)
	}
}

// A caller handed to a person hears their place in the queue, then
// presses 1: the callback keeps their place (the entry stays, flagged as a
// callback with the caller's number), the bot says so and hangs up, and
// the hang-up is not an abandonment.
func TestE2EHoldAnnouncementAndCallback(t *testing.T) {
	a := runningApp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	const user = "+358401235555"
	c := dialBot(t, ctx, a, user)
	if err := c.Media.SendDTMF('0', 120*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// "Connecting you, you are number N", then at once the announcement
	// of the place and wait with the choices, then hold music: sound all
	// along (this test caller sends no RTP while quiet, so it keeps the
	// wait short of the bot's RTP timeout).
	if loud := loudFor(ctx, c, 8*time.Second); loud < 5*time.Second {
		t.Fatalf("heard %v of sound in the first 8 s on hold", loud)
	}
	var callID string
	var st qflow.State
	getJSON(t, "http://"+a.httpAddr+"/api/queues", &st)
	for _, w := range st.Waiting {
		if strings.HasPrefix(w.Summary, "Language: en") && strings.Contains(w.Summary, user) {
			callID = w.CallID
		}
	}
	if callID == "" {
		t.Fatalf("the call is not waiting: %+v", st.Waiting)
	}
	t.Cleanup(func() {
		// Take the callback out again so later tests' agents do not get it.
		workflows.Update(context.Background(), a.tc, qflow.WorkflowID, qflow.UpdateLeave, nil, callID, qflow.LeaveCancel)
	})
	pos, err := a.queues.Position(ctx, callID)
	if err != nil || pos.Position < 1 {
		t.Fatalf("position %+v %v", pos, err)
	}
	if err := c.Media.SendDTMF('1', 120*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("the bot did not hang up after the callback was taken")
	}
	rec := callFrom(t, a, user, 10*time.Second)
	if rec.EndReason != "callback-requested" {
		t.Errorf("end reason %q", rec.EndReason)
	}
	getJSON(t, "http://"+a.httpAddr+"/api/queues", &st)
	var entry *qflow.State
	for _, w := range st.Waiting {
		if w.CallID == callID {
			if !w.Callback || w.Number != user {
				t.Errorf("waiting entry %+v", w)
			}
			entry = &st
		}
	}
	if entry == nil {
		t.Fatal("the callback lost its place")
	}
	for _, e := range st.Events {
		if e.CallID == callID && e.Kind == qflow.KindAbandoned {
			t.Error("a callback was recorded as abandoned")
		}
	}

	// An agent comes free: the callback dials the caller's number over SIP
	// (here the trunk is the bot itself, which answers), and the outcome
	// is recorded with the agent kept for the call.
	put := func(body string) {
		req, _ := http.NewRequest(http.MethodPut, "http://"+a.httpAddr+"/api/agents/agent-cb", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("agent update: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	put(`{"name":"Callback agent","skills":["queue:general","lang:en"],"state":"available"}`)
	defer put(`{"state":"away"}`)
	kinds := map[string]qflow.Event{}
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) && kinds[qflow.KindCallbackConnected].CallID == "" && kinds[qflow.KindCallbackFailed].CallID == "" {
		time.Sleep(200 * time.Millisecond)
		getJSON(t, "http://"+a.httpAddr+"/api/queues", &st)
		for _, e := range st.Events {
			if e.CallID == callID {
				kinds[e.Kind] = e
			}
		}
	}
	if kinds[qflow.KindCallbackAssigned].AgentID == "" || kinds[qflow.KindCallbackAttempt].Outcome != "answered" || kinds[qflow.KindCallbackConnected].CallID == "" {
		t.Fatalf("callback events %+v", kinds)
	}
	for _, ag := range st.Agents {
		if ag.ID == "agent-cb" && (ag.State != "busy" || ag.Call != callID) {
			t.Errorf("agent after the callback connected: %+v", ag)
		}
	}
}
