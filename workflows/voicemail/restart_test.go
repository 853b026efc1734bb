package voicemail

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/vastaa/vastaa/workflows"
	"github.com/vastaa/vastaa/workflows/devserver"
)

// The worker and the Temporal server both go down while an urgent task
// waits for its escalation; when they come back on their files the task
// escalates, once, and nothing is done twice.
func TestVoicemailSurvivesWorkerAndServerRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded Temporal server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	dir := t.TempDir()
	db := filepath.Join(dir, "temporal.db")
	store, err := Open(ctx, filepath.Join(dir, "tasks.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	quiet := slog.New(slog.DiscardHandler)
	serve := func() (*devserver.Server, client.Client) {
		s, err := devserver.Start(ctx, devserver.Config{DBPath: db, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		c, err := client.Dial(client.Options{HostPort: s.HostPort(), Logger: tlog.NewStructuredLogger(quiet)})
		if err != nil {
			s.Stop()
			t.Fatal(err)
		}
		return s, c
	}
	tr := &fakeTranscriber{text: "I have chest pain, call me as soon as possible on 040 123 4567"}
	sent := &recorder{}
	acts := &Activities{Store: store, Transcriber: tr, Notifier: sent, Config: Config{EscalateAfter: 3 * time.Second,
		SLA: map[int]time.Duration{PriorityUrgent: 6 * time.Second, PriorityHigh: 6 * time.Second, PriorityNormal: 6 * time.Second, PriorityLow: 6 * time.Second}}}
	newWorker := func(c client.Client) worker.Worker {
		w := worker.New(c, workflows.TaskQueue, worker.Options{})
		Register(w, acts)
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		return w
	}

	s, c := serve()
	w := newWorker(c)
	in := Input{CallID: "r1", Caller: "+358409999999", Language: "en", RecordingPath: filepath.Join(dir, "r1.wav")}
	if err := Start(ctx, c, in); err != nil {
		t.Fatal(err)
	}
	firstRun := c.GetWorkflow(ctx, WorkflowID("r1"), "").GetRunID()
	for {
		if _, err := store.ByCall(ctx, "r1"); err == nil && sent.events() != "" {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("task never made")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // let the notification's completion reach the server

	w.Stop()
	c.Close()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	s, c = serve()
	defer s.Stop()
	defer c.Close()
	w = newWorker(c)
	defer w.Stop()

	var task Task
	if err := c.GetWorkflow(ctx, WorkflowID("r1"), "").Get(ctx, &task); err != nil {
		t.Fatal(err)
	}
	if !task.Escalated || task.Priority != PriorityUrgent || task.CallbackNumber != "0401234567" {
		t.Errorf("task %+v", task)
	}
	if got := sent.events(); !strings.HasPrefix(got, "new>general") || strings.Count(got, "escalated>supervisor") != 1 || strings.Count(got, "overdue>supervisor") != 1 {
		t.Errorf("notifications %q", got)
	}
	if tr.count() != 1 {
		t.Errorf("transcribed %d times", tr.count())
	}
	if all, _ := store.List(ctx, ListOptions{}); len(all) != 1 {
		t.Errorf("%d tasks", len(all))
	}
	// The same call again, after the workflow has finished: no new run.
	if err := Start(ctx, c, in); err != nil {
		t.Errorf("second start: %v", err)
	}
	if run := c.GetWorkflow(ctx, WorkflowID("r1"), "").GetRunID(); firstRun == "" || run != firstRun {
		t.Errorf("runs %q then %q", firstRun, run)
	}
}
