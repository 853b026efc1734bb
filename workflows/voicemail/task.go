// Package voicemail turns a caller's recorded message into a task for the
// right team: the message is transcribed, triaged (team, topic, urgency,
// callback number, name) and stored as a ticket with an SLA; the team is
// notified, and an urgent task nobody has picked up escalates. Every step
// is an activity of a Temporal workflow, so a worker restart loses nothing.
package voicemail

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Status of a task. Open: nobody has acted yet. Pending: someone is on it
// (waiting for the caller, a doctor, a lab). Solved: done.
type Status string

const (
	StatusOpen    Status = "open"
	StatusPending Status = "pending"
	StatusSolved  Status = "solved"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == StatusOpen || s == StatusPending || s == StatusSolved }

// transitions lists where each status may go. A solved task goes back to
// open (the caller rang again), never straight to pending.
var transitions = map[Status][]Status{
	StatusOpen:    {StatusPending, StatusSolved},
	StatusPending: {StatusOpen, StatusSolved},
	StatusSolved:  {StatusOpen},
}

// CanMove reports whether a task may go from one status to another;
// staying put is always allowed.
func CanMove(from, to Status) bool {
	return from == to || slices.Contains(transitions[from], to)
}

// Priorities: 1 is the most urgent.
const (
	PriorityUrgent = 1
	PriorityHigh   = 2
	PriorityNormal = 3
	PriorityLow    = 4
)

// Task is the ticket made from one message. CallbackNumber, CallerName,
// Transcript and Summary are personal data: they go to the store, the API
// and the team's notifier, never to logs above debug.
type Task struct {
	ID             string    `json:"id"`
	CallID         string    `json:"call_id"`
	Status         Status    `json:"status"`
	Team           string    `json:"team"`
	Assignee       string    `json:"assignee,omitempty"`
	Priority       int       `json:"priority"`
	Topic          string    `json:"topic"`
	Urgent         bool      `json:"urgent"`
	CallbackNumber string    `json:"callback_number,omitempty"`
	CallerName     string    `json:"caller_name,omitempty"`
	Language       string    `json:"language,omitempty"`
	Transcript     string    `json:"transcript"`
	RecordingPath  string    `json:"recording_path,omitempty"`
	Summary        string    `json:"summary"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	DueAt          time.Time `json:"due_at"`
	Escalated      bool      `json:"escalated"`
	EscalatedAt    time.Time `json:"escalated_at,omitzero"`
}

// Overdue reports whether an unsolved task is past its SLA at now.
func (t Task) Overdue(now time.Time) bool {
	return t.Status != StatusSolved && !t.DueAt.IsZero() && now.After(t.DueAt)
}

// Team names of the default configuration.
const (
	TeamAppointments  = "appointments"
	TeamPrescriptions = "prescriptions"
	TeamResults       = "results"
	TeamBilling       = "billing"
	TeamGeneral       = "general"
)

// Config says which teams exist, who takes their tasks by default, how
// soon each priority must be answered and when urgent tasks escalate.
type Config struct {
	// Teams that may own a task; triage falls back to General when its
	// team is not among them.
	Teams   []string `json:"teams" yaml:"teams"`
	General string   `json:"general" yaml:"general"`
	// Assignees gives a team's default assignee (empty: unassigned).
	Assignees map[string]string `json:"assignees,omitempty" yaml:"assignees"`
	// SLA by priority (1..4): the task is due this long after it was made.
	SLA map[int]time.Duration `json:"sla" yaml:"sla"`
	// EscalateAfter is how long an urgent task may stay open before the
	// supervisor is told and its priority raised.
	EscalateAfter time.Duration `json:"escalate_after" yaml:"escalate_after"`
	// Supervisor is the "team" escalations are sent to.
	Supervisor string `json:"supervisor" yaml:"supervisor"`
}

// DefaultConfig is five teams, urgent tasks answered within an hour and
// escalated after 15 minutes open, normal ones within a day.
func DefaultConfig() Config {
	return Config{
		Teams:   []string{TeamAppointments, TeamPrescriptions, TeamResults, TeamBilling, TeamGeneral},
		General: TeamGeneral,
		SLA: map[int]time.Duration{
			PriorityUrgent: time.Hour,
			PriorityHigh:   4 * time.Hour,
			PriorityNormal: 24 * time.Hour,
			PriorityLow:    72 * time.Hour,
		},
		EscalateAfter: 15 * time.Minute,
		Supervisor:    "supervisor",
	}
}

// WithDefaults fills what c leaves empty from DefaultConfig.
func (c Config) WithDefaults() Config {
	d := DefaultConfig()
	if len(c.Teams) == 0 {
		c.Teams = d.Teams
	}
	if c.General == "" {
		c.General = d.General
	}
	if !slices.Contains(c.Teams, c.General) {
		c.Teams = append(slices.Clone(c.Teams), c.General)
	}
	sla := map[int]time.Duration{}
	for p, v := range d.SLA {
		sla[p] = v
	}
	for p, v := range c.SLA {
		sla[p] = v
	}
	c.SLA = sla
	if c.EscalateAfter <= 0 {
		c.EscalateAfter = d.EscalateAfter
	}
	if c.Supervisor == "" {
		c.Supervisor = d.Supervisor
	}
	return c
}

// Validate says everything that is wrong at once.
func (c Config) Validate() error {
	var errs []error
	for p, d := range c.SLA {
		if p < PriorityUrgent || p > PriorityLow || d <= 0 {
			errs = append(errs, fmt.Errorf("sla: priority %d: %v (priorities 1..4, positive durations)", p, d))
		}
	}
	for team := range c.Assignees {
		if !slices.Contains(c.Teams, team) {
			errs = append(errs, fmt.Errorf("assignees: unknown team %q", team))
		}
	}
	if c.EscalateAfter < 0 {
		errs = append(errs, errors.New("escalate_after must not be negative"))
	}
	return errors.Join(errs...)
}

// TeamOf maps a triaged team onto a configured one.
func (c Config) TeamOf(team string) string {
	if slices.Contains(c.Teams, team) {
		return team
	}
	return c.General
}

// Due is when a task of priority p made at created must be answered.
func (c Config) Due(created time.Time, p int) time.Time {
	d, ok := c.SLA[p]
	if !ok {
		d = c.SLA[PriorityNormal]
	}
	return created.Add(d)
}
