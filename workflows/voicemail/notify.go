package voicemail

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/vastaa/vastaa/workflows"
)

// Event is what a notification is about.
type Event string

const (
	EventNew       Event = "new"       // a task was made; To is its team
	EventEscalated Event = "escalated" // an urgent task stayed open; To is the supervisor
	EventOverdue   Event = "overdue"   // a task passed its SLA due time unsolved; To is the supervisor
)

// Notification tells a team (or the supervisor) about a task.
type Notification struct {
	Event Event  `json:"event"`
	To    string `json:"to"`
	Task  Task   `json:"task"`
}

// Notifier delivers notifications: to a log, to a webhook (a chat
// channel, a ticket system).
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// LogNotifier writes notifications to a log: at info only the task id,
// team and priority; the caller's number, name and words only at debug.
type LogNotifier struct{ Log *slog.Logger }

func (l LogNotifier) Notify(ctx context.Context, n Notification) error {
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	log.InfoContext(ctx, "voicemail task", "event", n.Event, "to", n.To, "task", n.Task.ID, "team", n.Task.Team, "priority", n.Task.Priority)
	log.DebugContext(ctx, "voicemail task details", "task", n.Task.ID, "call", n.Task.CallID, "callback", n.Task.CallbackNumber,
		"name", n.Task.CallerName, "summary", n.Task.Summary)
	return nil
}

// WebhookNotifier POSTs the notification as JSON, the whole task with it
// (the receiving system is where the team reads it). Any status but 2xx is
// an error, and the activity retries it.
type WebhookNotifier struct {
	URL    string
	Header http.Header // e.g. an Authorization header
	Client *http.Client
}

func (w WebhookNotifier) Notify(ctx context.Context, n Notification) error {
	return workflows.PostJSON(ctx, w.Client, w.URL, w.Header, "voicemail webhook", n)
}

// Notifiers sends to each in turn; the first failure is returned after all
// have been tried (a retry resends to all, so receivers should use the
// task id and event to drop duplicates).
type Notifiers []Notifier

func (ns Notifiers) Notify(ctx context.Context, n Notification) error {
	var first error
	for _, x := range ns {
		if err := x.Notify(ctx, n); err != nil && first == nil {
			first = err
		}
	}
	return first
}
