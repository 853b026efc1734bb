// Package evals plays scripted callers through the bot and scores what it
// did: task success, intents, routes, containment, handoffs, citations,
// answers and latency, per language and per tag, with JSON and HTML
// reports and a comparison of two runs. Ops teams run it before and after
// every change; CI runs the shipped suite and fails below a threshold.
package evals

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Scenario is one scripted caller. The YAML format only grows: fields are
// added, never changed or removed.
type Scenario struct {
	ID       string   `yaml:"id" json:"id"`
	Language string   `yaml:"language" json:"language"`
	Caller   Caller   `yaml:"caller,omitempty" json:"caller,omitzero"`
	Turns    []Turn   `yaml:"turns" json:"turns"`
	Expect   Expect   `yaml:"expect,omitempty" json:"expect,omitzero"`
	Tags     []string `yaml:"tags,omitempty" json:"tags,omitempty"`
	// File is where the scenario was read from.
	File string `yaml:"-" json:"file,omitempty"`
}

// Caller is who calls.
type Caller struct {
	Number string `yaml:"number,omitempty" json:"number,omitempty"`
}

// Turn is one thing the caller does: say something, press keys, or stay
// silent for a turn.
type Turn struct {
	Say     string      `yaml:"say,omitempty" json:"say,omitempty"`
	DTMF    string      `yaml:"dtmf,omitempty" json:"dtmf,omitempty"`
	Silence bool        `yaml:"silence,omitempty" json:"silence,omitempty"`
	Expect  *TurnExpect `yaml:"expect,omitempty" json:"expect,omitempty"`
}

// TurnExpect is checked right after the turn.
type TurnExpect struct {
	Intent   string `yaml:"intent,omitempty" json:"intent,omitempty"`
	Route    string `yaml:"route,omitempty" json:"route,omitempty"`
	Language string `yaml:"language,omitempty" json:"language,omitempty"`
}

// Expect is checked when the call ends.
type Expect struct {
	Route            string         `yaml:"route,omitempty" json:"route,omitempty"`
	Queue            string         `yaml:"queue,omitempty" json:"queue,omitempty"`
	AnswerCites      []string       `yaml:"answer_cites,omitempty" json:"answer_cites,omitempty"`
	AnswerContains   []string       `yaml:"answer_contains,omitempty" json:"answer_contains,omitempty"`
	Booking          map[string]any `yaml:"booking,omitempty" json:"booking,omitempty"`
	MaxTurnLatencyMS float64        `yaml:"max_turn_latency_ms,omitempty" json:"max_turn_latency_ms,omitempty"`
}

var (
	languages = map[string]bool{"en": true, "fi": true, "sv": true, "lv": true}
	routes    = map[string]bool{"self_service": true, "booking": true, "voicemail": true, "handoff": true}
	intents   = map[string]bool{"question": true, "booking": true, "reschedule": true, "cancel": true, "voicemail": true,
		"human": true, "urgent": true, "yes": true, "no": true, "goodbye": true, "unknown": true}
)

// Validate says what is wrong with a scenario, all at once.
func (s *Scenario) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	if strings.TrimSpace(s.ID) == "" {
		bad("id is missing")
	}
	if !languages[s.Language] {
		bad("language %q: want en, fi, sv or lv", s.Language)
	}
	if len(s.Turns) == 0 {
		bad("no turns")
	}
	for i, t := range s.Turns {
		n := 0
		if strings.TrimSpace(t.Say) != "" {
			n++
		}
		if t.DTMF != "" {
			n++
			if strings.Trim(t.DTMF, "0123456789*#ABCD") != "" {
				bad("turn %d: dtmf %q: only 0-9, *, #, A-D", i+1, t.DTMF)
			}
		}
		if t.Silence {
			n++
		}
		if n != 1 {
			bad("turn %d: want exactly one of say, dtmf or silence", i+1)
		}
		if t.Expect != nil {
			if t.Expect.Intent != "" && !intents[t.Expect.Intent] {
				bad("turn %d: unknown intent %q", i+1, t.Expect.Intent)
			}
			if t.Expect.Route != "" && !routes[t.Expect.Route] {
				bad("turn %d: unknown route %q", i+1, t.Expect.Route)
			}
		}
	}
	if s.Expect.Route != "" && !routes[s.Expect.Route] {
		bad("expect.route %q: want self_service, booking, voicemail or handoff", s.Expect.Route)
	}
	if s.Expect.MaxTurnLatencyMS < 0 {
		bad("expect.max_turn_latency_ms is negative")
	}
	for k := range s.Expect.Booking {
		if !bookingKeys[k] {
			bad("expect.booking.%s: want status, action, service or resource", k)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}

// Parse reads one scenario. Unknown fields are errors (a typo would
// otherwise silently check nothing).
func Parse(data []byte, file string) (Scenario, error) {
	var s Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("%s: %w", file, err)
	}
	s.File = file
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("%s: %w", file, err)
	}
	return s, nil
}

// Load reads scenarios from files and directories (walked for .yaml and
// .yml). Ids must be unique. Every broken file is reported.
func Load(paths []string) ([]Scenario, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(fp, ".yaml") || strings.HasSuffix(fp, ".yml")) {
				files = append(files, fp)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	var out []Scenario
	var errs []error
	seen := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s, err := Parse(data, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := seen[s.ID]; dup {
			errs = append(errs, fmt.Errorf("%s: id %q is also used by %s", f, s.ID, other))
			continue
		}
		seen[s.ID] = f
		out = append(out, s)
	}
	if len(errs) > 0 {
		return out, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no scenarios (.yaml) in %v", paths)
	}
	return out, nil
}

// Gate is the CI threshold kept in evals/gate.yaml.
type Gate struct {
	MinTaskSuccess float64 `yaml:"min_task_success"`
}

// ReadGate reads the gate file.
func ReadGate(path string) (Gate, error) {
	var g Gate
	b, err := os.ReadFile(path)
	if err != nil {
		return g, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&g); err != nil {
		return g, fmt.Errorf("%s: %w", path, err)
	}
	if g.MinTaskSuccess <= 0 || g.MinTaskSuccess > 1 {
		return g, fmt.Errorf("%s: min_task_success must be in (0, 1]", path)
	}
	return g, nil
}
