package voicemail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)

	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/workflows"
)

// Errors of the store; the HTTP handler maps them to 404 and 400/409.
var (
	ErrNotFound   = errors.New("task not found")
	ErrTransition = errors.New("status change not allowed")
	ErrNotOpen    = errors.New("task is no longer open")
)

// Store keeps tasks in a SQLite file (tasks.db in the data directory).
type Store struct {
	db *sql.DB
}

// migrations bring a file from user_version i to i+1. Append only: a
// released step is never edited, so every file ends up the same.
var migrations = [][]string{
	{
		`CREATE TABLE tasks (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			call_id TEXT NOT NULL UNIQUE,
			status TEXT NOT NULL,
			team TEXT NOT NULL,
			assignee TEXT NOT NULL DEFAULT '',
			priority INTEGER NOT NULL,
			topic TEXT NOT NULL DEFAULT '',
			urgent INTEGER NOT NULL DEFAULT 0,
			callback_number TEXT NOT NULL DEFAULT '',
			caller_name TEXT NOT NULL DEFAULT '',
			language TEXT NOT NULL DEFAULT '',
			transcript TEXT NOT NULL DEFAULT '',
			recording_path TEXT NOT NULL DEFAULT '',
			summary TEXT NOT NULL DEFAULT '',
			created_at INTEGER NOT NULL,
			updated_at INTEGER NOT NULL,
			due_at INTEGER NOT NULL,
			escalated INTEGER NOT NULL DEFAULT 0,
			escalated_at INTEGER NOT NULL DEFAULT 0
		)`,
		`CREATE INDEX tasks_queue ON tasks(status, priority, due_at)`,
		`CREATE INDEX tasks_team ON tasks(team, status)`,
	},
}

// SchemaVersion is the user_version of an up-to-date file.
var SchemaVersion = len(migrations)

// Open opens (creating if needed) the store at path; ":memory:" works for tests.
func Open(ctx context.Context, path string) (*Store, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	if path == ":memory:" {
		dsn = "file::memory:"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open task store %s: %w", path, err)
	}
	// One writer at a time is what SQLite does anyway; a single connection
	// also keeps an in-memory database alive.
	db.SetMaxOpenConns(1)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("task store %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	var v int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this program's %d", v, len(migrations))
	}
	for ; v < len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for _, stmt := range migrations[v] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return fmt.Errorf("migrate to version %d: %w", v+1, err)
			}
		}
		// PRAGMA takes no parameters; v is our own integer.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

const taskColumns = `id, call_id, status, team, assignee, priority, topic, urgent, callback_number, caller_name, language,
	transcript, recording_path, summary, created_at, updated_at, due_at, escalated, escalated_at`

func scanTask(row interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var id, created, updated, due, escAt int64
	var urgent, escalated int
	err := row.Scan(&id, &t.CallID, &t.Status, &t.Team, &t.Assignee, &t.Priority, &t.Topic, &urgent, &t.CallbackNumber,
		&t.CallerName, &t.Language, &t.Transcript, &t.RecordingPath, &t.Summary, &created, &updated, &due, &escalated, &escAt)
	if err != nil {
		return t, err
	}
	t.ID = strconv.FormatInt(id, 10)
	t.Urgent, t.Escalated = urgent != 0, escalated != 0
	t.CreatedAt, t.UpdatedAt, t.DueAt, t.EscalatedAt = workflows.FromUnixMicro(created), workflows.FromUnixMicro(updated), workflows.FromUnixMicro(due), workflows.FromUnixMicro(escAt)
	return t, nil
}

// parseID turns a task id into the row id; an id that is not one cannot
// exist.
func parseID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("task %q: %w", id, ErrNotFound)
	}
	return n, nil
}

// Create stores a new task and returns it with its id. It is idempotent by
// call id: a second Create for the same call (an activity retried after
// its first try committed) returns the first task unchanged.
func (s *Store) Create(ctx context.Context, t Task) (Task, error) {
	if t.CallID == "" || t.Team == "" || t.CreatedAt.IsZero() {
		return Task{}, errors.New("a task needs a call id, a team and a creation time")
	}
	if t.Status == "" {
		t.Status = StatusOpen
	}
	if !t.Status.Valid() || t.Priority < PriorityUrgent || t.Priority > PriorityLow {
		return Task{}, fmt.Errorf("task of call %s: bad status %q or priority %d", t.CallID, t.Status, t.Priority)
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO tasks
		(call_id, status, team, assignee, priority, topic, urgent, callback_number, caller_name, language,
		 transcript, recording_path, summary, created_at, updated_at, due_at, escalated, escalated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(call_id) DO NOTHING`,
		t.CallID, t.Status, t.Team, t.Assignee, t.Priority, t.Topic, b2i(t.Urgent), t.CallbackNumber, t.CallerName, t.Language,
		t.Transcript, t.RecordingPath, t.Summary, workflows.UnixMicro(t.CreatedAt), workflows.UnixMicro(t.UpdatedAt), workflows.UnixMicro(t.DueAt),
		b2i(t.Escalated), workflows.UnixMicro(t.EscalatedAt))
	if err != nil {
		return Task{}, fmt.Errorf("create task of call %s: %w", t.CallID, err)
	}
	return s.ByCall(ctx, t.CallID)
}

// ByCall returns the task made from a call.
func (s *Store) ByCall(ctx context.Context, callID string) (Task, error) {
	t, err := scanTask(s.db.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE call_id = ?`, callID))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("task of call %s: %w", callID, ErrNotFound)
	}
	return t, err
}

// Get returns one task.
func (s *Store) Get(ctx context.Context, id string) (Task, error) {
	n, err := parseID(id)
	if err != nil {
		return Task{}, err
	}
	return s.get(ctx, s.db, n)
}

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (s *Store) get(ctx context.Context, q queryer, n int64) (Task, error) {
	t, err := scanTask(q.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE id = ?`, n))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("task %d: %w", n, ErrNotFound)
	}
	return t, err
}

// ListOptions filters List; empty fields match everything.
type ListOptions struct {
	Status Status
	Team   string
	Limit  int // 0 means 100
}

// List returns tasks as a work queue: unsolved before solved, then by
// priority, then the soonest due first.
func (s *Store) List(ctx context.Context, o ListOptions) ([]Task, error) {
	if o.Limit <= 0 {
		o.Limit = 100
	}
	var where []string
	var args []any
	if o.Status != "" {
		where, args = append(where, "status = ?"), append(args, o.Status)
	}
	if o.Team != "" {
		where, args = append(where, "team = ?"), append(args, o.Team)
	}
	q := `SELECT ` + taskColumns + ` FROM tasks`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY status = 'solved', priority, due_at, id LIMIT ?`
	rows, err := s.db.QueryContext(ctx, q, append(args, o.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Task{}
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Change is an edit of a task by a person: an empty Status and a nil
// Assignee leave those as they are; Assignee "" unassigns.
type Change struct {
	Status   Status  `json:"status,omitempty"`
	Assignee *string `json:"assignee,omitempty"`
}

// Update applies a change at the given time. A status change must follow
// the allowed transitions (CanMove); ErrTransition says it did not.
func (s *Store) Update(ctx context.Context, id string, c Change, at time.Time) (Task, error) {
	n, err := parseID(id)
	if err != nil {
		return Task{}, err
	}
	if c.Status != "" && !c.Status.Valid() {
		return Task{}, fmt.Errorf("status %q: %w (want open, pending or solved)", c.Status, ErrTransition)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Task{}, err
	}
	defer tx.Rollback()
	t, err := s.get(ctx, tx, n)
	if err != nil {
		return Task{}, err
	}
	if c.Status != "" {
		if !CanMove(t.Status, c.Status) {
			return Task{}, fmt.Errorf("task %s from %s to %s: %w", id, t.Status, c.Status, ErrTransition)
		}
		t.Status = c.Status
	}
	if c.Assignee != nil {
		t.Assignee = strings.TrimSpace(*c.Assignee)
	}
	t.UpdatedAt = at.UTC()
	if _, err := tx.ExecContext(ctx, `UPDATE tasks SET status = ?, assignee = ?, updated_at = ? WHERE id = ?`,
		t.Status, t.Assignee, workflows.UnixMicro(t.UpdatedAt), n); err != nil {
		return Task{}, fmt.Errorf("update task %s: %w", id, err)
	}
	return t, tx.Commit()
}

// Escalate raises an open task to priority 1 and marks it escalated, with
// the SLA of priority 1 if that is sooner (due is the new due time). A task
// already escalated is returned as it is, so a retried activity does no
// harm; a task no longer open is ErrNotOpen.
func (s *Store) Escalate(ctx context.Context, id string, at, due time.Time) (Task, error) {
	n, err := parseID(id)
	if err != nil {
		return Task{}, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Task{}, err
	}
	defer tx.Rollback()
	t, err := s.get(ctx, tx, n)
	if err != nil {
		return Task{}, err
	}
	if t.Escalated {
		return t, nil
	}
	if t.Status != StatusOpen {
		return t, fmt.Errorf("task %s is %s: %w", id, t.Status, ErrNotOpen)
	}
	t.Priority, t.Escalated, t.EscalatedAt, t.UpdatedAt = PriorityUrgent, true, at.UTC(), at.UTC()
	if !due.IsZero() && due.Before(t.DueAt) {
		t.DueAt = due.UTC()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tasks SET priority = ?, escalated = 1, escalated_at = ?, updated_at = ?, due_at = ? WHERE id = ?`,
		t.Priority, workflows.UnixMicro(t.EscalatedAt), workflows.UnixMicro(t.UpdatedAt), workflows.UnixMicro(t.DueAt), n); err != nil {
		return Task{}, fmt.Errorf("escalate task %s: %w", id, err)
	}
	return t, tx.Commit()
}

// SaveRecording writes a message as an 8 kHz WAV file dir/<callID>.wav
// (through a temporary file, so a crash never leaves half a file under the
// final name) and returns its path. Recordings are personal data: the
// directory and file are private to the service's user.
func SaveRecording(dir, callID string, pcm []int16) (string, error) {
	if callID == "" || strings.ContainsAny(callID, `/\`) || strings.HasPrefix(callID, ".") {
		return "", fmt.Errorf("save recording: bad call id %q", callID)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("save recording: %w", err)
	}
	path := filepath.Join(dir, callID+".wav")
	f, err := os.CreateTemp(dir, "."+callID+"-*.wav")
	if err != nil {
		return "", fmt.Errorf("save recording: %w", err)
	}
	tmp := f.Name()
	err = media.WriteWAV(f, 8000, 1, pcm)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o640)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("save recording of call %s: %w", callID, err)
	}
	return path, nil
}
