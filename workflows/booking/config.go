// Package booking makes appointments durable: services and resources come
// from a configuration file; each resource is an entity workflow that
// takes bookings, cancellations and moves as Temporal updates, one at a
// time, so two callers can never get the same slot; confirmations go out
// through a notifier and a reminder timer fires before each appointment
// (moved or cancelled with it). Bookings export as iCalendar.
package booking

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// Config is the clinic's bookable world.
type Config struct {
	TimeZone  string     `yaml:"time_zone"`
	Services  []Service  `yaml:"services"`
	Resources []Resource `yaml:"resources"`
	// ReminderBefore is how long before an appointment the reminder goes
	// out (default 24h).
	ReminderBefore time.Duration `yaml:"reminder_before"`
}

// Service is something a caller books (a GP visit, a nurse visit).
type Service struct {
	ID       string            `yaml:"id" json:"id"`
	Names    map[string]string `yaml:"names" json:"names"` // by language
	Duration time.Duration     `yaml:"duration" json:"duration"`
}

// Resource is who or what is booked (a doctor, a room), with opening hours
// per weekday ("mon": "08:00-16:00") and a slot length.
type Resource struct {
	ID       string            `yaml:"id" json:"id"`
	Name     string            `yaml:"name" json:"name"`
	Services []string          `yaml:"services" json:"services"`
	Hours    map[string]string `yaml:"hours" json:"hours"`
	Slot     time.Duration     `yaml:"slot" json:"slot"`
}

// Weekday is the day a short name (mon..sun) stands for.
func Weekday(name string) (time.Weekday, bool) {
	d, ok := weekdays[name]
	return d, ok
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// LoadConfig reads and checks a configuration file.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(b)
}

// ParseConfig parses and checks a configuration.
func ParseConfig(b []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("booking config: %w", err)
	}
	if c.ReminderBefore == 0 {
		c.ReminderBefore = 24 * time.Hour
	}
	return &c, c.Validate()
}

// Validate says everything that is wrong at once.
func (c *Config) Validate() error {
	var errs []error
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" {
		errs = append(errs, fmt.Errorf("time_zone %q: %v", c.TimeZone, err))
	}
	svc := map[string]Service{}
	for _, s := range c.Services {
		if s.ID == "" || s.Duration <= 0 {
			errs = append(errs, fmt.Errorf("service %q: needs an id and a positive duration", s.ID))
		}
		svc[s.ID] = s
	}
	seen := map[string]bool{}
	for _, r := range c.Resources {
		if r.ID == "" || seen[r.ID] {
			errs = append(errs, fmt.Errorf("resource %q: ids must be present and unique", r.ID))
		}
		seen[r.ID] = true
		if r.Slot <= 0 {
			errs = append(errs, fmt.Errorf("resource %s: slot must be positive", r.ID))
		}
		for _, s := range r.Services {
			if sv, ok := svc[s]; !ok {
				errs = append(errs, fmt.Errorf("resource %s: unknown service %q", r.ID, s))
			} else if sv.Duration > r.Slot {
				errs = append(errs, fmt.Errorf("resource %s: service %s (%v) does not fit its %v slot", r.ID, s, sv.Duration, r.Slot))
			}
		}
		for day, span := range r.Hours {
			if _, ok := weekdays[day]; !ok {
				errs = append(errs, fmt.Errorf("resource %s: unknown day %q (mon..sun)", r.ID, day))
			}
			if _, _, err := ParseSpan(span); err != nil {
				errs = append(errs, fmt.Errorf("resource %s %s: %v", r.ID, day, err))
			}
		}
	}
	if len(c.Resources) == 0 {
		errs = append(errs, errors.New("no resources"))
	}
	return errors.Join(errs...)
}

// Location is the configured time zone.
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Resource returns a resource by id.
func (c *Config) Resource(id string) (Resource, bool) {
	for _, r := range c.Resources {
		if r.ID == id {
			return r, true
		}
	}
	return Resource{}, false
}

// ResourcesFor lists the resources that provide a service.
func (c *Config) ResourcesFor(service string) []Resource {
	var out []Resource
	for _, r := range c.Resources {
		for _, s := range r.Services {
			if s == service {
				out = append(out, r)
			}
		}
	}
	return out
}

// ParseSpan reads opening hours "HH:MM-HH:MM" as offsets from midnight.
func ParseSpan(s string) (from, to time.Duration, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("hours %q: want HH:MM-HH:MM", s)
	}
	p := func(x string) (time.Duration, error) {
		t, err := time.Parse("15:04", strings.TrimSpace(x))
		if err != nil {
			return 0, fmt.Errorf("hours %q: %v", s, err)
		}
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
	}
	if from, err = p(a); err != nil {
		return
	}
	if to, err = p(b); err != nil {
		return
	}
	if to <= from {
		err = fmt.Errorf("hours %q: end before start", s)
	}
	return
}

// Slots lists the slot starts of a resource in [from, to), in loc: every
// slot that fits wholly inside that day's opening hours.
func (r Resource) Slots(from, to time.Time, loc *time.Location) []time.Time {
	var out []time.Time
	from, to = from.In(loc), to.In(loc)
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	for ; day.Before(to); day = day.AddDate(0, 0, 1) {
		for name, wd := range weekdays {
			if wd != day.Weekday() {
				continue
			}
			span, ok := r.Hours[name]
			if !ok {
				continue
			}
			open, closeAt, err := ParseSpan(span)
			if err != nil {
				continue
			}
			at := func(d time.Duration) time.Time { // wall-clock time of the day, right across DST changes
				return time.Date(day.Year(), day.Month(), day.Day(), int(d/time.Hour), int(d%time.Hour/time.Minute), 0, 0, loc)
			}
			for t := at(open); !t.Add(r.Slot).After(at(closeAt)); t = t.Add(r.Slot) {
				if !t.Before(from) && t.Before(to) {
					out = append(out, t)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// IsSlot reports whether start is a slot start of the resource.
func (r Resource) IsSlot(start time.Time, loc *time.Location) bool {
	for _, s := range r.Slots(start, start.Add(time.Minute), loc) {
		if s.Equal(start) {
			return true
		}
	}
	return false
}
