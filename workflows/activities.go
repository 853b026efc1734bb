package workflows

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Activities are the call workflow's I/O.
type Activities struct {
	Knowledge Answerer
	Queues    Queuer
	Bookings  Bookings // nil: booking dialogues apologise and offer a person
	Contacts  Contacts // nil: handoff summaries say nothing of past contacts
}

// AnswerRequest asks the knowledge base.
type AnswerRequest struct {
	Question string
	Language string
}

// AnswerResult is a grounded answer (Found false: the articles do not say).
type AnswerResult struct {
	Text        string
	Citations   []string
	Confidence  float64
	Found       bool
	RetrievalMS float64
}

// AnswerQuestion retrieves and composes an answer.
func (a *Activities) AnswerQuestion(ctx context.Context, req AnswerRequest) (AnswerResult, error) {
	if a.Knowledge == nil {
		return AnswerResult{}, errors.New("no knowledge base configured")
	}
	t0 := time.Now()
	ans, err := a.Knowledge.Answer(ctx, req.Question, req.Language)
	if err != nil {
		return AnswerResult{}, err
	}
	return AnswerResult{Text: ans.Text, Citations: ans.Citations, Confidence: ans.Confidence, Found: ans.Found,
		RetrievalMS: float64(time.Since(t0).Microseconds()) / 1000}, nil
}

// EnqueueHandoff puts the call in a human queue.
func (a *Activities) EnqueueHandoff(ctx context.Context, h Handoff) (int, error) {
	if a.Queues == nil {
		return 0, errors.New("no queues configured")
	}
	pos, err := a.Queues.Enqueue(ctx, h)
	return pos, queueFull(err)
}

// OfferSlots finds free slots for what the caller asked.
func (a *Activities) OfferSlots(ctx context.Context, req OfferRequest) (Offer, error) {
	if a.Bookings == nil {
		return Offer{}, errNoBookings
	}
	return a.Bookings.Offer(ctx, req)
}

// BookSlot books; a slot taken meanwhile is a non-retryable "SlotTaken".
func (a *Activities) BookSlot(ctx context.Context, req BookSlot) (BookingInfo, error) {
	if a.Bookings == nil {
		return BookingInfo{}, errNoBookings
	}
	b, err := a.Bookings.Book(ctx, req)
	return b, slotTaken(err)
}

// FindBookings lists the caller's upcoming appointments.
func (a *Activities) FindBookings(ctx context.Context, caller, lang string) ([]BookingInfo, error) {
	if a.Bookings == nil {
		return nil, errNoBookings
	}
	return a.Bookings.Find(ctx, caller, lang)
}

// CancelBooking cancels an appointment.
func (a *Activities) CancelBooking(ctx context.Context, b BookingInfo) error {
	if a.Bookings == nil {
		return errNoBookings
	}
	return a.Bookings.Cancel(ctx, b)
}

// RescheduleBooking moves an appointment.
func (a *Activities) RescheduleBooking(ctx context.Context, b BookingInfo, to Slot, lang string) (BookingInfo, error) {
	if a.Bookings == nil {
		return BookingInfo{}, errNoBookings
	}
	nb, err := a.Bookings.Reschedule(ctx, b, to, lang)
	return nb, slotTaken(err)
}

// LookUpContacts finds the caller's earlier calls for the handoff summary.
func (a *Activities) LookUpContacts(ctx context.Context, caller, callID string) (PastContacts, error) {
	if a.Contacts == nil || caller == "" {
		return PastContacts{}, nil
	}
	return a.Contacts.PastContacts(ctx, caller, callID)
}

var errNoBookings = temporal.NewNonRetryableApplicationError("no booking desk configured", "NoBookings", nil)

func slotTaken(err error) error {
	if errors.Is(err, ErrSlotTaken) {
		return temporal.NewNonRetryableApplicationError("slot taken", slotTakenType, err)
	}
	return err
}

// Register adds the call workflow and its activities to a worker.
func Register(w worker.Registry, a *Activities) {
	w.RegisterWorkflowWithOptions(CallWorkflow, workflow.RegisterOptions{Name: "CallWorkflow"})
	w.RegisterActivity(a)
}

// queueFull marks a full queue as a non-retryable error the workflow can
// recognise by type.
func queueFull(err error) error {
	switch {
	case errors.Is(err, ErrQueueFull):
		return temporal.NewNonRetryableApplicationError("queue full", queueFullType, err)
	case errors.Is(err, ErrClosed):
		return temporal.NewNonRetryableApplicationError("closed", closedType, err)
	}
	return err
}
