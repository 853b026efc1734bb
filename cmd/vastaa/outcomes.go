package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/vastaa/vastaa/examples"
	"github.com/vastaa/vastaa/workflows"
	"github.com/vastaa/vastaa/workflows/booking"
	"github.com/vastaa/vastaa/workflows/callstore"
)

// bookingSetup loads the booking configuration (the demo clinic's when no
// file is given), registers the resource workflows with a notifier, and
// returns the booking desk the call workflow uses.
func bookingSetup(w worker.Registry, c client.Client, cfg serveConfig, log *slog.Logger) (*booking.Desk, error) {
	var bc *booking.Config
	var err error
	if cfg.BookingConfig == "" {
		bc, err = booking.ParseConfig(examples.Booking)
	} else {
		bc, err = booking.LoadConfig(cfg.BookingConfig)
	}
	if err != nil {
		return nil, err
	}
	var n booking.Notifier = booking.LogNotifier{Log: log}
	if cfg.NotifyWebhook != "" {
		n = booking.WebhookNotifier{URL: cfg.NotifyWebhook, Client: &http.Client{Timeout: 10 * time.Second}}
	}
	booking.Register(w, &booking.Activities{Notifier: n})
	return &booking.Desk{Client: &booking.Client{C: c, TaskQueue: workflows.TaskQueue, Config: *bc}}, nil
}

// bookingsICS serves GET /api/bookings/{resource}.ics: a resource's
// confirmed appointments for ordinary calendars (no callers' numbers).
func bookingsICS(d *booking.Desk) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/api/bookings/"), ".ics")
		if _, known := d.Client.Config.Resource(res); !ok || !known {
			http.Error(w, "want /api/bookings/{resource}.ics with a configured resource", http.StatusNotFound)
			return
		}
		list, err := d.Client.Bookings(r.Context(), res)
		if err != nil {
			http.Error(w, "bookings: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		booking.WriteICS(w, d.Client.Config, res, list, time.Now())
	})
}

// contactsAdapter gives handoff summaries the caller's earlier calls.
type contactsAdapter struct{ store *callstore.Store }

func (c contactsAdapter) PastContacts(ctx context.Context, caller, except string) (workflows.PastContacts, error) {
	got, err := c.store.ContactsOf(ctx, caller, except, time.Now().AddDate(0, 0, -90))
	return workflows.PastContacts(got), err
}

// openHours is when people answer the phone: outside them a handoff
// becomes a voicemail. Empty means always open.
type openHours struct {
	loc  *time.Location
	days map[time.Weekday][2]time.Duration
}

// parseOpenHours reads "mon-fri 08:00-18:00, sat 09:00-14:00" in the time zone tz.
func parseOpenHours(spec, tz string) (*openHours, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("--open-hours time zone: %w", err)
	}
	h := &openHours{loc: loc, days: map[time.Weekday][2]time.Duration{}}
	for _, part := range strings.Split(spec, ",") {
		days, span, ok := strings.Cut(strings.TrimSpace(part), " ")
		if !ok {
			return nil, fmt.Errorf("--open-hours %q: want e.g. \"mon-fri 08:00-18:00, sat 09:00-14:00\"", part)
		}
		open, closeAt, err := booking.ParseSpan(strings.TrimSpace(span))
		if err != nil {
			return nil, fmt.Errorf("--open-hours %q: %v", part, err)
		}
		d0, d1, _ := strings.Cut(days, "-")
		if d1 == "" {
			d1 = d0
		}
		a, okA := booking.Weekday(d0)
		b, okB := booking.Weekday(d1)
		if !okA || !okB {
			return nil, fmt.Errorf("--open-hours %q: days are mon..sun", part)
		}
		for d := a; ; d = (d + 1) % 7 {
			h.days[d] = [2]time.Duration{open, closeAt}
			if d == b {
				break
			}
		}
	}
	return h, nil
}

// Open reports whether people answer at t.
func (h *openHours) Open(t time.Time) bool {
	if h == nil {
		return true
	}
	t = t.In(h.loc)
	span, ok := h.days[t.Weekday()]
	since := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	return ok && since >= span[0] && since < span[1]
}
