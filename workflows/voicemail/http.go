package voicemail

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vastaa/vastaa/workflows"
)

// Handler serves the tasks as JSON:
//
//	GET   /api/tasks        ?status=open|pending|solved &team= &limit=
//	GET   /api/tasks/{id}
//	PATCH /api/tasks/{id}   {"status": "solved", "assignee": "maria"}
//
// The answers hold personal data (numbers, names, transcripts): serve them
// only where the clinic's staff are.
func (s *Store) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/tasks", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		o := ListOptions{Status: Status(q.Get("status")), Team: q.Get("team")}
		if o.Status != "" && !o.Status.Valid() {
			workflows.WriteError(w, http.StatusBadRequest, "status must be open, pending or solved")
			return
		}
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1000 {
				workflows.WriteError(w, http.StatusBadRequest, "limit must be an integer from 0 to 1000")
				return
			}
			o.Limit = n
		}
		tasks, err := s.List(r.Context(), o)
		if err != nil {
			workflows.WriteError(w, http.StatusInternalServerError, "listing tasks failed")
			return
		}
		workflows.WriteJSON(w, http.StatusOK, tasks)
	})
	mux.HandleFunc("GET /api/tasks/{id}", func(w http.ResponseWriter, r *http.Request) {
		t, err := s.Get(r.Context(), r.PathValue("id"))
		if errors.Is(err, ErrNotFound) {
			workflows.WriteError(w, http.StatusNotFound, "no such task")
			return
		}
		if err != nil {
			workflows.WriteError(w, http.StatusInternalServerError, "reading task failed")
			return
		}
		workflows.WriteJSON(w, http.StatusOK, t)
	})
	mux.HandleFunc("PATCH /api/tasks/{id}", func(w http.ResponseWriter, r *http.Request) {
		var c Change
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			workflows.WriteError(w, http.StatusBadRequest, "body must be JSON like {\"status\": \"solved\", \"assignee\": \"name\"}: "+err.Error())
			return
		}
		if c.Status == "" && c.Assignee == nil {
			workflows.WriteError(w, http.StatusBadRequest, "nothing to change: give status, assignee or both")
			return
		}
		if c.Status != "" && !c.Status.Valid() {
			workflows.WriteError(w, http.StatusBadRequest, "status must be open, pending or solved")
			return
		}
		t, err := s.Update(r.Context(), r.PathValue("id"), c, time.Now())
		switch {
		case errors.Is(err, ErrNotFound):
			workflows.WriteError(w, http.StatusNotFound, "no such task")
		case errors.Is(err, ErrTransition):
			workflows.WriteError(w, http.StatusBadRequest, transitionMessage(err))
		case err != nil:
			workflows.WriteError(w, http.StatusInternalServerError, "updating task failed")
		default:
			workflows.WriteJSON(w, http.StatusOK, t)
		}
	})
	return mux
}

// transitionMessage says which moves are allowed.
func transitionMessage(err error) string {
	return fmt.Sprintf("%v (allowed: open→pending|solved, pending→open|solved, solved→open)", err)
}
