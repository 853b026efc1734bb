package main

import (
	"testing"
	"time"
)

func TestOpenHours(t *testing.T) {
	h, err := parseOpenHours("mon-fri 08:00-18:00, sat 09:00-14:00, sun-sun 10:00-11:00", "Europe/Helsinki")
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Helsinki")
	at := func(day, hour, min int) time.Time { return time.Date(2026, 12, day, hour, min, 0, 0, loc) } // 7 Dec 2026 is a Monday
	for _, c := range []struct {
		t    time.Time
		open bool
	}{
		{at(7, 8, 0), true}, {at(7, 7, 59), false}, {at(11, 17, 59), true}, {at(11, 18, 0), false},
		{at(12, 13, 0), true}, {at(12, 15, 0), false}, {at(13, 10, 30), true}, {at(13, 12, 0), false},
		{time.Date(2026, 12, 7, 6, 30, 0, 0, time.UTC), true}, // 08:30 in Helsinki
	} {
		if got := h.Open(c.t); got != c.open {
			t.Errorf("%v: open %v, want %v", c.t, got, c.open)
		}
	}
	if wrap, err := parseOpenHours("fri-mon 09:00-17:00", "UTC"); err != nil || !wrap.Open(time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)) || wrap.Open(time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("fri-mon wraps over the weekend: %v", err)
	}
	var none *openHours
	if h, err := parseOpenHours("  ", "UTC"); err != nil || h != none || !h.Open(time.Now()) {
		t.Errorf("empty spec: always open, got %v %v", h, err)
	}
	for _, bad := range []string{"mon-fri", "mon-fri 18:00-08:00", "mon-fry 08:00-18:00", "mon-fri 8-18"} {
		if _, err := parseOpenHours(bad, "UTC"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := parseOpenHours("mon 08:00-09:00", "Mars/Olympus"); err == nil {
		t.Error("unknown time zone accepted")
	}
}
