package booking

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/smtp"
	"strings"
	"time"

	"github.com/vastaa/vastaa/workflows"
)

// Kind of notification.
type Kind string

const (
	Confirmation Kind = "confirmation"
	Reminder     Kind = "reminder"
	Rescheduled  Kind = "rescheduled"
	Cancellation Kind = "cancellation"
)

// Notification is one message about a booking.
type Notification struct {
	Kind    Kind    `json:"kind"`
	Booking Booking `json:"booking"`
}

// Notifier sends notifications: to a log, by e-mail, or to a webhook.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// LogNotifier writes notifications to a log: the booking id and kind at
// info, the caller's details only at debug.
type LogNotifier struct{ Log *slog.Logger }

func (l LogNotifier) Notify(ctx context.Context, n Notification) error {
	l.Log.Info("booking notification", "kind", n.Kind, "booking", n.Booking.ID, "resource", n.Booking.Resource, "start", n.Booking.Start)
	l.Log.Debug("booking notification details", "booking", n.Booking.ID, "caller", n.Booking.Caller, "name", n.Booking.Name)
	return nil
}

// WebhookNotifier POSTs the notification as JSON; any status but 2xx is an
// error (the activity retries it).
type WebhookNotifier struct {
	URL    string
	Header http.Header // e.g. an Authorization header
	Client *http.Client
}

func (w WebhookNotifier) Notify(ctx context.Context, n Notification) error {
	return workflows.PostJSON(ctx, w.Client, w.URL, w.Header, "booking webhook", n)
}

// SMTPNotifier e-mails notifications. To may hold "{caller}", replaced by
// the caller's number (for an e-mail-to-SMS gateway), or be a fixed inbox.
type SMTPNotifier struct {
	Addr string // host:port
	Auth smtp.Auth
	From string
	To   string
	Loc  *time.Location
}

var subjects = map[string]map[Kind]string{
	"en": {Confirmation: "Your appointment is booked", Reminder: "Reminder: your appointment", Rescheduled: "Your appointment was moved", Cancellation: "Your appointment was cancelled"},
	"fi": {Confirmation: "Aikasi on varattu", Reminder: "Muistutus: vastaanottoaikasi", Rescheduled: "Aikasi siirrettiin", Cancellation: "Aikasi on peruttu"},
	"sv": {Confirmation: "Din tid är bokad", Reminder: "Påminnelse: din tid", Rescheduled: "Din tid har flyttats", Cancellation: "Din tid har avbokats"},
	"lv": {Confirmation: "Jūsu vizīte ir pierakstīta", Reminder: "Atgādinājums: jūsu vizīte", Rescheduled: "Jūsu vizīte ir pārcelta", Cancellation: "Jūsu vizīte ir atcelta"},
}

// Message is the e-mail of a notification (headers and body, CRLF lines).
func (s SMTPNotifier) Message(n Notification) (to string, msg []byte) {
	to = strings.ReplaceAll(s.To, "{caller}", strings.TrimPrefix(n.Booking.Caller, "+"))
	lang := n.Booking.Language
	if subjects[lang] == nil {
		lang = "en"
	}
	loc := s.Loc
	if loc == nil {
		loc = time.UTC
	}
	when := n.Booking.Start.In(loc).Format("Mon 2 Jan 2006 15:04")
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n", s.From, to, subjects[lang][n.Kind])
	fmt.Fprintf(&b, "X-Vastaa-Booking: %s\r\nX-Vastaa-Kind: %s\r\n\r\n", n.Booking.ID, n.Kind)
	fmt.Fprintf(&b, "%s\r\n%s, %s (%s)\r\n", subjects[lang][n.Kind], when, n.Booking.Service, n.Booking.Resource)
	return to, []byte(b.String())
}

func (s SMTPNotifier) Notify(ctx context.Context, n Notification) error {
	to, msg := s.Message(n)
	if err := smtp.SendMail(s.Addr, s.Auth, s.From, []string{to}, msg); err != nil {
		return fmt.Errorf("booking e-mail via %s: %w", s.Addr, err)
	}
	return nil
}
