package booking

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

const testConfig = `
time_zone: Europe/Helsinki
reminder_before: 24h
services:
  - id: gp
    names: {en: GP visit, fi: Lääkärin vastaanotto}
    duration: 20m
  - id: nurse
    names: {en: "Nurse visit, short", fi: Hoitajan vastaanotto}
    duration: 15m
resources:
  - id: dr-virtanen
    name: Dr Virtanen
    services: [gp]
    slot: 20m
    hours: {mon: "08:00-12:00", tue: "08:00-12:00", fri: "12:00-13:00"}
  - id: nurse-room
    name: Nurse room
    services: [nurse]
    slot: 15m
    hours: {mon: "08:00-18:00"}
`

func cfg(t *testing.T) *Config {
	t.Helper()
	c, err := ParseConfig([]byte(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConfigAndSlots(t *testing.T) {
	c := cfg(t)
	loc := c.Location()
	r, _ := c.Resource("dr-virtanen")
	// Friday 2026-12-04 12:00-13:00 Helsinki: three 20-minute slots.
	from := time.Date(2026, 12, 4, 0, 0, 0, 0, loc)
	slots := r.Slots(from, from.AddDate(0, 0, 1), loc)
	if len(slots) != 3 || slots[0].Hour() != 12 || slots[2].Minute() != 40 {
		t.Fatalf("friday slots %v", slots)
	}
	week := r.Slots(time.Date(2026, 11, 30, 0, 0, 0, 0, loc), time.Date(2026, 12, 7, 0, 0, 0, 0, loc), loc)
	if len(week) != 12+12+3 {
		t.Errorf("%d slots in a week", len(week))
	}
	if !r.IsSlot(time.Date(2026, 12, 4, 12, 20, 0, 0, loc), loc) || r.IsSlot(time.Date(2026, 12, 4, 12, 10, 0, 0, loc), loc) ||
		r.IsSlot(time.Date(2026, 12, 5, 9, 0, 0, 0, loc), loc) {
		t.Error("IsSlot")
	}
	if got := c.ResourcesFor("nurse"); len(got) != 1 || got[0].ID != "nurse-room" {
		t.Errorf("ResourcesFor %v", got)
	}
	for name, bad := range map[string]string{
		"zone":     strings.Replace(testConfig, "Europe/Helsinki", "Mars/Olympus", 1),
		"service":  strings.Replace(testConfig, "services: [gp]", "services: [dentist]", 1),
		"day":      strings.Replace(testConfig, "fri:", "fry:", 1),
		"hours":    strings.Replace(testConfig, `"12:00-13:00"`, `"13:00-12:00"`, 1),
		"too long": strings.Replace(testConfig, "duration: 20m", "duration: 40m", 1),
		"typo":     strings.Replace(testConfig, "reminder_before", "remind_before", 1),
	} {
		if _, err := ParseConfig([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// recorder is a Notifier that keeps what it was asked to send.
type recorder struct {
	mu   sync.Mutex
	sent []Notification
	at   []time.Time
	now  func() time.Time
}

func (r *recorder) Notify(ctx context.Context, n Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, n)
	return nil
}

func (r *recorder) kinds() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var k []string
	for _, n := range r.sent {
		k = append(k, string(n.Kind)+":"+n.Booking.ID)
	}
	return strings.Join(k, " ")
}

// updates sends updates in the test environment and keeps their outcomes
// by key (they complete after the callback that sent them returns).
type updates struct {
	env *testsuite.TestWorkflowEnvironment
	mu  sync.Mutex
	got map[string]Booking
	err map[string]error
}

func (u *updates) send(key, name string, arg any) {
	u.env.UpdateWorkflow(name, key, &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(e error) { u.mu.Lock(); u.err[key] = e; u.mu.Unlock() },
		OnComplete: func(v any, e error) {
			u.mu.Lock()
			defer u.mu.Unlock()
			if e != nil {
				u.err[key] = e
				return
			}
			if bk, ok := v.(Booking); ok {
				u.got[key] = bk
			}
		},
	}, arg)
}

func TestResourceWorkflow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(tlog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	rec := &recorder{}
	env.RegisterWorkflowWithOptions(ResourceWorkflow, workflow.RegisterOptions{Name: "BookingResourceWorkflow"})
	env.RegisterActivity(&Activities{Notifier: rec})
	c := cfg(t)
	loc := c.Location()
	start := time.Date(2026, 11, 30, 7, 0, 0, 0, loc) // Monday 07:00
	env.SetStartTime(start)
	mon9 := time.Date(2026, 11, 30, 9, 0, 0, 0, loc)
	tue10 := time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
	fri12 := time.Date(2026, 12, 4, 12, 0, 0, 0, loc)
	u := &updates{env: env, got: map[string]Booking{}, err: map[string]error{}}
	reminderAt := map[string]time.Time{}
	env.RegisterDelayedCallback(func() {
		u.send("b1", UpdateBook, BookRequest{ID: "b1", Service: "gp", Start: fri12, Caller: "+358401111111", Name: "Aino", Language: "fi"})
		u.send("b2", UpdateBook, BookRequest{ID: "b2", Service: "gp", Start: fri12, Caller: "+358402222222"})       // same slot: taken
		u.send("b1-retry", UpdateBook, BookRequest{ID: "b1", Service: "gp", Start: fri12, Caller: "+358401111111"}) // idempotent
		u.send("off slot", UpdateBook, BookRequest{ID: "x1", Service: "gp", Start: fri12.Add(10 * time.Minute), Caller: "c"})
		u.send("closed day", UpdateBook, BookRequest{ID: "x2", Service: "gp", Start: time.Date(2026, 12, 5, 9, 0, 0, 0, loc), Caller: "c"})
		u.send("past", UpdateBook, BookRequest{ID: "x3", Service: "gp", Start: time.Date(2026, 11, 30, 6, 40, 0, 0, loc), Caller: "c"})
		u.send("wrong service", UpdateBook, BookRequest{ID: "x4", Service: "nurse", Start: mon9, Caller: "c"})
		u.send("no caller", UpdateBook, BookRequest{ID: "x5", Service: "gp", Start: mon9})
		u.send("b3", UpdateBook, BookRequest{ID: "b3", Service: "gp", Start: tue10, Caller: "+358403333333"})
		u.send("b4", UpdateBook, BookRequest{ID: "b4", Service: "gp", Start: mon9, Caller: "+358404444444"}) // less than 24 h ahead: no reminder
	}, 0)
	// Monday 08:00: move b1 to Friday 12:20, try to move it onto b4, cancel b3
	// (before its reminder, due Monday 10:00), cancel it again, rebook the slot.
	env.RegisterDelayedCallback(func() {
		u.send("move b1", UpdateReschedule, RescheduleRequest{ID: "b1", Start: fri12.Add(20 * time.Minute)})
		u.send("move onto b4", UpdateReschedule, RescheduleRequest{ID: "b1", Start: mon9})
		u.send("cancel b3", UpdateCancel, "b3")
		u.send("cancel b3 again", UpdateCancel, "b3")
		u.send("b5", UpdateBook, BookRequest{ID: "b5", Service: "gp", Start: tue10, Caller: "+358405555555"})
	}, time.Hour)
	for h := 1; h <= 24*6; h++ {
		env.RegisterDelayedCallback(func() {
			rec.mu.Lock()
			for _, n := range rec.sent {
				if _, ok := reminderAt[n.Booking.ID]; n.Kind == Reminder && !ok {
					reminderAt[n.Booking.ID] = env.Now()
				}
			}
			rec.mu.Unlock()
		}, time.Duration(h)*time.Hour)
	}
	var listed []Booking
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryBookings)
		if err != nil {
			t.Error(err)
		} else {
			v.Get(&listed)
		}
		env.CancelWorkflow()
	}, 7*24*time.Hour)
	env.ExecuteWorkflow(ResourceWorkflow, ResourceInput{Config: *c, Resource: "dr-virtanen"})

	for _, ok := range []string{"b1", "b1-retry", "b3", "b4", "move b1", "cancel b3", "b5"} {
		if u.err[ok] != nil {
			t.Errorf("%s: %v", ok, u.err[ok])
		}
	}
	for _, taken := range []string{"b2", "move onto b4"} {
		if !IsTaken(u.err[taken]) {
			t.Errorf("%s: %v, want the slot taken", taken, u.err[taken])
		}
	}
	for _, bad := range []string{"off slot", "closed day", "past", "wrong service", "no caller", "cancel b3 again"} {
		if u.err[bad] == nil || IsTaken(u.err[bad]) {
			t.Errorf("%s: %v", bad, u.err[bad])
		}
	}
	if b := u.got["b1"]; b.Status != Confirmed || !b.End.Equal(fri12.Add(20*time.Minute)) || u.got["b1-retry"].ID != "b1" {
		t.Errorf("b1 %+v, retry %+v", b, u.got["b1-retry"])
	}
	if b := u.got["move b1"]; b.Version != 2 || !b.Start.Equal(fri12.Add(20*time.Minute)) {
		t.Errorf("moved %+v", b)
	}
	if u.got["cancel b3"].Status != Cancelled {
		t.Errorf("cancelled %+v", u.got["cancel b3"])
	}
	if len(listed) != 4 {
		t.Errorf("bookings listed: %+v", listed)
	}
	got := rec.kinds()
	for _, want := range []string{"confirmation:b1", "confirmation:b3", "confirmation:b4", "rescheduled:b1", "cancellation:b3", "confirmation:b5", "reminder:b1", "reminder:b5"} {
		if !strings.Contains(got, want) {
			t.Errorf("notifications %q lack %s", got, want)
		}
	}
	for _, not := range []string{"reminder:b3", "reminder:b4", "confirmation:b2"} {
		if strings.Contains(got, not) {
			t.Errorf("notifications %q have %s", got, not)
		}
	}
	if strings.Count(got, "reminder:b1") != 1 {
		t.Errorf("b1 reminded %d times: %q", strings.Count(got, "reminder:b1"), got)
	}
	// b1's reminder followed the move: 24 h before Friday 12:20 (seen at the next hourly check).
	if at, due := reminderAt["b1"], fri12.Add(20*time.Minute-24*time.Hour); at.Before(due) || at.After(due.Add(time.Hour)) {
		t.Errorf("b1 reminder seen at %v, due %v", at, due)
	}
}

func TestWebhookNotifier(t *testing.T) {
	var got Notification
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s", r.Method, r.Header.Get("Content-Type"))
		}
		auth = r.Header.Get("Authorization")
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			t.Error(err)
		}
		if got.Booking.ID == "fail" {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	wn := WebhookNotifier{URL: srv.URL, Header: http.Header{"Authorization": {"Bearer k"}}}
	b := Booking{ID: "b1", Resource: "dr", Service: "gp", Start: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC), Caller: "+358401111111"}
	if err := wn.Notify(context.Background(), Notification{Kind: Confirmation, Booking: b}); err != nil {
		t.Fatal(err)
	}
	if got.Kind != Confirmation || got.Booking.Caller != "+358401111111" || auth != "Bearer k" {
		t.Errorf("received %+v auth %q", got, auth)
	}
	b.ID = "fail"
	if err := wn.Notify(context.Background(), Notification{Kind: Reminder, Booking: b}); err == nil || !strings.Contains(err.Error(), "502") {
		t.Errorf("502: %v", err)
	}
}

// smtpServer is a minimal SMTP server on 127.0.0.1 that records one message.
func smtpServer(t *testing.T) (string, chan string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	msgs := make(chan string, 4)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				say := func(s string) { io.WriteString(c, s+"\r\n") }
				say("220 test ESMTP")
				var rcpt []string
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					cmd := strings.ToUpper(strings.TrimSpace(line))
					switch {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						say("250 test")
					case strings.HasPrefix(cmd, "MAIL FROM"):
						say("250 ok")
					case strings.HasPrefix(cmd, "RCPT TO"):
						rcpt = append(rcpt, strings.TrimSpace(line[8:]))
						say("250 ok")
					case cmd == "DATA":
						say("354 go")
						var body strings.Builder
						for {
							l, err := r.ReadString('\n')
							if err != nil || l == ".\r\n" {
								break
							}
							body.WriteString(l)
						}
						msgs <- "RCPT " + strings.Join(rcpt, ",") + "\r\n" + body.String()
						say("250 queued")
					case cmd == "QUIT":
						say("221 bye")
						return
					default:
						say("250 ok")
					}
				}
			}(c)
		}
	}()
	return l.Addr().String(), msgs
}

func TestSMTPNotifier(t *testing.T) {
	addr, msgs := smtpServer(t)
	loc, _ := time.LoadLocation("Europe/Helsinki")
	sn := SMTPNotifier{Addr: addr, From: "clinic@vastaa.invalid", To: "{caller}@sms.vastaa.invalid", Loc: loc}
	b := Booking{ID: "b1", Resource: "dr-virtanen", Service: "gp", Start: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC), Caller: "+358401111111", Language: "fi"}
	if err := sn.Notify(context.Background(), Notification{Kind: Reminder, Booking: b}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-msgs:
		for _, want := range []string{"RCPT <358401111111@sms.vastaa.invalid>", "Subject: Muistutus: vastaanottoaikasi", "X-Vastaa-Booking: b1", "Fri 4 Dec 2026 12:00"} {
			if !strings.Contains(m, want) {
				t.Errorf("message lacks %q:\n%s", want, m)
			}
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no message")
	}
	// An unreachable server is an error the activity retries.
	bad := SMTPNotifier{Addr: "127.0.0.1:1", From: "a@b.invalid", To: "c@d.invalid"}
	if err := bad.Notify(context.Background(), Notification{Kind: Confirmation, Booking: b}); err == nil {
		t.Error("unreachable SMTP server: no error")
	}
}

func TestICS(t *testing.T) {
	c := cfg(t)
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	bs := []Booking{
		{ID: "b1", Resource: "nurse-room", Service: "nurse", Start: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 7, 8, 15, 0, 0, time.UTC), Status: Confirmed, Version: 2, Caller: "+358401111111"},
		{ID: "b2", Resource: "nurse-room", Service: "nurse", Start: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 7, 9, 15, 0, 0, time.UTC), Status: Cancelled, Version: 2},
	}
	var sb strings.Builder
	if err := WriteICS(&sb, *c, "nurse-room", bs, now); err != nil {
		t.Fatal(err)
	}
	out := sb.String()
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	for _, l := range lines {
		if len(l) > 75 || strings.Contains(l, "\n") {
			t.Errorf("line %q", l)
		}
	}
	for _, want := range []string{"BEGIN:VCALENDAR", "VERSION:2.0", "UID:b1@vastaa", "DTSTART:20261207T080000Z", "DTEND:20261207T081500Z",
		`SUMMARY:Nurse visit\, short`, "SEQUENCE:1", "END:VCALENDAR"} {
		if !strings.Contains(out, want+"\r\n") {
			t.Errorf("ics lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "b2@") || strings.Contains(out, "358401111111") || strings.Count(out, "BEGIN:VEVENT") != 1 {
		t.Errorf("cancelled booking or caller number in the calendar:\n%s", out)
	}
	if got := foldICS(strings.Repeat("ä", 50)); !strings.Contains(got, "\r\n ") || strings.Contains(got, "\ufffd") {
		t.Errorf("fold %q", got)
	}
}

func TestShippedConfig(t *testing.T) {
	c, err := LoadConfig("../../examples/booking.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ResourcesFor("gp")) != 2 || c.Location().String() != "Europe/Helsinki" {
		t.Errorf("%+v", c)
	}
}
