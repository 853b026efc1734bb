package callstore

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/vastaa/vastaa/workflows"
)

// Handler serves GET /api/calls (query: limit, since=RFC 3339) and
// GET /api/calls/{id} as JSON.
func (s *Store) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/calls", func(w http.ResponseWriter, r *http.Request) {
		var o ListOptions
		if v := r.URL.Query().Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				workflows.WriteError(w, http.StatusBadRequest, "limit must be a non-negative integer")
				return
			}
			o.Limit = n
		}
		if v := r.URL.Query().Get("since"); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				workflows.WriteError(w, http.StatusBadRequest, "since must be an RFC 3339 time")
				return
			}
			o.Since = t
		}
		calls, err := s.List(r.Context(), o)
		if err != nil {
			workflows.WriteError(w, http.StatusInternalServerError, "listing calls failed")
			return
		}
		workflows.WriteJSON(w, http.StatusOK, calls)
	})
	mux.HandleFunc("GET /api/calls/{id}", func(w http.ResponseWriter, r *http.Request) {
		c, err := s.Get(r.Context(), r.PathValue("id"))
		if errors.Is(err, ErrNotFound) {
			workflows.WriteError(w, http.StatusNotFound, "no such call")
			return
		}
		if err != nil {
			workflows.WriteError(w, http.StatusInternalServerError, "reading call failed")
			return
		}
		workflows.WriteJSON(w, http.StatusOK, c)
	})
	return mux
}
