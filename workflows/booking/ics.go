package booking

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteICS writes a resource's confirmed bookings as an iCalendar file
// (RFC 5545) that ordinary calendars import or subscribe to. Callers'
// numbers stay out of it: the summary names the service only.
func WriteICS(w io.Writer, cfg Config, resource string, bookings []Booking, now time.Time) error {
	var b strings.Builder
	line := func(s string) { b.WriteString(foldICS(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Vastaa//Bookings//EN")
	line("CALSCALE:GREGORIAN")
	line("X-WR-CALNAME:" + escapeICS(resource))
	names := map[string]string{}
	for _, s := range cfg.Services {
		names[s.ID] = s.Names["en"]
		if names[s.ID] == "" {
			names[s.ID] = s.ID
		}
	}
	for _, bk := range bookings {
		if bk.Status != Confirmed || bk.Resource != resource {
			continue
		}
		line("BEGIN:VEVENT")
		line("UID:" + escapeICS(bk.ID) + "@vastaa")
		line("DTSTAMP:" + icsTime(now))
		line("DTSTART:" + icsTime(bk.Start))
		line("DTEND:" + icsTime(bk.End))
		line("SUMMARY:" + escapeICS(names[bk.Service]))
		line(fmt.Sprintf("SEQUENCE:%d", bk.Version-1))
		line("STATUS:CONFIRMED")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	_, err := io.WriteString(w, b.String())
	return err
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeICS escapes TEXT values (backslash, semicolon, comma, newline).
func escapeICS(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`).Replace(s)
}

// foldICS ends a content line with CRLF, folding it at 75 octets without
// splitting a UTF-8 character.
func foldICS(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		l := len(string(r))
		if n+l > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += l
	}
	b.WriteString("\r\n")
	return b.String()
}
