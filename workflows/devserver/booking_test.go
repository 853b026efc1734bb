package devserver

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/vastaa/vastaa/workflows/booking"
)

type countNotifier struct {
	mu sync.Mutex
	n  map[booking.Kind]int
}

func (c *countNotifier) Notify(ctx context.Context, n booking.Notification) error {
	c.mu.Lock()
	c.n[n.Kind]++
	c.mu.Unlock()
	return nil
}

// Fifty callers try to book the same slot at once on the in-process
// Temporal server: exactly one gets it, the others are told it is taken,
// and exactly one confirmation goes out. Then the resource's bookings are
// still there after the server restarts on the same database.
func TestFiftyCallersOneSlot(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "temporal.db")
	cfg, err := booking.ParseConfig([]byte(`
time_zone: Europe/Helsinki
services: [{id: gp, names: {en: GP visit}, duration: 20m}]
resources: [{id: dr-a, name: Dr A, services: [gp], slot: 20m, hours: {mon: "08:00-16:00", tue: "08:00-16:00", wed: "08:00-16:00", thu: "08:00-16:00", fri: "08:00-16:00", sat: "08:00-16:00", sun: "08:00-16:00"}}]
`))
	if err != nil {
		t.Fatal(err)
	}
	notes := &countNotifier{n: map[booking.Kind]int{}}
	run := func() (*Server, client.Client, worker.Worker) {
		s, err := Start(context.Background(), Config{DBPath: dbPath, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		c, err := client.Dial(client.Options{HostPort: s.HostPort(), Logger: quietSDKLogger{}})
		if err != nil {
			t.Fatal(err)
		}
		w := worker.New(c, "booking-test", worker.Options{})
		booking.Register(w, &booking.Activities{Notifier: notes})
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		return s, c, w
	}
	s, c, w := run()
	bc := &booking.Client{C: c, TaskQueue: "booking-test", Config: *cfg}
	loc := cfg.Location()
	tomorrow := time.Now().In(loc).AddDate(0, 0, 2)
	slot := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 10, 0, 0, 0, loc)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var wg sync.WaitGroup
	var mu sync.Mutex
	won, taken := 0, 0
	var other []error
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := bc.Book(ctx, "dr-a", booking.BookRequest{ID: fmt.Sprintf("caller-%02d", i), Service: "gp", Start: slot, Caller: fmt.Sprintf("+35840000%04d", i)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case booking.IsTaken(err):
				taken++
			default:
				other = append(other, err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || taken != 49 || len(other) > 0 {
		t.Fatalf("won %d, taken %d, other errors %v", won, taken, other)
	}
	bs, err := bc.Bookings(ctx, "dr-a")
	if err != nil || len(bs) != 1 || !bs[0].Start.Equal(slot) {
		t.Fatalf("bookings %+v %v", bs, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		notes.mu.Lock()
		n := notes.n[booking.Confirmation]
		notes.mu.Unlock()
		if n == 1 {
			break
		}
		if n > 1 || time.Now().After(deadline) {
			t.Fatalf("%d confirmations", n)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Restart the server and the worker on the same database: the booking
	// is still there and the slot is still taken.
	w.Stop()
	c.Close()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	s, c, w = run()
	defer func() { w.Stop(); c.Close(); s.Stop() }()
	bc.C = c
	if _, err := bc.Book(ctx, "dr-a", booking.BookRequest{ID: "late", Service: "gp", Start: slot, Caller: "+358409999999"}); !booking.IsTaken(err) {
		t.Errorf("after restart: %v", err)
	}
	if bs, err := bc.Bookings(ctx, "dr-a"); err != nil || len(bs) != 1 {
		t.Errorf("after restart: %+v %v", bs, err)
	}
}
