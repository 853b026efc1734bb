package voicemail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// fakeTranscriber returns a fixed text or error and counts its calls.
type fakeTranscriber struct {
	mu    sync.Mutex
	text  string
	err   error
	calls int
}

func (f *fakeTranscriber) Transcribe(ctx context.Context, path, lang string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.text, f.err
}

func (f *fakeTranscriber) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// recorder is a Notifier that keeps what it was asked to send.
type recorder struct {
	mu   sync.Mutex
	sent []Notification
	err  error
}

func (r *recorder) Notify(ctx context.Context, n Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, n)
	return r.err
}

// events lists the notifications as "event>to" for comparison.
func (r *recorder) events() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, n := range r.sent {
		out = append(out, string(n.Event)+">"+n.To)
	}
	return strings.Join(out, " ")
}

// flakyStore fails the first few creates, as a locked or unreachable
// database would.
type flakyStore struct {
	*Store
	mu          sync.Mutex
	failCreates int
	creates     int
}

func (f *flakyStore) Create(ctx context.Context, t Task) (Task, error) {
	f.mu.Lock()
	f.creates++
	fail := f.creates <= f.failCreates
	f.mu.Unlock()
	if fail {
		return Task{}, errors.New("database is locked")
	}
	return f.Store.Create(ctx, t)
}

type harness struct {
	env   *testsuite.TestWorkflowEnvironment
	store *Store
	tr    *fakeTranscriber
	sent  *recorder
}

func newHarness(t *testing.T, ts TaskStore, store *Store) *harness {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(tlog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(t0)
	h := &harness{env: env, store: store, tr: &fakeTranscriber{}, sent: &recorder{}}
	env.RegisterWorkflowWithOptions(VoicemailWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	env.RegisterActivity(&Activities{Store: ts, Transcriber: h.tr, Notifier: h.sent})
	return h
}

func newTestHarness(t *testing.T) *harness {
	s, _ := openStore(t)
	return newHarness(t, s, s)
}

func (h *harness) run(t *testing.T, in Input) Task {
	t.Helper()
	h.env.ExecuteWorkflow(WorkflowName, in)
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var task Task
	if err := h.env.GetWorkflowResult(&task); err != nil {
		t.Fatal(err)
	}
	stored, err := h.store.ByCall(context.Background(), in.CallID)
	if err != nil {
		t.Fatalf("task not stored: %v", err)
	}
	if stored.ID != task.ID {
		t.Errorf("workflow returned task %s, stored %s", task.ID, stored.ID)
	}
	return stored
}

func in(call, lang string) Input {
	return Input{CallID: call, Caller: "+358409999999", Language: lang, RecordingPath: "/data/voicemail/" + call + ".wav"}
}

func TestVoicemailNormal(t *testing.T) {
	h := newTestHarness(t)
	h.tr.text = "Hi, this is Anna Smith. I need to renew my prescription, call me on 040 123 4567."
	task := h.run(t, in("c1", "en"))
	if task.Team != TeamPrescriptions || task.Priority != PriorityNormal || task.Urgent || task.Status != StatusOpen ||
		task.CallbackNumber != "0401234567" || task.CallerName != "Anna Smith" || task.Transcript != h.tr.text ||
		task.RecordingPath != "/data/voicemail/c1.wav" || task.Language != "en" {
		t.Errorf("task %+v", task)
	}
	if !task.CreatedAt.Equal(t0) || !task.DueAt.Equal(t0.Add(24*time.Hour)) || task.Escalated {
		t.Errorf("created %v due %v escalated %v", task.CreatedAt, task.DueAt, task.Escalated)
	}
	if !strings.HasPrefix(task.Summary, "prescription: Hi, this is Anna") {
		t.Errorf("summary %q", task.Summary)
	}
	if got := h.sent.events(); got != "new>prescriptions overdue>supervisor" {
		t.Errorf("notifications %q", got)
	}
	if h.tr.count() != 1 {
		t.Errorf("%d transcriptions", h.tr.count())
	}
	// Nobody took it: at its due time the supervisor is told.
	if h.env.Now().Before(task.DueAt) {
		t.Errorf("workflow ended at %v, before the due time %v", h.env.Now(), task.DueAt)
	}
}

func TestVoicemailTranscriptGiven(t *testing.T) {
	h := newTestHarness(t)
	i := in("c1", "fi")
	i.Transcript = "Haluaisin perua ajan, numeroni on nolla neljä nolla yksi kaksi kolme neljä viisi kuusi"
	task := h.run(t, i)
	if h.tr.count() != 0 || task.Team != TeamAppointments || task.Topic != TopicCancel || task.CallbackNumber != "040123456" {
		t.Errorf("%d transcriptions, task %+v", h.tr.count(), task)
	}
}

func TestVoicemailUrgentEscalated(t *testing.T) {
	h := newTestHarness(t)
	h.tr.text = "I have chest pain since this morning, please call me back as soon as possible"
	task := h.run(t, in("c2", "en"))
	escalateAt := t0.Add(15 * time.Minute)
	if !task.Urgent || !task.Escalated || !task.EscalatedAt.Equal(escalateAt) || task.Priority != PriorityUrgent || task.Status != StatusOpen {
		t.Errorf("task %+v", task)
	}
	if !task.DueAt.Equal(t0.Add(time.Hour)) || task.CallbackNumber != "+358409999999" {
		t.Errorf("due %v, callback %q", task.DueAt, task.CallbackNumber)
	}
	if got := h.sent.events(); got != "new>general escalated>supervisor overdue>supervisor" {
		t.Errorf("notifications %q", got)
	}
	if h.env.Now().Before(escalateAt) {
		t.Errorf("workflow ended at %v, before the escalation delay", h.env.Now())
	}
}

func TestVoicemailUrgentTakenBeforeEscalation(t *testing.T) {
	for _, status := range []Status{StatusSolved, StatusPending} {
		t.Run(string(status), func(t *testing.T) {
			h := newTestHarness(t)
			h.tr.text = "Minulla on kova kipu, soittakaa heti"
			h.env.RegisterDelayedCallback(func() {
				ctx := context.Background()
				task, err := h.store.ByCall(ctx, "c3")
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := h.store.Update(ctx, task.ID, Change{Status: status}, t0.Add(5*time.Minute)); err != nil {
					t.Error(err)
				}
			}, 5*time.Minute)
			task := h.run(t, in("c3", "fi"))
			if !task.Urgent || task.Escalated || task.Status != status || task.Priority != PriorityUrgent {
				t.Errorf("task %+v", task)
			}
			// Solved: nothing more. Pending (taken, not finished): the
			// supervisor hears at the due time.
			want := "new>general"
			if status == StatusPending {
				want += " overdue>supervisor"
			}
			if got := h.sent.events(); got != want {
				t.Errorf("notifications %q, want %q", got, want)
			}
			var result Task
			h.env.GetWorkflowResult(&result)
			if result.Status != status {
				t.Errorf("workflow result status %s", result.Status)
			}
		})
	}
}

func TestVoicemailTranscriptionFailed(t *testing.T) {
	h := newTestHarness(t)
	h.tr.err = errors.New("speech service unavailable")
	task := h.run(t, in("c4", "sv"))
	if h.tr.count() != 3 {
		t.Errorf("%d transcription attempts, want 3", h.tr.count())
	}
	if task.Transcript != "" || task.Summary != SummaryTranscriptionFailed || task.Priority != PriorityHigh ||
		task.Team != TeamGeneral || task.CallbackNumber != "+358409999999" || task.RecordingPath == "" {
		t.Errorf("task %+v", task)
	}
	if got := h.sent.events(); got != "new>general overdue>supervisor" {
		t.Errorf("notifications %q", got)
	}
}

func TestVoicemailRecordingMissingIsNotRetried(t *testing.T) {
	h := newTestHarness(t)
	h.tr.err = fmt.Errorf("%w: open /nowhere.wav: no such file", ErrNoRecording)
	task := h.run(t, in("c5", "en"))
	if h.tr.count() != 1 || task.Summary != SummaryTranscriptionFailed {
		t.Errorf("%d attempts, task %+v", h.tr.count(), task)
	}
}

func TestVoicemailEmptyMessage(t *testing.T) {
	for name, i := range map[string]Input{
		"no speech":    {CallID: "c6", Caller: "sip:+358401112222@pbx", Language: "en", RecordingPath: "/data/voicemail/c6.wav", NoSpeech: true},
		"no recording": {CallID: "c6", Caller: "sip:+358401112222@pbx", Language: "en"},
	} {
		t.Run(name, func(t *testing.T) {
			h := newTestHarness(t)
			task := h.run(t, i)
			if h.tr.count() != 0 {
				t.Errorf("%d transcriptions of nothing", h.tr.count())
			}
			if task.Summary != SummaryNoMessage || task.Topic != TopicNoMessage || task.Priority != PriorityLow ||
				task.CallbackNumber != "+358401112222" || !task.DueAt.Equal(t0.Add(72*time.Hour)) {
				t.Errorf("task %+v", task)
			}
			if got := h.sent.events(); got != "new>general overdue>supervisor" {
				t.Errorf("notifications %q", got)
			}
		})
	}
	// Speech the recogniser made nothing of is for a person to listen to.
	h := newTestHarness(t)
	task := h.run(t, in("c7", "lv"))
	if task.Summary != SummaryNotRecognised || task.Priority != PriorityNormal {
		t.Errorf("unrecognised speech: %+v", task)
	}
}

func TestVoicemailStoreFailureRetried(t *testing.T) {
	s, _ := openStore(t)
	fs := &flakyStore{Store: s, failCreates: 3}
	h := newHarness(t, fs, s)
	h.tr.text = "Question about my invoice"
	task := h.run(t, in("c8", "en"))
	if fs.creates != 4 || task.Team != TeamBilling {
		t.Errorf("%d create attempts, task %+v", fs.creates, task)
	}
	if all, _ := s.List(context.Background(), ListOptions{}); len(all) != 1 {
		t.Errorf("%d tasks stored", len(all))
	}
	if got := h.sent.events(); got != "new>billing overdue>supervisor" {
		t.Errorf("notifications %q", got)
	}
}

func TestVoicemailNotifierDownDoesNotLoseTask(t *testing.T) {
	h := newTestHarness(t)
	h.tr.text = "I have terrible pain, urgent"
	h.sent.err = errors.New("webhook 502")
	task := h.run(t, in("c9", "en"))
	if !task.Escalated {
		t.Errorf("task %+v", task)
	}
	// Ten tries of each notification (new, escalated, overdue), and the
	// workflow still ends well.
	if n := len(h.sent.sent); n != 30 {
		t.Errorf("%d notification attempts", n)
	}
}

func TestVoicemailSameCallTwice(t *testing.T) {
	s, _ := openStore(t)
	var ids []string
	for range 2 {
		h := newHarness(t, s, s)
		h.tr.text = "results please"
		ids = append(ids, h.run(t, in("c10", "en")).ID)
	}
	if ids[0] != ids[1] {
		t.Errorf("two tasks for one call: %v", ids)
	}
	if all, _ := s.List(context.Background(), ListOptions{}); len(all) != 1 {
		t.Errorf("%d tasks stored", len(all))
	}
}

func TestMakePlanTeamsFromConfig(t *testing.T) {
	cfg := Config{Teams: []string{"front-desk"}, General: "front-desk", Assignees: map[string]string{"front-desk": "maria"}}.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	p := MakePlan(cfg, TriageRequest{Text: "I want to renew my prescription", Language: "en", HadRecording: true})
	if p.Team != "front-desk" || p.Topic != TopicPrescription || p.EscalateAfter != 15*time.Minute {
		t.Errorf("plan %+v", p)
	}
	bad := Config{SLA: map[int]time.Duration{7: time.Hour}, Assignees: map[string]string{"ghosts": "x"}}.WithDefaults()
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "priority 7") || !strings.Contains(err.Error(), "ghosts") {
		t.Errorf("validate: %v", err)
	}
}
