package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fakeDesk is a booking desk with two free nurse slots tomorrow morning
// and, for callers who have one, an appointment on Friday.
type fakeDesk struct {
	down      bool
	takenOnce bool // the first Book finds the slot taken
	noSlots   bool
	farSlots  bool // the earliest slot is three days away
	nearSlots bool // the earliest slot is in two hours
	existing  []BookingInfo
	booked    []BookSlot
	cancelled []BookingInfo
	moved     []Slot
	offers    []OfferRequest
}

var tomorrow9 = time.Date(2030, 1, 2, 7, 0, 0, 0, time.UTC)

func (f *fakeDesk) Offer(ctx context.Context, req OfferRequest) (Offer, error) {
	f.offers = append(f.offers, req)
	if f.down {
		return Offer{}, errors.New("calendar down")
	}
	text := strings.ToLower(req.Text)
	asap := strings.Contains(text, "as soon as possible")
	if !asap && !strings.Contains(text, "tomorrow") && !strings.Contains(text, "friday") && !strings.Contains(text, "huomenna") {
		return Offer{}, nil
	}
	svc := req.Service
	if svc == "" {
		svc = "gp"
		if strings.Contains(text, "nurse") {
			svc = "nurse"
		}
	}
	off := Offer{Understood: true, InWindow: true, Service: svc, Earliest: asap}
	if f.noSlots {
		return off, nil
	}
	start := tomorrow9
	switch {
	case f.farSlots:
		start = time.Now().Add(72 * time.Hour)
	case f.nearSlots:
		start = time.Now().Add(2 * time.Hour) // the test environment's clock starts at the wall clock
	}
	res := "nurse-room"
	if req.Resource != "" {
		res = req.Resource
	}
	for i := 0; i < 2; i++ {
		st := start.Add(time.Duration(i) * 15 * time.Minute)
		off.Slots = append(off.Slots, Slot{Resource: res, Service: svc, Start: st, Spoken: fmt.Sprintf("%s at %s", svc, st.Format("15:04"))})
	}
	return off, nil
}

func (f *fakeDesk) Book(ctx context.Context, req BookSlot) (BookingInfo, error) {
	if f.takenOnce {
		f.takenOnce = false
		return BookingInfo{}, fmt.Errorf("nurse-room: %w", ErrSlotTaken)
	}
	f.booked = append(f.booked, req)
	return BookingInfo{ID: req.ID, Resource: req.Slot.Resource, Service: req.Slot.Service, Start: req.Slot.Start, Spoken: req.Slot.Spoken}, nil
}

func (f *fakeDesk) Find(ctx context.Context, caller, lang string) ([]BookingInfo, error) {
	if f.down {
		return nil, errors.New("calendar down")
	}
	return f.existing, nil
}

func (f *fakeDesk) Cancel(ctx context.Context, b BookingInfo) error {
	f.cancelled = append(f.cancelled, b)
	return nil
}

func (f *fakeDesk) Reschedule(ctx context.Context, b BookingInfo, to Slot, lang string) (BookingInfo, error) {
	f.moved = append(f.moved, to)
	b.Start, b.Spoken = to.Start, to.Spoken
	return b, nil
}

type fakeContacts struct{ pc PastContacts }

func (f fakeContacts) PastContacts(ctx context.Context, caller, except string) (PastContacts, error) {
	return f.pc, nil
}

var friday = BookingInfo{ID: "bk-old", Resource: "dr-virtanen", Service: "gp", Start: tomorrow9.Add(48 * time.Hour), Spoken: "gp on Friday"}

func TestBookingDialogue(t *testing.T) {
	type step struct {
		turn   TurnInput
		reason string
		reply  string // a piece of the reply
	}
	cases := []struct {
		name  string
		desk  fakeDesk
		steps []step
		check func(t *testing.T, f *fakeDesk, res CallResult)
	}{
		{"time in the first sentence, second slot picked", fakeDesk{}, []step{
			{say1("i would like to see a nurse tomorrow morning", "booking", 0.9), "booking:offered", "nurse at 07:00, or nurse at 07:15"},
			{say1("the second one please", "question", 0.5), "booked", "Booked: nurse at 07:15"},
		}, func(t *testing.T, f *fakeDesk, res CallResult) {
			if len(f.booked) != 1 || !f.booked[0].Slot.Start.Equal(tomorrow9.Add(15*time.Minute)) || f.booked[0].Caller != "+358401234567" {
				t.Errorf("booked %+v", f.booked)
			}
			if len(res.Bookings) != 1 || res.Bookings[0].Action != "booked" || res.Route != RouteBooking {
				t.Errorf("result %+v", res)
			}
		}},
		{"asks when, misunderstands once, then yes takes the first", fakeDesk{}, []step{
			{say1("i want to book an appointment", "booking", 0.9), "booking", "Which day"},
			{say1("umm", "unknown", 0.2), "when-unclear", "for example tomorrow morning"},
			{say1("tomorrow", "question", 0.4), "when:offered", "Which one"},
			{say1("yes", "yes", 0.9), "booked", "Booked: gp at 07:00"},
		}, nil},
		{"taken meanwhile: offered again", fakeDesk{takenOnce: true}, []step{
			{say1("nurse tomorrow", "booking", 0.9), "booking:offered", ""},
			{say1("the first", "question", 0.5), "slot-taken:offered", "somebody took that time"},
			{say1("the first", "question", 0.5), "booked", ""},
		}, func(t *testing.T, f *fakeDesk, res CallResult) {
			if len(f.offers) != 2 || f.offers[1].Text != "nurse tomorrow" || f.offers[1].Service != "nurse" {
				t.Errorf("re-offer %+v", f.offers)
			}
		}},
		{"declines the offer, names another day", fakeDesk{}, []step{
			{say1("book tomorrow", "booking", 0.9), "booking:offered", ""},
			{say1("no", "no", 0.9), "offer-declined", "Which other day"},
			{say1("friday then", "question", 0.5), "when:offered", ""},
			{TurnInput{DTMF: "2"}, "booked", ""},
		}, nil},
		{"no, with another day, searches again", fakeDesk{}, []step{
			{say1("book tomorrow", "booking", 0.9), "booking:offered", ""},
			{say1("no, friday would be better", "no", 0.9), "offer-again:offered", "Which one"},
			{say1("no", "no", 0.9), "offer-declined", "Which other day"},
			{say1("no thanks", "no", 0.9), "booking-dropped", "anything else"},
		}, nil},
		{"two misunderstandings offer a person", fakeDesk{}, []step{
			{say1("book", "booking", 0.9), "booking", ""},
			{say1("hmm", "unknown", 0.1), "when-unclear", ""},
			{say1("err", "unknown", 0.1), "when-unclear-2", "speak to a person"},
			{say1("yes", "yes", 0.9), "handoff:accepted the offer of a person", ""},
		}, nil},
		{"asks for a person in the middle", fakeDesk{}, []step{
			{say1("book tomorrow", "booking", 0.9), "booking:offered", ""},
			{say1("let me talk to a human", "human", 0.9), "handoff:caller asked for a person", ""},
		}, nil},
		{"nothing free", fakeDesk{noSlots: true}, []step{
			{say1("book tomorrow", "booking", 0.9), "booking:no-slots", "next two weeks"},
		}, nil},
		{"as soon as possible but nothing within a day goes to a person", fakeDesk{farSlots: true}, []step{
			{say1("i need a doctor as soon as possible", "booking", 0.9), "handoff:urgent booking, no free slot within a day", ""},
		}, func(t *testing.T, f *fakeDesk, res CallResult) {
			if res.Queue != queueUrgent {
				t.Errorf("queue %q", res.Queue)
			}
		}},
		{"as soon as possible with a slot today offers it", fakeDesk{nearSlots: true}, []step{
			{say1("i need a doctor as soon as possible", "booking", 0.9), "booking:offered", "Which one"},
		}, nil},
		{"calendar down", fakeDesk{down: true}, []step{
			{say1("book tomorrow", "booking", 0.9), "booking:error", "cannot reach the appointment calendar"},
			{say1("yes", "yes", 0.9), "handoff:accepted the offer of a person", ""},
		}, nil},
		{"reschedule to a day named at once, key 1", fakeDesk{existing: []BookingInfo{friday}}, []step{
			{say1("can i move my appointment to tomorrow", "reschedule", 0.9), "reschedule:offered", "You have gp on Friday. I have"},
			{TurnInput{DTMF: "1"}, "moved", "moved: gp at 07:00"},
		}, func(t *testing.T, f *fakeDesk, res CallResult) {
			if len(f.moved) != 1 || f.moved[0].Resource != "dr-virtanen" || f.offers[0].Resource != "dr-virtanen" {
				t.Errorf("moved %+v offers %+v", f.moved, f.offers)
			}
			if len(res.Bookings) != 1 || res.Bookings[0].Action != "moved" {
				t.Errorf("result %+v", res)
			}
		}},
		{"reschedule asks when", fakeDesk{existing: []BookingInfo{friday}}, []step{
			{say1("i need to move my appointment", "reschedule", 0.9), "reschedule", "Which day would suit you better"},
		}, nil},
		{"cancel confirmed", fakeDesk{existing: []BookingInfo{friday}}, []step{
			{say1("cancel my appointment", "cancel", 0.9), "cancel", "Shall I cancel it"},
			{say1("yes please", "yes", 0.9), "cancelled", "cancelled: gp on Friday"},
		}, func(t *testing.T, f *fakeDesk, res CallResult) {
			if len(f.cancelled) != 1 || f.cancelled[0].ID != "bk-old" {
				t.Errorf("cancelled %+v", f.cancelled)
			}
		}},
		{"cancel declined", fakeDesk{existing: []BookingInfo{friday}}, []step{
			{say1("cancel my appointment", "cancel", 0.9), "cancel", ""},
			{say1("no", "no", 0.9), "cancel-declined", "stays as it is"},
		}, func(t *testing.T, f *fakeDesk, res CallResult) {
			if len(f.cancelled) != 0 || len(res.Bookings) != 0 {
				t.Errorf("cancelled %+v", f.cancelled)
			}
		}},
		{"nothing to cancel", fakeDesk{}, []step{
			{say1("cancel my appointment", "cancel", 0.9), "cancel:none-found", "could not find an appointment"},
			{say1("yes", "yes", 0.9), "handoff:accepted the offer of a person", ""},
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			desk := tc.desk
			q := &fakeQueues{}
			var turns []TurnInput
			for _, s := range tc.steps {
				turns = append(turns, s.turn)
			}
			got, res := runCallWith(t, &Activities{Knowledge: fakeKB{}, Queues: q, Bookings: &desk}, "en", turns...)
			for i, s := range tc.steps {
				g := got[i]
				if g.err != nil {
					t.Fatalf("turn %d: %v", i, g.err)
				}
				if g.d.Reason != s.reason || !strings.Contains(g.d.Reply, s.reply) {
					t.Errorf("turn %d: reason %q reply %q; want %q containing %q", i, g.d.Reason, g.d.Reply, s.reason, s.reply)
				}
			}
			if tc.check != nil {
				tc.check(t, &desk, res)
			}
		})
	}
}

func TestHandoffSummaryCarriesBookingAndPastContacts(t *testing.T) {
	desk := &fakeDesk{}
	q := &fakeQueues{}
	last := time.Date(2029, 12, 20, 10, 0, 0, 0, time.UTC)
	acts := &Activities{Knowledge: fakeKB{}, Queues: q, Bookings: desk,
		Contacts: fakeContacts{PastContacts{Calls: 3, LastAt: last, LastRoute: "voicemail", LastTopic: "prescriptions"}}}
	runCallWith(t, acts, "en",
		say1("nurse tomorrow", "booking", 0.9), say1("first", "question", 0.5), say1("a person please", "human", 0.9))
	if len(q.got) != 1 {
		t.Fatalf("enqueued %d", len(q.got))
	}
	h := q.got[0]
	for _, want := range []string{"Appointment booked: nurse nurse-room", "Caller: +358401234567", "Earlier calls in 90 days: 3, the last on 2029-12-20 (voicemail, prescriptions)"} {
		if !strings.Contains(h.Summary, want) {
			t.Errorf("summary %q lacks %q", h.Summary, want)
		}
	}
	if h.Caller != "+358401234567" {
		t.Errorf("caller %q", h.Caller)
	}
}

type closedQueues struct{}

func (closedQueues) Enqueue(ctx context.Context, h Handoff) (int, error) {
	return 0, fmt.Errorf("weekend: %w", ErrClosed)
}

func TestClosedOrFullQueueTakesAMessage(t *testing.T) {
	got, res := runCallWith(t, &Activities{Knowledge: fakeKB{}, Queues: closedQueues{}}, "fi", TurnInput{DTMF: "0"})
	d := got[0].d
	if d.Route != RouteVoicemail || !d.Record || d.Reason != "closed" || !strings.Contains(d.Reply, "suljettu") {
		t.Errorf("closed: %+v", d)
	}
	if res.Route != RouteVoicemail {
		t.Errorf("result %+v", res)
	}
	got, _ = runCall(t, fakeKB{}, &fakeQueues{full: true}, "en", TurnInput{DTMF: "0"})
	if d := got[0].d; !d.Record || d.Reason != "queue-full" {
		t.Errorf("full: %+v", d)
	}
	got, _ = runCall(t, fakeKB{}, &fakeQueues{}, "sv", TurnInput{DTMF: "2"})
	if d := got[0].d; !d.Record || d.Route != RouteVoicemail || !strings.Contains(d.Reply, "fyrkant") {
		t.Errorf("chosen: %+v", d)
	}
}

func TestHoldAnnouncement(t *testing.T) {
	for _, c := range []struct {
		lang string
		pos  int
		wait time.Duration
		want string
	}{
		{"en", 3, 7*time.Minute + time.Second, "number 3 in the queue. The estimated wait is about 8 minutes"},
		{"en", 1, 30 * time.Second, "Somebody will be with you shortly"},
		{"fi", 2, 4 * time.Minute, "sijalla 2. Arvioitu odotusaika on noin 4 minuuttia"},
		{"sv", 5, 10 * time.Minute, "nummer 5 i kön"},
		{"lv", 4, 3 * time.Minute, "4. rindā"},
	} {
		if got := HoldAnnouncement(c.lang, c.pos, c.wait); !strings.Contains(got, c.want) {
			t.Errorf("%s: %q lacks %q", c.lang, got, c.want)
		}
	}
}
