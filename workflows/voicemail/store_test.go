package voicemail

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vastaa/vastaa/media"
)

func openStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tasks.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

var t0 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

func sampleTask(call, team string, prio int, at time.Time) Task {
	return Task{CallID: call, Team: team, Priority: prio, Topic: "other", CallbackNumber: "+358401234567", CallerName: "Anna",
		Language: "fi", Transcript: "hei", Summary: "other: hei", CreatedAt: at, DueAt: at.Add(24 * time.Hour)}
}

func TestStoreCreateIsIdempotentByCall(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	a, err := s.Create(ctx, sampleTask("c1", TeamBilling, 3, t0))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.Status != StatusOpen || !a.CreatedAt.Equal(t0) || !a.UpdatedAt.Equal(t0) || a.CallerName != "Anna" {
		t.Errorf("created %+v", a)
	}
	again := sampleTask("c1", TeamResults, 1, t0.Add(time.Minute))
	b, err := s.Create(ctx, again)
	if err != nil || b != a {
		t.Errorf("second create of the call: %+v %v, want the first %+v", b, err, a)
	}
	if _, err := s.Create(ctx, Task{CallID: "c2", Team: "x", Priority: 9, CreatedAt: t0}); err == nil {
		t.Error("priority 9 accepted")
	}
	if _, err := s.Create(ctx, Task{Team: "x", Priority: 3, CreatedAt: t0}); err == nil {
		t.Error("task without a call accepted")
	}
	got, err := s.Get(ctx, a.ID)
	if err != nil || got != a {
		t.Errorf("get %+v %v", got, err)
	}
	for _, id := range []string{"999", "abc", "", "-1"} {
		if _, err := s.Get(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("get %q: %v", id, err)
		}
	}
}

func TestStoreListOrderAndFilters(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	mk := func(call, team string, prio int, due time.Duration) Task {
		tk := sampleTask(call, team, prio, t0)
		tk.DueAt = t0.Add(due)
		got, err := s.Create(ctx, tk)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	mk("n", TeamBilling, 3, 24*time.Hour)
	urgent := mk("u", TeamGeneral, 1, time.Hour)
	mk("l", TeamGeneral, 4, 72*time.Hour)
	mk("s", TeamBilling, 3, 2*time.Hour)
	if _, err := s.Update(ctx, urgent.ID, Change{Status: StatusSolved}, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	ids := func(o ListOptions) []string {
		ts, err := s.List(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range ts {
			out = append(out, x.CallID)
		}
		return out
	}
	for _, tc := range []struct {
		o    ListOptions
		want []string
	}{
		{ListOptions{}, []string{"s", "n", "l", "u"}}, // unsolved first, by priority then due time
		{ListOptions{Status: StatusOpen}, []string{"s", "n", "l"}},
		{ListOptions{Team: TeamGeneral}, []string{"l", "u"}},
		{ListOptions{Team: TeamGeneral, Status: StatusSolved}, []string{"u"}},
		{ListOptions{Limit: 2}, []string{"s", "n"}},
		{ListOptions{Team: "nobody"}, nil},
	} {
		if got := ids(tc.o); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.o, got, tc.want)
		}
	}
}

func TestStoreUpdateTransitions(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	tk, _ := s.Create(ctx, sampleTask("c1", TeamBilling, 3, t0))
	maria := "maria"
	steps := []struct {
		c    Change
		ok   bool
		want Status
	}{
		{Change{Status: StatusPending, Assignee: &maria}, true, StatusPending},
		{Change{Status: StatusOpen}, true, StatusOpen},
		{Change{Status: StatusSolved}, true, StatusSolved},
		{Change{Status: StatusPending}, false, StatusSolved}, // reopen first
		{Change{Status: "closed"}, false, StatusSolved},
		{Change{Status: StatusSolved}, true, StatusSolved}, // staying put is fine
		{Change{Status: StatusOpen}, true, StatusOpen},
	}
	for i, st := range steps {
		got, err := s.Update(ctx, tk.ID, st.c, t0.Add(time.Duration(i+1)*time.Minute))
		if st.ok != (err == nil) || (err != nil && !errors.Is(err, ErrTransition)) {
			t.Errorf("step %d %+v: %v", i, st.c, err)
		}
		cur, _ := s.Get(ctx, tk.ID)
		if cur.Status != st.want || cur.Assignee != "maria" {
			t.Errorf("step %d: %s assignee %q", i, cur.Status, cur.Assignee)
		}
		if err == nil && (got != cur || !cur.UpdatedAt.Equal(t0.Add(time.Duration(i+1)*time.Minute))) {
			t.Errorf("step %d returned %+v, stored %+v", i, got, cur)
		}
	}
	nobody := ""
	if got, err := s.Update(ctx, tk.ID, Change{Assignee: &nobody}, t0.Add(time.Hour)); err != nil || got.Assignee != "" || got.Status != StatusOpen {
		t.Errorf("unassign: %+v %v", got, err)
	}
	if _, err := s.Update(ctx, "42", Change{Status: StatusSolved}, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown task: %v", err)
	}
}

func TestStoreEscalate(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	tk := sampleTask("c1", TeamGeneral, 2, t0)
	tk.Urgent = true
	tk.DueAt = t0.Add(4 * time.Hour)
	tk, _ = s.Create(ctx, tk)
	at := t0.Add(15 * time.Minute)
	got, err := s.Escalate(ctx, tk.ID, at, at.Add(time.Hour))
	if err != nil || !got.Escalated || !got.EscalatedAt.Equal(at) || got.Priority != 1 || !got.DueAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("escalated %+v %v", got, err)
	}
	again, err := s.Escalate(ctx, tk.ID, at.Add(time.Minute), at.Add(2*time.Hour))
	if err != nil || again != got {
		t.Errorf("second escalation changed the task: %+v %v", again, err)
	}
	solved, _ := s.Create(ctx, sampleTask("c2", TeamGeneral, 1, t0))
	s.Update(ctx, solved.ID, Change{Status: StatusSolved}, t0)
	if _, err := s.Escalate(ctx, solved.ID, at, at); !errors.Is(err, ErrNotOpen) {
		t.Errorf("escalating a solved task: %v", err)
	}
	// A later due time never moves the SLA back.
	late, _ := s.Create(ctx, sampleTask("c3", TeamGeneral, 1, t0))
	if got, _ := s.Escalate(ctx, late.ID, at, t0.Add(48*time.Hour)); !got.DueAt.Equal(late.DueAt) {
		t.Errorf("due moved from %v to %v", late.DueAt, got.DueAt)
	}
}

func TestStoreSurvivesReopenAndIsVersioned(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t)
	tk, _ := s.Create(ctx, sampleTask("c1", TeamBilling, 3, t0))
	s.Close()
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, err := s2.Get(ctx, tk.ID); err != nil || got.CallID != "c1" {
		t.Errorf("after reopening: %+v %v", got, err)
	}
	db, _ := sql.Open("sqlite", "file:"+path)
	defer db.Close()
	var v int
	var mode string
	db.QueryRow(`PRAGMA user_version`).Scan(&v)
	db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	if v != SchemaVersion || mode != "wal" {
		t.Errorf("user_version %d, journal %s", v, mode)
	}
	// A file from a newer program is refused, not half-used.
	db.Exec(`PRAGMA user_version = 99`)
	if s3, err := Open(ctx, path); err == nil {
		s3.Close()
		t.Error("newer schema accepted")
	}
}

func TestSaveRecording(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "voicemail")
	pcm := []int16{0, 1000, -1000, 32767}
	path, err := SaveRecording(dir, "call-1", pcm)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, rate, err := media.ReadWAV(f)
	if err != nil || rate != 8000 || len(got) != 4 || got[3] != 32767 {
		t.Errorf("read back %v at %d: %v", got, rate, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", fi.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	if _, err := SaveRecording(dir, "../escape", pcm); err == nil {
		t.Error("path in call id accepted")
	}
}
