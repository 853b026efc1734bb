package booking

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/vastaa/vastaa/workflows"
)

// Names of the resource workflow's handlers.
const (
	UpdateBook       = "book"
	UpdateCancel     = "cancel"
	UpdateReschedule = "reschedule"
	QueryBookings    = "bookings"
)

// Status of a booking.
type Status string

const (
	Confirmed Status = "confirmed"
	Cancelled Status = "cancelled"
)

// Booking is one appointment. Caller and Name are personal data: they live
// in workflow history (our own store) and go to the notifier, never to logs.
type Booking struct {
	ID       string    `json:"id"`
	Resource string    `json:"resource"`
	Service  string    `json:"service"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Caller   string    `json:"caller"`
	Name     string    `json:"name,omitempty"`
	Language string    `json:"language,omitempty"`
	Status   Status    `json:"status"`
	// Version grows with every change; a reminder belongs to one version.
	Version int `json:"version"`
}

// BookRequest asks for one slot. ID makes retries idempotent: the same id
// twice returns the first booking.
type BookRequest struct {
	ID       string
	Service  string
	Start    time.Time
	Caller   string
	Name     string
	Language string
}

// RescheduleRequest moves a booking.
type RescheduleRequest struct {
	ID    string
	Start time.Time
}

// ResourceInput starts (or continues) a resource's workflow.
type ResourceInput struct {
	Config   Config
	Resource string
	Bookings []Booking // carried over by continue-as-new
}

// ErrTaken is the error type of a slot someone else has.
const ErrTaken = "SlotTaken"

// WorkflowID is the entity workflow of a resource.
func WorkflowID(resource string) string { return "booking-resource-" + resource }

type entity struct {
	cfg      Config
	res      Resource
	loc      *time.Location
	bookings map[string]*Booking
	// cancelReminder stops the reminder of a booking's current version.
	cancelReminder map[string]workflow.CancelFunc
	changes        int
}

// ResourceWorkflow is one bookable resource. Updates run one at a time in
// the workflow, so a slot can only be given once: the validator refuses a
// taken slot before the update is even recorded.
func ResourceWorkflow(ctx workflow.Context, in ResourceInput) error {
	r, ok := in.Config.Resource(in.Resource)
	if !ok {
		return temporal.NewNonRetryableApplicationError("unknown resource "+in.Resource, "UnknownResource", nil)
	}
	e := &entity{cfg: in.Config, res: r, loc: in.Config.Location(), bookings: map[string]*Booking{}, cancelReminder: map[string]workflow.CancelFunc{}}
	for i := range in.Bookings {
		b := in.Bookings[i]
		e.bookings[b.ID] = &b
		if b.Status == Confirmed {
			e.startReminder(ctx, &b)
		}
	}
	if err := workflow.SetQueryHandler(ctx, QueryBookings, func() ([]Booking, error) { return e.list(), nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateBook, e.book, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, req BookRequest) error { return e.validateBook(ctx, req) },
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCancel, e.cancel, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, id string) error {
			if b := e.bookings[id]; b == nil || b.Status != Confirmed {
				return fmt.Errorf("no confirmed booking %q", id)
			}
			return nil
		},
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReschedule, e.reschedule, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, req RescheduleRequest) error {
			b := e.bookings[req.ID]
			if b == nil || b.Status != Confirmed {
				return fmt.Errorf("no confirmed booking %q", req.ID)
			}
			return e.slotFree(ctx, req.Start, req.ID)
		},
	}); err != nil {
		return err
	}
	// Keep the history short: after many changes, start afresh with the
	// bookings still to come.
	if err := workflow.Await(ctx, func() bool { return e.changes >= 500 }); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	var keep []Booking
	now := workflow.Now(ctx)
	for _, b := range e.bookings {
		if b.End.After(now) {
			keep = append(keep, *b)
		}
	}
	return workflow.NewContinueAsNewError(ctx, ResourceWorkflow, ResourceInput{Config: in.Config, Resource: in.Resource, Bookings: keep})
}

func (e *entity) list() []Booking {
	var out []Booking
	for _, b := range e.bookings {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

func (e *entity) validateBook(ctx workflow.Context, req BookRequest) error {
	if b := e.bookings[req.ID]; b != nil {
		return nil // a retry: the handler returns the booking made
	}
	offered := false
	for _, s := range e.res.Services {
		offered = offered || s == req.Service
	}
	if !offered {
		return fmt.Errorf("%s does not provide %q", e.res.ID, req.Service)
	}
	if req.ID == "" || req.Caller == "" {
		return errors.New("a booking needs an id and the caller")
	}
	return e.slotFree(ctx, req.Start, "")
}

// slotFree: a slot start of the resource, in the future, and nobody else's.
func (e *entity) slotFree(ctx workflow.Context, start time.Time, except string) error {
	if !start.After(workflow.Now(ctx)) {
		return errors.New("that time has passed")
	}
	if !e.res.IsSlot(start, e.loc) {
		return fmt.Errorf("%s is not a slot of %s", start.In(e.loc).Format("Mon 2006-01-02 15:04"), e.res.ID)
	}
	for id, b := range e.bookings {
		if id != except && b.Status == Confirmed && b.Start.Equal(start) {
			return temporal.NewNonRetryableApplicationError("slot taken", ErrTaken, nil)
		}
	}
	return nil
}

func (e *entity) serviceDuration(id string) time.Duration {
	for _, s := range e.cfg.Services {
		if s.ID == id {
			return s.Duration
		}
	}
	return e.res.Slot
}

func (e *entity) book(ctx workflow.Context, req BookRequest) (Booking, error) {
	if b := e.bookings[req.ID]; b != nil {
		return *b, nil
	}
	b := &Booking{ID: req.ID, Resource: e.res.ID, Service: req.Service, Start: req.Start.UTC(), End: req.Start.UTC().Add(e.serviceDuration(req.Service)),
		Caller: req.Caller, Name: req.Name, Language: req.Language, Status: Confirmed, Version: 1}
	e.bookings[b.ID] = b
	e.changes++
	e.notify(ctx, Confirmation, *b)
	e.startReminder(ctx, b)
	return *b, nil
}

func (e *entity) cancel(ctx workflow.Context, id string) (Booking, error) {
	b := e.bookings[id]
	b.Status = Cancelled
	b.Version++
	e.changes++
	if stop := e.cancelReminder[id]; stop != nil {
		stop()
	}
	e.notify(ctx, Cancellation, *b)
	return *b, nil
}

func (e *entity) reschedule(ctx workflow.Context, req RescheduleRequest) (Booking, error) {
	b := e.bookings[req.ID]
	d := b.End.Sub(b.Start)
	b.Start, b.End = req.Start.UTC(), req.Start.UTC().Add(d)
	b.Version++
	e.changes++
	if stop := e.cancelReminder[req.ID]; stop != nil {
		stop()
	}
	e.notify(ctx, Rescheduled, *b)
	e.startReminder(ctx, b)
	return *b, nil
}

// notify sends in the background: a slow mail server never holds a slot.
func (e *entity) notify(ctx workflow.Context, kind Kind, b Booking) {
	workflow.Go(ctx, func(ctx workflow.Context) {
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 30 * time.Second,
			RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
		})
		var a *Activities
		if err := workflow.ExecuteActivity(actx, a.Notify, Notification{Kind: kind, Booking: b}).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("notification failed", "booking", b.ID, "kind", kind, "error", err)
		}
	})
}

// startReminder waits until ReminderBefore the appointment and sends the
// reminder, unless the booking changes first.
func (e *entity) startReminder(ctx workflow.Context, b *Booking) {
	rctx, cancel := workflow.WithCancel(ctx)
	e.cancelReminder[b.ID] = cancel
	snapshot := *b
	workflow.Go(rctx, func(ctx workflow.Context) {
		wait := snapshot.Start.Add(-e.cfg.ReminderBefore).Sub(workflow.Now(ctx))
		if wait <= 0 {
			return // booked too late for a reminder: the confirmation is enough
		}
		if err := workflow.Sleep(ctx, wait); err != nil {
			return // cancelled or moved
		}
		if cur := e.bookings[snapshot.ID]; cur == nil || cur.Version != snapshot.Version || cur.Status != Confirmed {
			return
		}
		e.notify(ctx, Reminder, snapshot)
	})
}

// Activities do the booking's I/O.
type Activities struct {
	Notifier Notifier
}

// Notify sends one notification.
func (a *Activities) Notify(ctx context.Context, n Notification) error {
	return a.Notifier.Notify(ctx, n)
}

// Register adds the booking workflow and activities to a worker.
func Register(w worker.Registry, a *Activities) {
	w.RegisterWorkflowWithOptions(ResourceWorkflow, workflow.RegisterOptions{Name: "BookingResourceWorkflow"})
	w.RegisterActivity(a)
}

// Client books through the resource workflows, starting them on demand.
type Client struct {
	C         client.Client
	TaskQueue string
	Config    Config
}

func (c *Client) ensure(ctx context.Context, resource string) error {
	_, err := c.C.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: WorkflowID(resource), TaskQueue: c.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, "BookingResourceWorkflow", ResourceInput{Config: c.Config, Resource: resource})
	return err
}

func (c *Client) update(ctx context.Context, resource, name string, arg any) (Booking, error) {
	if err := c.ensure(ctx, resource); err != nil {
		return Booking{}, err
	}
	var b Booking
	err := workflows.Update(ctx, c.C, WorkflowID(resource), name, &b, arg)
	return b, err
}

// Book asks for a slot; a taken slot is an error whose ApplicationError type is ErrTaken.
func (c *Client) Book(ctx context.Context, resource string, req BookRequest) (Booking, error) {
	return c.update(ctx, resource, UpdateBook, req)
}

// Cancel cancels a booking.
func (c *Client) Cancel(ctx context.Context, resource, id string) (Booking, error) {
	return c.update(ctx, resource, UpdateCancel, id)
}

// Reschedule moves a booking to another slot of the same resource.
func (c *Client) Reschedule(ctx context.Context, resource string, req RescheduleRequest) (Booking, error) {
	return c.update(ctx, resource, UpdateReschedule, req)
}

// Bookings lists a resource's bookings.
func (c *Client) Bookings(ctx context.Context, resource string) ([]Booking, error) {
	if err := c.ensure(ctx, resource); err != nil {
		return nil, err
	}
	v, err := c.C.QueryWorkflow(ctx, WorkflowID(resource), "", QueryBookings)
	if err != nil {
		return nil, err
	}
	var out []Booking
	err = v.Get(&out)
	return out, err
}

// IsTaken reports whether err says the slot was taken.
func IsTaken(err error) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.Type() == ErrTaken
}
