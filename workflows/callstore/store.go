package callstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vastaa/vastaa/workflows"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// ErrNotFound is returned when a call id is unknown.
var ErrNotFound = errors.New("call not found")

// Store keeps call records in a SQLite file.
type Store struct {
	db *sql.DB
}

// schema is applied on Open; statements are idempotent so an existing file
// is upgraded in place.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS calls (
		id TEXT PRIMARY KEY,
		sip_call_id TEXT NOT NULL DEFAULT '',
		direction TEXT NOT NULL DEFAULT 'inbound',
		caller TEXT NOT NULL DEFAULT '',
		callee TEXT NOT NULL DEFAULT '',
		codec TEXT NOT NULL DEFAULT '',
		started_at INTEGER NOT NULL,
		answered_at INTEGER NOT NULL DEFAULT 0,
		ended_at INTEGER NOT NULL DEFAULT 0,
		end_reason TEXT NOT NULL DEFAULT '',
		route TEXT NOT NULL DEFAULT '',
		queue TEXT NOT NULL DEFAULT '',
		language TEXT NOT NULL DEFAULT '',
		recording TEXT NOT NULL DEFAULT '',
		media TEXT NOT NULL DEFAULT '{}'
	)`,
	`CREATE INDEX IF NOT EXISTS calls_started ON calls(started_at)`,
	`CREATE TABLE IF NOT EXISTS turns (
		call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
		idx INTEGER NOT NULL,
		body TEXT NOT NULL,
		PRIMARY KEY (call_id, idx)
	)`,
}

// Open opens (creating if needed) the store at path; ":memory:" works for tests.
func Open(ctx context.Context, path string) (*Store, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"
	if path == ":memory:" {
		dsn = "file::memory:?_pragma=foreign_keys(1)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open call store %s: %w", path, err)
	}
	// One writer at a time is what SQLite does anyway; a single connection
	// also keeps an in-memory database alive and shared.
	db.SetMaxOpenConns(1)
	for _, stmt := range schema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			db.Close()
			return nil, fmt.Errorf("init call store %s: %w", path, err)
		}
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Create records a new call. ID and StartedAt are required.
func (s *Store) Create(ctx context.Context, c Call) error {
	if c.ID == "" || c.StartedAt.IsZero() {
		return errors.New("call record needs an id and a start time")
	}
	if c.Direction == "" {
		c.Direction = "inbound"
	}
	media, _ := json.Marshal(c.Media)
	_, err := s.db.ExecContext(ctx, `INSERT INTO calls
		(id, sip_call_id, direction, caller, callee, codec, started_at, answered_at, ended_at, end_reason, route, queue, language, recording, media)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		c.ID, c.SIPCallID, c.Direction, c.Caller, c.Callee, c.Codec, workflows.UnixMicro(c.StartedAt), workflows.UnixMicro(c.AnsweredAt),
		workflows.UnixMicro(c.EndedAt), c.EndReason, c.Route, c.Queue, c.Language, c.Recording, string(media))
	if err != nil {
		return fmt.Errorf("record call %s: %w", c.ID, err)
	}
	return nil
}

// MarkAnswered sets the answer time.
func (s *Store) MarkAnswered(ctx context.Context, id string, at time.Time) error {
	return s.exec1(ctx, id, `UPDATE calls SET answered_at = ? WHERE id = ?`, workflows.UnixMicro(at), id)
}

// AddTurn appends a turn and updates the call's current route and language.
func (s *Store) AddTurn(ctx context.Context, callID string, t Turn) error {
	body, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode turn: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO turns (call_id, idx, body) VALUES (?,?,?)`, callID, t.Index, string(body)); err != nil {
		return fmt.Errorf("record turn %d of call %s: %w", t.Index, callID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE calls SET
			route = CASE WHEN ? <> '' THEN ? ELSE route END,
			queue = CASE WHEN ? <> '' THEN ? ELSE queue END,
			language = CASE WHEN ? <> '' THEN ? ELSE language END
		WHERE id = ?`, t.Route, t.Route, t.Queue, t.Queue, t.Language, t.Language, callID); err != nil {
		return err
	}
	return tx.Commit()
}

// End closes the record: end time, reason, media statistics. Ending a call
// twice keeps the first reason and figures, since the first thing that ended the call is
// the true cause.
func (s *Store) End(ctx context.Context, id string, at time.Time, reason string, media MediaStats) error {
	m, _ := json.Marshal(media)
	return s.exec1(ctx, id, `UPDATE calls SET
			ended_at = CASE WHEN ended_at = 0 THEN ? ELSE ended_at END,
			end_reason = CASE WHEN end_reason = '' THEN ? ELSE end_reason END,
			media = CASE WHEN ended_at = 0 THEN ? ELSE media END WHERE id = ?`, workflows.UnixMicro(at), reason, string(m), id)
}

// SetRecording stores the path of the call's recording.
func (s *Store) SetRecording(ctx context.Context, id, path string) error {
	return s.exec1(ctx, id, `UPDATE calls SET recording = ? WHERE id = ?`, path, id)
}

func (s *Store) exec1(ctx context.Context, id, q string, args ...any) error {
	res, err := s.db.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("update call %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update call %s: %w", id, ErrNotFound)
	}
	return nil
}

const callColumns = `id, sip_call_id, direction, caller, callee, codec, started_at, answered_at, ended_at, end_reason, route, queue, language, recording, media,
	(SELECT COUNT(*) FROM turns WHERE turns.call_id = calls.id)`

func scanCall(row interface{ Scan(...any) error }) (Call, error) {
	var c Call
	var started, answered, ended int64
	var media string
	err := row.Scan(&c.ID, &c.SIPCallID, &c.Direction, &c.Caller, &c.Callee, &c.Codec, &started, &answered, &ended,
		&c.EndReason, &c.Route, &c.Queue, &c.Language, &c.Recording, &media, &c.TurnCount)
	if err != nil {
		return c, err
	}
	c.StartedAt, c.AnsweredAt, c.EndedAt = workflows.FromUnixMicro(started), workflows.FromUnixMicro(answered), workflows.FromUnixMicro(ended)
	if err := json.Unmarshal([]byte(media), &c.Media); err != nil {
		return c, fmt.Errorf("decode media stats of call %s: %w", c.ID, err)
	}
	return c, nil
}

// Get returns one call with all its turns.
func (s *Store) Get(ctx context.Context, id string) (Call, error) {
	c, err := scanCall(s.db.QueryRowContext(ctx, `SELECT `+callColumns+` FROM calls WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("call %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT body FROM turns WHERE call_id = ? ORDER BY idx`, id)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return c, err
		}
		var t Turn
		if err := json.Unmarshal([]byte(body), &t); err != nil {
			return c, fmt.Errorf("decode turn of call %s: %w", id, err)
		}
		c.Turns = append(c.Turns, t)
	}
	return c, rows.Err()
}

// ListOptions filters List.
type ListOptions struct {
	Since time.Time // only calls started at or after
	Limit int       // newest first; 0 means 100
}

// List returns calls newest first, without their turns.
func (s *Store) List(ctx context.Context, o ListOptions) ([]Call, error) {
	if o.Limit <= 0 {
		o.Limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+callColumns+` FROM calls WHERE started_at >= ? ORDER BY started_at DESC, id DESC LIMIT ?`,
		workflows.UnixMicro(o.Since), o.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Call{}
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Contacts is what the records say of one number's earlier calls.
type Contacts struct {
	Calls     int
	LastAt    time.Time
	LastRoute string
	// LastTopic is the first intent the caller showed in the last call.
	LastTopic string
}

// ContactsOf counts the calls from caller started since, leaving out the
// call except (the one in progress), and describes the latest of them.
func (s *Store) ContactsOf(ctx context.Context, caller, except string, since time.Time) (Contacts, error) {
	var c Contacts
	if caller == "" {
		return c, nil
	}
	var last sql.NullInt64
	var lastID sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), MAX(started_at) FROM calls WHERE caller = ? AND id <> ? AND started_at >= ?`,
		caller, except, workflows.UnixMicro(since)).Scan(&c.Calls, &last)
	if err != nil || c.Calls == 0 {
		return c, err
	}
	c.LastAt = workflows.FromUnixMicro(last.Int64)
	err = s.db.QueryRowContext(ctx, `SELECT id, route FROM calls WHERE caller = ? AND id <> ? AND started_at = ? LIMIT 1`,
		caller, except, last.Int64).Scan(&lastID, &c.LastRoute)
	if err != nil {
		return c, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT body FROM turns WHERE call_id = ? ORDER BY idx`, lastID.String)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() && c.LastTopic == "" {
		var body string
		if err := rows.Scan(&body); err != nil {
			return c, err
		}
		var t Turn
		if json.Unmarshal([]byte(body), &t) == nil && t.Intent != "" && t.Intent != "unknown" {
			c.LastTopic = t.Intent
		}
	}
	return c, rows.Err()
}
