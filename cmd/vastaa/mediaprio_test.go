package main

import "testing"

func TestParseMediaPriority(t *testing.T) {
	for in, want := range map[string]int{"normal": 0, "": 0, "realtime": 20, "REALTIME:5": 5, "realtime:99": 99} {
		got, err := parseMediaPriority(in)
		if err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"realtime:0", "realtime:100", "realtime:x", "high", "rt"} {
		if _, err := parseMediaPriority(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
