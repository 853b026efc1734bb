package pipeline

import (
	"testing"
	"time"
)

func TestEndpointer(t *testing.T) {
	const w = 32 * time.Millisecond
	type step struct {
		p    float32
		n    int
		want EndpointEvent // event expected on the last window of the run
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"silence stays idle", []step{{0.1, 100, EventNone}}},
		{"one speech window is a click, not speech", []step{{0.9, 1, EventNone}, {0.1, 10, EventNone}}},
		{"two speech windows start an utterance", []step{{0.9, 2, EventSpeechStart}}},
		{"300 ms silence ends it", []step{{0.9, 2, EventSpeechStart}, {0.9, 10, EventNone}, {0.1, 9, EventNone}, {0.1, 1, EventSpeechEnd}}},
		{"a short pause does not end it", []step{{0.9, 2, EventSpeechStart}, {0.1, 8, EventNone}, {0.9, 1, EventNone}, {0.1, 9, EventNone}, {0.1, 1, EventSpeechEnd}}},
		{"hysteresis band holds the utterance open", []step{{0.9, 2, EventSpeechStart}, {0.4, 40, EventNone}, {0.1, 10, EventSpeechEnd}}},
		{"max utterance forces the end", []step{{0.9, 2, EventSpeechStart}, {0.9, 466, EventNone}, {0.9, 1, EventSpeechEnd}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEndpointer(DefaultEndpointConfig())
			for si, s := range tc.steps {
				for i := 0; i < s.n; i++ {
					ev := e.Push(s.p, w)
					if i == s.n-1 {
						if ev != s.want {
							t.Fatalf("step %d: last event %v, want %v", si, ev, s.want)
						}
					} else if ev != EventNone {
						t.Fatalf("step %d window %d: unexpected event %v", si, i, ev)
					}
				}
			}
		})
	}
}

func TestEndpointerVoiced(t *testing.T) {
	e := NewEndpointer(DefaultEndpointConfig())
	for i := 0; i < 20; i++ {
		e.Push(0.9, 32*time.Millisecond)
	}
	for i := 0; i < 10; i++ {
		e.Push(0.0, 32*time.Millisecond)
	}
	if e.InSpeech() {
		t.Fatal("still in speech after 320 ms of silence")
	}
	if got := e.Voiced(); got != 640*time.Millisecond {
		t.Fatalf("voiced = %v, want 640ms", got)
	}
}
