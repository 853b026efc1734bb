package voicemail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/vastaa/vastaa/workflows"
)

// WorkflowName is the registered name of VoicemailWorkflow.
const WorkflowName = "VoicemailWorkflow"

// WorkflowID is the voicemail workflow of a call: one message per call.
func WorkflowID(callID string) string { return "voicemail-" + callID }

// Input starts the workflow for one recorded message.
type Input struct {
	CallID string
	// Caller is the caller id (a number, a SIP user part): the callback
	// number when the caller did not say one.
	Caller        string
	Language      string
	RecordingPath string // an 8 kHz WAV file on a disk the worker can read
	// Transcript, when the call side already has one, skips transcription.
	Transcript string
	// NoSpeech: the recorder heard no speech, so there is nothing to
	// transcribe (pipeline.Message.HadSpeech false).
	NoSpeech bool
}

// Application error types the workflow tells apart.
const (
	errTypeBadTask     = "BadTask"
	errTypeNotOpen     = "TaskNotOpen"
	errTypeNotFound    = "TaskNotFound"
	errTypeNoRecording = "NoRecording"
)

// Summaries of messages that could not be triaged. An empty message still
// makes a task: the caller chose to leave a message (or reached us out of
// hours) and a person should ring back rather than the call vanish.
const (
	SummaryNoMessage           = "caller left no message; call back"
	SummaryTranscriptionFailed = "transcription failed; listen to the recording"
	SummaryNotRecognised       = "no words recognised; listen to the recording"
)

var (
	transcribeOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 10 * time.Second, BackoffCoefficient: 2, MaximumAttempts: 3,
			NonRetryableErrorTypes: []string{errTypeNoRecording}},
	}
	triageOptions = workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
	}
	// A task must not be lost: the store is retried until it comes back.
	storeOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute,
			NonRetryableErrorTypes: []string{errTypeBadTask, errTypeNotOpen, errTypeNotFound}},
	}
	notifyOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute, MaximumAttempts: 10},
	}
)

// VoicemailWorkflow makes a task of a recorded message: transcribe,
// triage, store, notify the team, and for an urgent task wait the
// escalation delay and escalate it if nobody has taken it. Only the call id
// and task id are logged.
func VoicemailWorkflow(ctx workflow.Context, in Input) (Task, error) {
	if in.CallID == "" {
		return Task{}, temporal.NewNonRetryableApplicationError("voicemail needs a call id", errTypeBadTask, nil)
	}
	log := workflow.GetLogger(ctx)
	var a *Activities
	text := in.Transcript
	req := TriageRequest{Language: in.Language, Caller: in.Caller, NoSpeech: in.NoSpeech}
	if text == "" && !in.NoSpeech && in.RecordingPath != "" {
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, transcribeOptions), a.TranscribeVoicemail,
			TranscribeRequest{Path: in.RecordingPath, Language: in.Language}).Get(ctx, &text)
		if err != nil {
			log.Warn("transcription failed; the task is made without a transcript", "call", in.CallID, "error", err)
			text, req.TranscriptionFailed = "", true
		}
	}
	req.Text = text
	req.HadRecording = in.RecordingPath != ""

	var plan Plan
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, triageOptions), a.TriageVoicemail, req).Get(ctx, &plan); err != nil {
		// Triage is local code; should it fail, a person sorts the message.
		log.Error("triage failed; the task goes to the general team", "call", in.CallID, "error", err)
		plan = Plan{Result: Result{Team: TeamGeneral, Topic: TopicOther, Priority: PriorityHigh, CallbackNumber: CallerNumber(in.Caller)},
			Summary: "triage failed; read or listen to the message"}
	}

	sctx := workflow.WithActivityOptions(ctx, storeOptions)
	var task Task
	err := workflow.ExecuteActivity(sctx, a.CreateVoicemailTask, NewTask{
		CallID: in.CallID, Language: in.Language, Transcript: text, RecordingPath: in.RecordingPath, Plan: plan, At: workflow.Now(ctx),
	}).Get(ctx, &task)
	if err != nil {
		return Task{}, fmt.Errorf("create task: %w", err)
	}
	log.Info("voicemail task created", "call", in.CallID, "task", task.ID, "team", task.Team, "priority", task.Priority)

	// The team hears of the task while the escalation clock runs: a slow
	// webhook does not delay the escalation.
	nctx := workflow.WithActivityOptions(ctx, notifyOptions)
	notified := workflow.ExecuteActivity(nctx, a.NotifyVoicemailTeam, Notification{Event: EventNew, Task: task})
	task, err = escalateIfUntaken(ctx, in.CallID, task, plan.EscalateAfter)
	// Wait so the workflow does not end with the notification pending.
	if nerr := notified.Get(ctx, nil); nerr != nil {
		log.Error("team not notified; the task is listed all the same", "call", in.CallID, "task", task.ID, "error", nerr)
	}
	if err != nil {
		return task, err
	}
	return watchDue(ctx, in.CallID, task)
}

// watchDue waits until the task's SLA due time and, if it is still not
// solved, tells the supervisor it is overdue: a task nobody took is
// never silently late.
func watchDue(ctx workflow.Context, callID string, task Task) (Task, error) {
	if task.Status == StatusSolved || task.DueAt.IsZero() {
		return task, nil
	}
	log := workflow.GetLogger(ctx)
	var a *Activities
	if wait := task.DueAt.Sub(workflow.Now(ctx)); wait > 0 {
		if err := workflow.Sleep(ctx, wait); err != nil {
			return task, err
		}
	}
	var status Status
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, storeOptions), a.VoicemailTaskStatus, task.ID).Get(ctx, &status); err != nil {
		return task, fmt.Errorf("check task %s: %w", task.ID, err)
	}
	task.Status = status
	if status == StatusSolved {
		return task, nil
	}
	log.Warn("voicemail task overdue", "call", callID, "task", task.ID, "status", status)
	nctx := workflow.WithActivityOptions(ctx, notifyOptions)
	if err := workflow.ExecuteActivity(nctx, a.NotifyVoicemailTeam, Notification{Event: EventOverdue, Task: task}).Get(ctx, nil); err != nil {
		log.Error("supervisor not told of the overdue task", "call", callID, "task", task.ID, "error", err)
	}
	return task, nil
}

// escalateIfUntaken waits the escalation delay of an urgent task and, if
// it is still open, escalates it and tells the supervisor.
func escalateIfUntaken(ctx workflow.Context, callID string, task Task, after time.Duration) (Task, error) {
	if !task.Urgent || task.Escalated {
		return task, nil
	}
	log := workflow.GetLogger(ctx)
	var a *Activities
	if err := workflow.Sleep(ctx, after); err != nil {
		return task, err
	}
	sctx := workflow.WithActivityOptions(ctx, storeOptions)
	var status Status
	if err := workflow.ExecuteActivity(sctx, a.VoicemailTaskStatus, task.ID).Get(ctx, &status); err != nil {
		return task, fmt.Errorf("check task %s: %w", task.ID, err)
	}
	if status != StatusOpen {
		log.Info("urgent task taken in time", "call", callID, "task", task.ID, "status", status)
		task.Status = status
		return task, nil
	}
	var escalated Task
	err := workflow.ExecuteActivity(sctx, a.EscalateVoicemailTask, EscalateRequest{ID: task.ID, At: workflow.Now(ctx)}).Get(ctx, &escalated)
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && ae.Type() == errTypeNotOpen {
		return task, nil // taken between the check and the escalation
	}
	if err != nil {
		return task, fmt.Errorf("escalate task %s: %w", task.ID, err)
	}
	log.Warn("urgent task escalated", "call", callID, "task", task.ID)
	nctx := workflow.WithActivityOptions(ctx, notifyOptions)
	if err := workflow.ExecuteActivity(nctx, a.NotifyVoicemailTeam, Notification{Event: EventEscalated, Task: escalated}).Get(ctx, nil); err != nil {
		log.Error("supervisor not notified of the escalation", "call", callID, "task", task.ID, "error", err)
	}
	return escalated, nil
}

// TaskStore is where tasks live (*Store).
type TaskStore interface {
	Create(ctx context.Context, t Task) (Task, error)
	Get(ctx context.Context, id string) (Task, error)
	Escalate(ctx context.Context, id string, at, due time.Time) (Task, error)
}

// Activities do the voicemail workflow's I/O.
type Activities struct {
	Store       TaskStore
	Transcriber Transcriber
	Notifier    Notifier
	Config      Config // zero fields take DefaultConfig's
}

// TranscribeRequest names the recording to transcribe.
type TranscribeRequest struct {
	Path     string
	Language string
}

// TranscribeVoicemail transcribes a recording.
func (a *Activities) TranscribeVoicemail(ctx context.Context, r TranscribeRequest) (string, error) {
	if a.Transcriber == nil {
		return "", temporal.NewNonRetryableApplicationError("no transcriber configured", errTypeNoRecording, nil)
	}
	text, err := a.Transcriber.Transcribe(ctx, r.Path, r.Language)
	if errors.Is(err, ErrNoRecording) {
		return "", temporal.NewNonRetryableApplicationError(err.Error(), errTypeNoRecording, err)
	}
	return strings.TrimSpace(text), err
}

// TriageRequest is what triage knows of a message.
type TriageRequest struct {
	Text, Language, Caller string
	NoSpeech               bool // the recorder heard nobody
	HadRecording           bool
	TranscriptionFailed    bool
}

// Plan is the triage of a message under the configuration: a configured
// team, the callback number (the caller id when none was said), a summary
// and when an urgent task escalates.
type Plan struct {
	Result
	Summary       string
	EscalateAfter time.Duration
}

// TriageVoicemail classifies a message.
func (a *Activities) TriageVoicemail(ctx context.Context, r TriageRequest) (Plan, error) {
	return MakePlan(a.Config.WithDefaults(), r), nil
}

// MakePlan triages a message under cfg. A message without words still
// gets a task, never none: no speech at all is "call back" at the lowest
// priority; speech the recogniser could not read, or a failed
// transcription, goes to the general team for someone to listen to.
func MakePlan(cfg Config, r TriageRequest) Plan {
	p := Plan{EscalateAfter: cfg.EscalateAfter}
	text := strings.TrimSpace(r.Text)
	switch {
	case r.TranscriptionFailed:
		p.Result = Result{Team: cfg.General, Topic: TopicOther, Priority: PriorityHigh}
		p.Summary = SummaryTranscriptionFailed
	case text == "" && (r.NoSpeech || !r.HadRecording):
		p.Result = Result{Team: cfg.General, Topic: TopicNoMessage, Priority: PriorityLow}
		p.Summary = SummaryNoMessage
	case text == "":
		p.Result = Result{Team: cfg.General, Topic: TopicOther, Priority: PriorityNormal}
		p.Summary = SummaryNotRecognised
	default:
		p.Result = Triage(text, r.Language)
		p.Team = cfg.TeamOf(p.Team)
		p.Summary = summarize(p.Result, text)
	}
	if p.CallbackNumber == "" {
		p.CallbackNumber = CallerNumber(r.Caller)
	}
	return p
}

// summarize is the line a team reads first: the topic, URGENT if so, and
// the start of the message.
func summarize(r Result, text string) string {
	var b strings.Builder
	if r.Urgent {
		b.WriteString("URGENT ")
	}
	b.WriteString(r.Topic)
	b.WriteString(": ")
	words := strings.Fields(text)
	n := 0
	for i, w := range words {
		if n+len(w) > 140 {
			b.WriteString("…")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		n += len(w) + 1
	}
	return b.String()
}

// NewTask is the task to store for a message.
type NewTask struct {
	CallID, Language, Transcript, RecordingPath string
	Plan                                        Plan
	At                                          time.Time // when the workflow made it: the SLA counts from here
}

// CreateVoicemailTask stores the task (idempotent by call id).
func (a *Activities) CreateVoicemailTask(ctx context.Context, n NewTask) (Task, error) {
	cfg := a.Config.WithDefaults()
	p := n.Plan
	t := Task{
		CallID: n.CallID, Status: StatusOpen, Team: p.Team, Assignee: cfg.Assignees[p.Team], Priority: p.Priority, Topic: p.Topic,
		Urgent: p.Urgent, CallbackNumber: p.CallbackNumber, CallerName: p.CallerName, Language: n.Language,
		Transcript: n.Transcript, RecordingPath: n.RecordingPath, Summary: p.Summary,
		CreatedAt: n.At.UTC(), UpdatedAt: n.At.UTC(), DueAt: cfg.Due(n.At, p.Priority).UTC(),
	}
	if t.CallID == "" || t.Team == "" || t.Priority < PriorityUrgent || t.Priority > PriorityLow || t.CreatedAt.IsZero() {
		// No retry can fix the task itself.
		return Task{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("bad task for call %s: team %q, priority %d", t.CallID, t.Team, t.Priority), errTypeBadTask, nil)
	}
	created, err := a.Store.Create(ctx, t)
	if err != nil {
		return Task{}, err
	}
	activity.GetLogger(ctx).Info("task stored", "task", created.ID, "team", created.Team, "priority", created.Priority)
	return created, nil
}

// NotifyVoicemailTeam tells the task's team of a new task, or the
// supervisor of an escalation.
func (a *Activities) NotifyVoicemailTeam(ctx context.Context, n Notification) error {
	if a.Notifier == nil {
		return nil
	}
	if n.To == "" {
		n.To = n.Task.Team
		if n.Event == EventEscalated || n.Event == EventOverdue {
			n.To = a.Config.WithDefaults().Supervisor
		}
	}
	return a.Notifier.Notify(ctx, n)
}

// VoicemailTaskStatus reads a task's status.
func (a *Activities) VoicemailTaskStatus(ctx context.Context, id string) (Status, error) {
	t, err := a.Store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return "", temporal.NewNonRetryableApplicationError(err.Error(), errTypeNotFound, err)
	}
	return t.Status, err
}

// EscalateRequest escalates one task at a workflow time.
type EscalateRequest struct {
	ID string
	At time.Time
}

// EscalateVoicemailTask raises an open task to priority 1 with the urgent
// SLA counted from now, if that is sooner.
func (a *Activities) EscalateVoicemailTask(ctx context.Context, r EscalateRequest) (Task, error) {
	cfg := a.Config.WithDefaults()
	t, err := a.Store.Escalate(ctx, r.ID, r.At, cfg.Due(r.At, PriorityUrgent))
	switch {
	case errors.Is(err, ErrNotOpen):
		return t, temporal.NewNonRetryableApplicationError(err.Error(), errTypeNotOpen, err)
	case errors.Is(err, ErrNotFound):
		return t, temporal.NewNonRetryableApplicationError(err.Error(), errTypeNotFound, err)
	}
	return t, err
}

// Register adds the voicemail workflow and its activities to a worker.
func Register(w worker.Registry, a *Activities) {
	w.RegisterWorkflowWithOptions(VoicemailWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	w.RegisterActivity(a)
}

// Start starts the voicemail workflow of a call on workflows.TaskQueue.
// It is idempotent: starting it again for the same call, running or
// finished, does nothing and is no error.
func Start(ctx context.Context, c client.Client, in Input) error {
	if in.CallID == "" {
		return errors.New("start voicemail: no call id")
	}
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: WorkflowID(in.CallID), TaskQueue: workflows.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, WorkflowName, in)
	if err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return fmt.Errorf("start voicemail workflow of call %s: %w", in.CallID, err)
	}
	return nil
}
