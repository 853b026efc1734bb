package devserver

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/vastaa/vastaa/workflows"
	"github.com/vastaa/vastaa/workflows/booking"
)

// A caller books by voice through the real CallWorkflow, booking desk and
// resource workflows on the in-process server; a second call from the same
// number moves the appointment, a third cancels it. Finnish, as the issue
// asks ("huomenna kello kymmenen").
func TestVoiceBookingRescheduleCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Start(ctx, Config{DBPath: filepath.Join(t.TempDir(), "temporal.db"), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	c, err := client.Dial(client.Options{HostPort: s.HostPort(), Logger: quietSDKLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cfg, err := booking.LoadConfig("../../examples/booking.yaml")
	if err != nil {
		t.Fatal(err)
	}
	notes := &countNotifier{n: map[booking.Kind]int{}}
	desk := &booking.Desk{Client: &booking.Client{C: c, TaskQueue: workflows.TaskQueue, Config: *cfg}}
	w := worker.New(c, workflows.TaskQueue, worker.Options{})
	workflows.Register(w, &workflows.Activities{Knowledge: kb{}, Queues: queues{}, Bookings: desk})
	booking.Register(w, &booking.Activities{Notifier: notes})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	dec := workflows.NewDecider(c, "")
	const caller = "+358401112233"
	call := func(id string, turns ...workflows.TurnInput) []workflows.Decision {
		t.Helper()
		if err := dec.Start(ctx, workflows.CallInput{CallID: id, Caller: caller, Language: "fi"}); err != nil {
			t.Fatal(err)
		}
		var out []workflows.Decision
		for _, turn := range turns {
			turn.Language = "fi"
			turn.IntentConfidence = 0.9
			d, err := dec.Turn(ctx, id, turn)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
		}
		if err := dec.End(ctx, id, "caller-hangup"); err != nil {
			t.Fatal(err)
		}
		return out
	}

	got := call("book-1",
		workflows.TurnInput{Text: "haluaisin varata ajan hoitajalle huomenna kello kymmenen", Intent: "booking"},
		workflows.TurnInput{Text: "ensimmäinen käy", Intent: "yes"})
	if got[0].Reason != "booking:offered" || !strings.Contains(got[0].Reply, "Hoitajan vastaanotto") {
		t.Fatalf("offer: %+v", got[0])
	}
	b := got[1].Booking
	if b == nil || b.Action != "booked" || b.Booking.Resource != "nurse-room" || !strings.Contains(got[1].Reply, "Varattu") {
		t.Fatalf("booking: %+v", got[1])
	}
	loc := cfg.Location()
	start := b.Booking.Start.In(loc)
	if tomorrow := time.Now().In(loc).AddDate(0, 0, 1); got[0].Reply != "" && start.Day() == tomorrow.Day() && start.Hour() != 10 {
		t.Errorf("asked for ten tomorrow, got %v", start)
	}
	list, err := desk.Find(ctx, caller, "fi")
	if err != nil || len(list) != 1 || list[0].ID != b.Booking.ID {
		t.Fatalf("find: %+v %v", list, err)
	}

	got = call("move-1",
		workflows.TurnInput{Text: "voisinko siirtää aikani", Intent: "reschedule"},
		workflows.TurnInput{Text: "ylihuomenna iltapäivällä", Intent: "question"},
		workflows.TurnInput{DTMF: "1"})
	if got[0].Reason != "reschedule" || got[1].Reason != "when:offered" || got[2].Booking == nil || got[2].Booking.Action != "moved" {
		t.Fatalf("reschedule: %+v", got)
	}
	moved := got[2].Booking.Booking
	if moved.ID != b.Booking.ID || moved.Start.Equal(b.Booking.Start) {
		t.Fatalf("moved %+v from %+v", moved, b.Booking)
	}
	if h := moved.Start.In(loc).Hour(); h < 12 {
		t.Errorf("afternoon asked, moved to %v", moved.Start.In(loc))
	}

	got = call("cancel-1",
		workflows.TurnInput{Text: "haluan perua aikani", Intent: "cancel"},
		workflows.TurnInput{Text: "kyllä", Intent: "yes"})
	if got[1].Booking == nil || got[1].Booking.Action != "cancelled" {
		t.Fatalf("cancel: %+v", got)
	}
	if list, err := desk.Find(ctx, caller, "fi"); err != nil || len(list) != 0 {
		t.Fatalf("after cancel: %+v %v", list, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		notes.mu.Lock()
		n := notes.n[booking.Confirmation] + notes.n[booking.Rescheduled] + notes.n[booking.Cancellation]
		notes.mu.Unlock()
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d notifications, want confirmation, move and cancellation", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
