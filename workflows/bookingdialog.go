package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/vastaa/vastaa/workflows/booking/when"
)

// The booking dialogue: the caller names a time, the bot offers the
// nearest free slots, the caller picks one and it is booked; or the
// caller's next appointment (found by their number) is moved or cancelled.
// Every lookup and change is an activity on the booking desk.

const (
	modeBook       = "book"
	modeReschedule = "reschedule"
	modeCancel     = "cancel"

	stageWhen          = "when"           // waiting for a day or time
	stageOffer         = "offer"          // slots offered, waiting for a pick
	stageConfirmCancel = "confirm-cancel" // "shall I cancel it?"

	// urgentWithin is how soon an urgent booking must be seen, else the
	// caller goes to a person.
	urgentWithin = 24 * time.Hour
)

// bookingDialog is where the caller is in the booking dialogue.
type bookingDialog struct {
	mode    string
	stage   string
	service string
	offered []Slot
	target  *BookingInfo // the appointment being moved or cancelled
	tries   int          // turns in a row the dialogue did not understand
	asked   string       // the last words that named a time
}

func bookingOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, MaximumAttempts: 3},
	})
}

// startBooking begins a booking, reschedule or cancel dialogue; text is
// the turn that asked, which may already name a time.
func (s *callState) startBooking(ctx workflow.Context, mode, text, reason string) Decision {
	s.route, s.queue = RouteBooking, ""
	s.bk = &bookingDialog{mode: mode, stage: stageWhen}
	if mode == modeBook {
		if d, ok := s.offerFor(ctx, text, "", reason); ok {
			return d
		}
		return s.bookingReply(pBooking, reason)
	}
	var a *Activities
	var found []BookingInfo
	if err := workflow.ExecuteActivity(bookingOptions(ctx), a.FindBookings, s.in.Caller, s.lang).Get(ctx, &found); err != nil {
		workflow.GetLogger(ctx).Warn("finding bookings failed", "error", err)
		return s.bookingFailed(reason + ":error")
	}
	if len(found) == 0 {
		s.bk = nil
		s.offeredPerson = true
		return s.bookingReply(pNoBookingFound, reason+":none-found")
	}
	target := found[0]
	s.bk.target = &target
	s.bk.service = target.Service
	if mode == modeCancel {
		s.bk.stage = stageConfirmCancel
		return s.bookingReply(pConfirmCancel, reason, target.Spoken)
	}
	if d, ok := s.offerFor(ctx, text, say(s.lang, pYouHave, target.Spoken)+" ", reason); ok {
		return d
	}
	return s.bookingReply(pRescheduleWhen, reason, target.Spoken)
}

// bookingTurn continues the dialogue; ok is false when the turn is not
// for it (the caller asked for something else), and the dialogue ends.
func (s *callState) bookingTurn(ctx workflow.Context, t TurnInput, intent string, understood bool) (Decision, bool) {
	bk := s.bk
	switch {
	case t.Silence:
		return Decision{}, false
	case t.DTMF != "":
		if bk.stage == stageOffer && (t.DTMF == "1" || t.DTMF == "2") && int(t.DTMF[0]-'0') <= len(bk.offered) {
			return s.take(ctx, bk.offered[t.DTMF[0]-'1']), true
		}
		s.bk = nil
		return Decision{}, false
	case understood && (intent == "human" || intent == "urgent" || intent == "goodbye" || intent == "voicemail"):
		s.bk = nil
		return Decision{}, false
	case understood && intent != bookingIntent(bk.mode) && (intent == "booking" || intent == "reschedule" || intent == "cancel"):
		s.bk = nil
		return Decision{}, false // a different booking request starts afresh
	}
	yes, no := understood && intent == "yes", understood && intent == "no"
	switch bk.stage {
	case stageConfirmCancel:
		switch {
		case yes:
			var a *Activities
			if err := workflow.ExecuteActivity(bookingOptions(ctx), a.CancelBooking, *bk.target).Get(ctx, nil); err != nil {
				workflow.GetLogger(ctx).Warn("cancel failed", "error", err)
				return s.bookingFailed("cancel:error"), true
			}
			s.done = append(s.done, BookingOutcome{Action: "cancelled", Booking: *bk.target})
			s.bk = nil
			d := s.bookingReply(pCancelled, "cancelled", bk.target.Spoken)
			d.Reply += " " + say(s.lang, pAnythingElse)
			d.Booking = &BookingOutcome{Action: "cancelled", Booking: *bk.target}
			return d, true
		case no:
			s.bk = nil
			d := s.bookingReply(pKeepBooking, "cancel-declined")
			d.Reply += " " + say(s.lang, pAnythingElse)
			return d, true
		}
		return s.notUnderstood(pConfirmCancel, "cancel-unclear", bk.target.Spoken), true
	case stageOffer:
		if n := when.ChoiceOf(t.Text, s.lang, len(bk.offered)); n > 0 && n <= len(bk.offered) {
			return s.take(ctx, bk.offered[n-1]), true
		}
		// Another time named ("no, Friday afternoon") is a new search.
		if d, ok := s.offerFor(ctx, t.Text, "", "offer-again"); ok {
			return d, true
		}
		if yes && len(bk.offered) > 0 {
			return s.take(ctx, bk.offered[0]), true
		}
		if no {
			bk.stage, bk.offered = stageWhen, nil
			return s.bookingReply(pAnotherDay, "offer-declined"), true
		}
		return s.notUnderstood(pWhichOption, "offer-unclear"), true
	default: // stageWhen
		if d, ok := s.offerFor(ctx, t.Text, "", "when"); ok {
			return d, true
		}
		if no || understood && intent == "cancel" && bk.mode != modeCancel {
			s.bk = nil
			return s.bookingReply(pAnythingElse, "booking-dropped"), true
		}
		return s.notUnderstood(pAskWhenAgain, "when-unclear"), true
	}
}

func bookingIntent(mode string) string {
	switch mode {
	case modeReschedule:
		return "reschedule"
	case modeCancel:
		return "cancel"
	}
	return "booking"
}

// notUnderstood asks again, and after two misses offers a person.
func (s *callState) notUnderstood(prompt, reason string, args ...any) Decision {
	s.bk.tries++
	if s.bk.tries >= 2 {
		s.bk = nil
		s.offeredPerson = true
		return s.bookingReply(pOfferPerson, reason+"-2")
	}
	return s.bookingReply(prompt, reason, args...)
}

// offerFor asks the desk for slots for what the caller said; ok is false
// when the text names no time.
func (s *callState) offerFor(ctx workflow.Context, text, prefix, reason string) (Decision, bool) {
	bk := s.bk
	req := OfferRequest{Text: text, Language: s.lang, Service: bk.service}
	if bk.target != nil {
		req.Resource = bk.target.Resource
	}
	var a *Activities
	var off Offer
	if err := workflow.ExecuteActivity(bookingOptions(ctx), a.OfferSlots, req).Get(ctx, &off); err != nil {
		workflow.GetLogger(ctx).Warn("finding free slots failed", "error", err)
		return s.bookingFailed(reason + ":error"), true
	}
	if !off.Understood {
		return Decision{}, false
	}
	bk.service = off.Service
	bk.tries = 0
	if text != "" {
		bk.asked = text
	}
	if off.Earliest && bk.mode == modeBook && (len(off.Slots) == 0 || off.Slots[0].Start.Sub(workflow.Now(ctx)) > urgentWithin) {
		// "As soon as possible" and nothing within a day: a person decides.
		s.bk = nil
		d := s.handoff(ctx, queueUrgent, priorityUrgent, "urgent booking, no free slot within a day", "booking")
		return d, true
	}
	if len(off.Slots) == 0 {
		s.bk = nil
		s.offeredPerson = true
		return s.bookingReply(pNoSlots, reason+":no-slots"), true
	}
	bk.stage, bk.offered = stageOffer, off.Slots
	if !off.InWindow {
		prefix += say(s.lang, pNothingThen) + " "
	}
	var d Decision
	if len(off.Slots) == 1 {
		d = s.bookingReply(pOfferOne, reason+":offered", off.Slots[0].Spoken)
	} else {
		d = s.bookingReply(pOfferTwo, reason+":offered", off.Slots[0].Spoken, off.Slots[1].Spoken)
	}
	d.Reply = prefix + d.Reply
	return d, true
}

// take books (or moves the appointment to) the slot the caller picked.
func (s *callState) take(ctx workflow.Context, slot Slot) Decision {
	bk := s.bk
	var a *Activities
	var info BookingInfo
	var err error
	action := "booked"
	if bk.mode == modeReschedule && bk.target != nil {
		action = "moved"
		err = workflow.ExecuteActivity(bookingOptions(ctx), a.RescheduleBooking, *bk.target, slot, s.lang).Get(ctx, &info)
	} else {
		// One id per call and slot: a retried activity finds its own booking.
		id := fmt.Sprintf("bk-%s-%s-%d", s.in.CallID, slot.Resource, slot.Start.Unix())
		err = workflow.ExecuteActivity(bookingOptions(ctx), a.BookSlot,
			BookSlot{ID: id, Slot: slot, Caller: s.in.Caller, Language: s.lang}).Get(ctx, &info)
	}
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && ae.Type() == slotTakenType {
		// Somebody was quicker: offer what is free now around that time.
		bk.stage, bk.offered = stageWhen, nil
		d, ok := s.offerFor(ctx, bk.asked, say(s.lang, pSlotTaken)+" ", "slot-taken")
		if ok {
			return d
		}
		return s.bookingReply(pSlotTaken, "slot-taken")
	}
	if err != nil {
		workflow.GetLogger(ctx).Warn("booking failed", "error", err)
		return s.bookingFailed(action + ":error")
	}
	s.bk = nil
	s.done = append(s.done, BookingOutcome{Action: action, Booking: info})
	prompt := pBooked
	if action == "moved" {
		prompt = pMoved
	}
	d := s.bookingReply(prompt, action, info.Spoken)
	d.Reply += " " + say(s.lang, pAnythingElse)
	d.Booking = &BookingOutcome{Action: action, Booking: info}
	return d
}

func (s *callState) bookingReply(prompt, reason string, args ...any) Decision {
	return Decision{Route: RouteBooking, Reply: say(s.lang, prompt, args...), Language: s.lang, Reason: reason}
}

func (s *callState) bookingFailed(reason string) Decision {
	s.bk = nil
	s.offeredPerson = true
	return s.bookingReply(pBookingError, reason)
}
