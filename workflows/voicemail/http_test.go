package voicemail

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHandler(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	a, _ := s.Create(ctx, sampleTask("c1", TeamBilling, 3, t0))
	b, _ := s.Create(ctx, sampleTask("c2", TeamResults, 1, t0))
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusMethodNotAllowed && ct != "application/json" {
			t.Errorf("%s %s: content type %q", method, path, ct)
		}
		return resp.StatusCode, string(out)
	}
	list := func(path string) []Task {
		t.Helper()
		code, body := do("GET", path, "")
		if code != 200 {
			t.Fatalf("%s: %d %s", path, code, body)
		}
		var ts []Task
		if err := json.Unmarshal([]byte(body), &ts); err != nil {
			t.Fatal(err)
		}
		return ts
	}

	if ts := list("/api/tasks"); len(ts) != 2 || ts[0].ID != b.ID {
		t.Errorf("list %+v", ts)
	}
	if ts := list("/api/tasks?team=billing&status=open&limit=5"); len(ts) != 1 || ts[0].ID != a.ID || ts[0].CallbackNumber != "+358401234567" {
		t.Errorf("filtered %+v", ts)
	}
	if ts := list("/api/tasks?status=solved"); len(ts) != 0 {
		t.Errorf("solved %+v", ts)
	}
	code, body := do("GET", "/api/tasks/"+a.ID, "")
	var got Task
	json.Unmarshal([]byte(body), &got)
	if code != 200 || got.ID != a.ID || got.Team != TeamBilling || !strings.Contains(body, `"due_at"`) {
		t.Errorf("get: %d %s", code, body)
	}

	code, body = do("PATCH", "/api/tasks/"+a.ID, `{"status":"pending","assignee":"maria"}`)
	json.Unmarshal([]byte(body), &got)
	if code != 200 || got.Status != StatusPending || got.Assignee != "maria" || !got.UpdatedAt.After(t0) {
		t.Errorf("patch: %d %s", code, body)
	}
	code, body = do("PATCH", "/api/tasks/"+a.ID, `{"assignee":""}`)
	got = Task{}
	json.Unmarshal([]byte(body), &got)
	if code != 200 || got.Assignee != "" || got.Status != StatusPending {
		t.Errorf("unassign: %d %s", code, body)
	}
	do("PATCH", "/api/tasks/"+a.ID, `{"status":"solved"}`)

	for _, tc := range []struct {
		method, path, body string
		code               int
		says               string
	}{
		{"GET", "/api/tasks?status=closed", "", 400, "status must be"},
		{"GET", "/api/tasks?limit=-1", "", 400, "limit"},
		{"GET", "/api/tasks?limit=many", "", 400, "limit"},
		{"GET", "/api/tasks/999", "", 404, "no such task"},
		{"GET", "/api/tasks/abc", "", 404, "no such task"},
		{"PATCH", "/api/tasks/999", `{"status":"solved"}`, 404, "no such task"},
		{"PATCH", "/api/tasks/" + a.ID, `{"status":"pending"}`, 400, "solved to pending"},
		{"PATCH", "/api/tasks/" + a.ID, `{"status":"done"}`, 400, "status must be"},
		{"PATCH", "/api/tasks/" + a.ID, `{}`, 400, "nothing to change"},
		{"PATCH", "/api/tasks/" + a.ID, `{"state":"open"}`, 400, "unknown field"},
		{"PATCH", "/api/tasks/" + a.ID, `status=open`, 400, "body must be JSON"},
	} {
		code, body := do(tc.method, tc.path, tc.body)
		if code != tc.code || !strings.Contains(body, tc.says) {
			t.Errorf("%s %s %s: %d %s, want %d %q", tc.method, tc.path, tc.body, code, body, tc.code, tc.says)
		}
	}
	if code, _ := do("DELETE", "/api/tasks/"+a.ID, ""); code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d", code)
	}
	if cur, _ := s.Get(ctx, a.ID); cur.Status != StatusSolved || cur.UpdatedAt.Before(time.Now().Add(-time.Minute)) {
		t.Errorf("stored %+v", cur)
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
		json.NewDecoder(r.Body).Decode(&got)
		if got.Task.ID == "fail" {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	wn := WebhookNotifier{URL: srv.URL, Header: http.Header{"Authorization": {"Bearer k"}}}
	n := Notification{Event: EventNew, To: TeamBilling, Task: Task{ID: "7", Team: TeamBilling, Priority: 3, CallbackNumber: "+358401234567"}}
	if err := wn.Notify(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	if got.Event != EventNew || got.To != TeamBilling || got.Task.CallbackNumber != "+358401234567" || auth != "Bearer k" {
		t.Errorf("received %+v auth %q", got, auth)
	}
	n.Task.ID = "fail"
	if err := wn.Notify(context.Background(), n); err == nil || !strings.Contains(err.Error(), "502") {
		t.Errorf("502: %v", err)
	}
}

func TestLogNotifierKeepsPersonalDataAtDebug(t *testing.T) {
	var info, debug strings.Builder
	n := Notification{Event: EventEscalated, To: "supervisor", Task: Task{ID: "7", Team: TeamGeneral, Priority: 1,
		CallbackNumber: "+358401234567", CallerName: "Anna Smith", Transcript: "chest pain", Summary: "URGENT other: chest pain"}}
	LogNotifier{Log: slogTo(&info, false)}.Notify(context.Background(), n)
	LogNotifier{Log: slogTo(&debug, true)}.Notify(context.Background(), n)
	for _, secret := range []string{"358401234567", "Anna", "chest"} {
		if strings.Contains(info.String(), secret) {
			t.Errorf("info log holds %q: %s", secret, info.String())
		}
	}
	for _, want := range []string{"task=7", "team=general", "priority=1", "event=escalated"} {
		if !strings.Contains(info.String(), want) {
			t.Errorf("info log lacks %q: %s", want, info.String())
		}
	}
	if !strings.Contains(debug.String(), "Anna Smith") {
		t.Errorf("debug log lacks the details: %s", debug.String())
	}
}

func slogTo(w io.Writer, debug bool) *slog.Logger {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
