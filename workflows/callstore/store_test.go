package callstore

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"
)

func TestStoreLifecycle(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "calls.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	if err := s.Create(ctx, Call{ID: "c1", Caller: "+358401234567", StartedAt: start}); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, Call{ID: "c1", StartedAt: start}); err == nil {
		t.Fatal("duplicate id accepted")
	}
	if err := s.MarkAnswered(ctx, "c1", start.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	turn := Turn{Index: 0, CallerText: "what are your opening hours", Language: "en", Intent: "question",
		IntentConfidence: 0.9, Route: "self_service", Reply: "We are open 8-18.", Citations: []string{"opening-hours"},
		Timings: Timings{Endpointing: 300, STT: 40, FirstAudio: 420}}
	if err := s.AddTurn(ctx, "c1", turn); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTurn(ctx, "c1", Turn{Index: 1, DTMF: "0", Route: "handoff", Queue: "general"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTurn(ctx, "nope", Turn{Index: 0}); err == nil {
		t.Fatal("turn for unknown call accepted")
	}
	if err := s.End(ctx, "c1", start.Add(time.Minute), "caller-hangup", MediaStats{PacketsReceived: 100, PacketsLost: 2}); err != nil {
		t.Fatal(err)
	}
	// The first reason wins: a later shutdown must not overwrite it.
	if err := s.End(ctx, "c1", start.Add(2*time.Minute), "shutdown", MediaStats{PacketsReceived: 100}); err != nil {
		t.Fatal(err)
	}
	if err := s.End(ctx, "missing", start, "x", MediaStats{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("End(missing) = %v, want ErrNotFound", err)
	}
	s.Close()

	// Reopen: everything was persisted.
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Get(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if c.EndReason != "caller-hangup" || !c.EndedAt.Equal(start.Add(time.Minute)) {
		t.Errorf("end = %v %q", c.EndedAt, c.EndReason)
	}
	if c.Route != "handoff" || c.Queue != "general" || c.Language != "en" {
		t.Errorf("route/queue/lang = %q %q %q", c.Route, c.Queue, c.Language)
	}
	if len(c.Turns) != 2 || c.Turns[0].Citations[0] != "opening-hours" || c.Turns[0].Timings.FirstAudio != 420 || c.Turns[1].DTMF != "0" {
		t.Errorf("turns = %+v", c.Turns)
	}
	if c.TurnCount != 2 || c.Media.PacketsLost != 2 {
		t.Errorf("turn count %d, media %+v", c.TurnCount, c.Media)
	}
}

func TestHTTPAPI(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for i, id := range []string{"a", "b", "c"} {
		if err := s.Create(ctx, Call{ID: id, StartedAt: base.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	get := func(path string, want int, into any) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
		if into != nil {
			if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
				t.Fatal(err)
			}
		}
	}
	var list []Call
	get("/api/calls", 200, &list)
	if len(list) != 3 || list[0].ID != "c" {
		t.Fatalf("list = %+v, want newest first", list)
	}
	get("/api/calls?limit=1", 200, &list)
	if len(list) != 1 {
		t.Fatalf("limit ignored: %d", len(list))
	}
	get("/api/calls?since="+base.Add(90*time.Second).Format(time.RFC3339), 200, &list)
	if len(list) != 1 || list[0].ID != "c" {
		t.Fatalf("since filter: %+v", list)
	}
	var one Call
	get("/api/calls/b", 200, &one)
	if one.ID != "b" {
		t.Fatalf("got %+v", one)
	}
	get("/api/calls/zzz", 404, nil)
	get("/api/calls?limit=x", 400, nil)
	get("/api/calls?since=yesterday", 400, nil)
}

func TestContactsOf(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "calls.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	day := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for i, c := range []Call{
		{ID: "old", Caller: "+3584011", StartedAt: day.AddDate(0, -6, 0)},
		{ID: "a", Caller: "+3584011", StartedAt: day},
		{ID: "b", Caller: "+3584011", StartedAt: day.AddDate(0, 0, 3)},
		{ID: "other", Caller: "+3584099", StartedAt: day.AddDate(0, 0, 4)},
		{ID: "now", Caller: "+3584011", StartedAt: day.AddDate(0, 0, 5)},
	} {
		if err := s.Create(ctx, c); err != nil {
			t.Fatal(i, err)
		}
	}
	if err := s.AddTurn(ctx, "b", Turn{Index: 0, Intent: "unknown"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTurn(ctx, "b", Turn{Index: 1, Intent: "reschedule", Route: "booking"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ContactsOf(ctx, "+3584011", "now", day.AddDate(0, 0, -90))
	if err != nil {
		t.Fatal(err)
	}
	if got.Calls != 2 || !got.LastAt.Equal(day.AddDate(0, 0, 3)) || got.LastTopic != "reschedule" || got.LastRoute != "booking" {
		t.Errorf("contacts %+v", got)
	}
	if got, err := s.ContactsOf(ctx, "+3584077", "", time.Time{}); err != nil || got.Calls != 0 {
		t.Errorf("unknown number: %+v %v", got, err)
	}
}
