package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ErrQueueFull is what a Queuer returns (wrapped) when the queue is at
// its limit; the activity turns it into a non-retryable "QueueFull" error.
var ErrQueueFull = errors.New("queue full")

// ErrClosed is what a Queuer returns (wrapped) outside the contact
// centre's opening hours: the caller is offered voicemail.
var ErrClosed = errors.New("contact centre closed")

// Error types the activities give the workflow (non-retryable).
const (
	queueFullType = "QueueFull"
	closedType    = "Closed"
	slotTakenType = "SlotTaken"
)

const (
	// minIntentConfidence is below which an intent is treated as not understood.
	minIntentConfidence = 0.4
	// maxCallDuration ends a workflow whose hang-up signal never came.
	maxCallDuration = 4 * time.Hour
	queueGeneral    = "general"
	queueUrgent     = "urgent"
	priorityUrgent  = 10
)

// WorkflowID is the CallWorkflow id of a call.
func WorkflowID(callID string) string { return "call-" + callID }

// callState is everything the workflow remembers about the call.
type callState struct {
	in            CallInput
	lang          string
	turns         int
	route         Route
	queue         string
	silences      int // consecutive silent turns
	misunderstood int // consecutive turns not understood
	offeredPerson bool
	handedOff     bool
	answeredFrom  []string // article ids answered from
	transcript    []string
	lastIntent    string
	ended         bool
	bk            *bookingDialog   // the booking dialogue under way, if any
	done          []BookingOutcome // appointments this call made, moved or cancelled
	past          *PastContacts    // the caller's earlier calls, looked up at the first handoff
}

// CallWorkflow is one call: it answers "turn" updates until the "hangup"
// signal (or a 4-hour safety limit) ends it.
func CallWorkflow(ctx workflow.Context, in CallInput) (CallResult, error) {
	s := &callState{in: in, lang: servedOr(in.Language, "en")}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (CallState, error) {
		return CallState{Turns: s.turns, Route: s.route, Queue: s.queue, Language: s.lang, Ended: s.ended}, nil
	}); err != nil {
		return CallResult{}, err
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateTurn, s.turn, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, t TurnInput) error {
			if s.ended {
				return errors.New("call has ended")
			}
			return nil
		},
	})
	if err != nil {
		return CallResult{}, err
	}

	var reason string
	hangup := workflow.GetSignalChannel(ctx, SignalHangup)
	timer := workflow.NewTimer(ctx, maxCallDuration)
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(hangup, func(c workflow.ReceiveChannel, more bool) { c.Receive(ctx, &reason) })
	sel.AddFuture(timer, func(workflow.Future) { reason = "max-duration" })
	sel.Select(ctx)
	s.ended = true
	// A turn in flight when the caller hung up still completes.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return CallResult{}, err
	}
	res := CallResult{Route: s.route, Queue: s.queue, Turns: s.turns, EndReason: reason}
	for _, b := range s.done {
		res.Bookings = append(res.Bookings, b)
	}
	return res, nil
}

func servedOr(lang, def string) string {
	switch lang {
	case "en", "fi", "sv", "lv":
		return lang
	}
	return def
}

// turn decides one turn. Update handlers run inside the workflow, so this
// is deterministic and reaches the outside only through activities.
func (s *callState) turn(ctx workflow.Context, t TurnInput) (Decision, error) {
	s.turns++
	s.lang = servedOr(t.Language, s.lang)
	d := Decision{Language: s.lang}
	switch {
	case t.DTMF != "":
		s.log(fmt.Sprintf("caller pressed %s", t.DTMF))
	case t.Silence:
		s.log("caller was silent")
	default:
		s.log("caller: " + t.Text)
	}
	if !t.Silence {
		s.silences = 0
	}
	intent := t.Intent
	understood := t.IntentConfidence >= minIntentConfidence && intent != "" && intent != "unknown"

	handled := false
	if s.bk != nil {
		d, handled = s.bookingTurn(ctx, t, intent, understood)
	}
	switch {
	case handled:
	case t.DTMF != "":
		d = s.dtmf(ctx, t.DTMF, t.Text)
	case t.Silence:
		s.silences++
		if s.silences >= 2 {
			d = s.reply(pSilenceBye, "silence-2")
			d.Hangup = true
		} else {
			d = s.reply(pReprompt, "silence-1")
		}
	case !understood && t.Text != "" && s.answerUnclassified(ctx, t.Text, &d):
		// Not recognised as anything, but the knowledge base answers it.
	case !understood:
		s.misunderstood++
		if s.misunderstood >= 2 {
			s.offeredPerson = true
			d = s.reply(pOfferPerson, "not-understood-2")
		} else {
			d = s.reply(pClarify, "not-understood")
		}
	case intent == "human":
		d = s.handoff(ctx, queueGeneral, 0, "caller asked for a person", intent)
	case intent == "urgent":
		d = s.handoff(ctx, queueUrgent, priorityUrgent, "urgent matter", intent)
	case intent == "yes" && s.offeredPerson:
		d = s.handoff(ctx, queueGeneral, 0, "accepted the offer of a person", intent)
	case intent == "no" && s.offeredPerson:
		s.offeredPerson = false
		d = s.reply(pAnythingElse, "declined-person")
	case intent == "yes" || intent == "no":
		d = s.reply(pAnythingElse, "yes-no-without-question")
	case intent == "goodbye":
		d = s.reply(pGoodbye, "goodbye")
		d.Hangup = true
	case intent == "booking":
		d = s.startBooking(ctx, modeBook, t.Text, "booking")
	case intent == "reschedule":
		d = s.startBooking(ctx, modeReschedule, t.Text, "reschedule")
	case intent == "cancel":
		d = s.startBooking(ctx, modeCancel, t.Text, "cancel")
	case intent == "voicemail":
		d = s.voicemail("voicemail")
	default: // question
		d = s.answer(ctx, t.Text)
	}
	if understood && !t.Silence && t.DTMF == "" {
		s.misunderstood = 0
	}
	s.lastIntent = intent
	if d.Route == RouteNone {
		d.Route = s.route
		d.Queue = s.queue
	}
	s.log("bot: " + d.Reply)
	return d, nil
}

func (s *callState) log(line string) {
	const keep = 40 // enough context for an agent; bounded history size
	s.transcript = append(s.transcript, line)
	if len(s.transcript) > keep {
		s.transcript = s.transcript[len(s.transcript)-keep:]
	}
}

func (s *callState) reply(prompt, reason string) Decision {
	return Decision{Reply: say(s.lang, prompt), Language: s.lang, Reason: reason}
}

// voicemail takes a message: the call flow records it after the reply.
func (s *callState) voicemail(reason string) Decision { return s.voicemailWith(pVoicemail, reason) }

func (s *callState) voicemailWith(prompt, reason string) Decision {
	s.bk = nil
	s.route, s.queue = RouteVoicemail, ""
	d := s.reply(prompt, reason)
	d.Route, d.Record = RouteVoicemail, true
	return d
}

// dtmf handles key presses: 0 is always a person; 1 booking, 2 voicemail.
func (s *callState) dtmf(ctx workflow.Context, keys, text string) Decision {
	switch keys {
	case "0":
		return s.handoff(ctx, queueGeneral, 0, "pressed 0", "human")
	case "1":
		return s.startBooking(ctx, modeBook, text, "dtmf-1")
	case "2":
		return s.voicemail("dtmf-2")
	}
	return s.reply(pClarify, "dtmf-unknown")
}

// lookUp asks the knowledge base (the AnswerQuestion activity).
func (s *callState) lookUp(ctx workflow.Context, question string) (AnswerResult, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 3 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, MaximumAttempts: 2},
	})
	var a *Activities
	var res AnswerResult
	err := workflow.ExecuteActivity(actx, a.AnswerQuestion, AnswerRequest{Question: question, Language: s.lang}).Get(ctx, &res)
	return res, err
}

// answerUnclassified tries the knowledge base with words the intent
// classifier did not recognise (a question put unusually, a low
// confidence): a confident answer is better than "I did not understand".
// Anything less, and the caller is asked to say it again as before.
func (s *callState) answerUnclassified(ctx workflow.Context, text string, d *Decision) bool {
	// Calls in flight when this arrived replay without the lookup.
	if workflow.GetVersion(ctx, "unclassified-tries-knowledge", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return false
	}
	res, err := s.lookUp(ctx, text)
	if err != nil || !res.Found {
		return false
	}
	s.misunderstood = 0
	*d = s.answered(res, "answered-unclassified")
	return true
}

// answer asks the knowledge base; what it cannot answer goes to a person on request.
func (s *callState) answer(ctx workflow.Context, question string) Decision {
	res, err := s.lookUp(ctx, question)
	if err != nil {
		workflow.GetLogger(ctx).Warn("knowledge lookup failed", "error", err)
		s.offeredPerson = true
		return s.reply(pTechnicalError, "retrieval-failed")
	}
	if !res.Found {
		s.offeredPerson = true
		d := s.reply(pDontKnow, "no-answer")
		d.RetrievalMS = res.RetrievalMS
		d.AnswerConfidence = res.Confidence
		return d
	}
	return s.answered(res, "answered")
}

// answered says a found answer and asks if there is anything else.
func (s *callState) answered(res AnswerResult, reason string) Decision {
	s.route, s.queue = RouteSelfService, ""
	s.answeredFrom = append(s.answeredFrom, res.Citations...)
	return Decision{
		Route: RouteSelfService, Language: s.lang, Reason: reason,
		Reply:     strings.TrimSpace(res.Text) + " " + say(s.lang, pAnythingElse),
		Citations: res.Citations, AnswerConfidence: res.Confidence, RetrievalMS: res.RetrievalMS,
	}
}

// handoff queues the call for a person with a summary for the agent.
func (s *callState) handoff(ctx workflow.Context, queue string, priority int, reason, intent string) Decision {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 3 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, MaximumAttempts: 3},
	})
	var a *Activities
	if s.past == nil {
		var pc PastContacts
		cctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 2 * time.Second,
			RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
		})
		// Past contacts help the agent but never hold the caller up.
		if err := workflow.ExecuteActivity(cctx, a.LookUpContacts, s.in.Caller, s.in.CallID).Get(ctx, &pc); err != nil {
			workflow.GetLogger(ctx).Warn("past contacts not found", "error", err)
		}
		s.past = &pc
	}
	h := Handoff{CallID: s.in.CallID, Caller: s.in.Caller, Queue: queue, Language: s.lang, Reason: reason, Intent: intent,
		Priority: priority, Summary: s.summary(reason, intent), Transcript: append([]string(nil), s.transcript...)}
	var pos int
	err := workflow.ExecuteActivity(actx, a.EnqueueHandoff, h).Get(ctx, &pos)
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(err, &appErr) && appErr.Type() == queueFullType:
		return s.voicemailWith(pHandoffFull, "queue-full")
	case errors.As(err, &appErr) && appErr.Type() == closedType:
		return s.voicemailWith(pClosed, "closed")
	case err != nil:
		workflow.GetLogger(ctx).Error("handoff failed", "error", err)
		d := s.reply(pTechnicalError, "handoff-failed")
		return d
	}
	s.route, s.queue, s.handedOff = RouteHandoff, queue, true
	d := Decision{Route: RouteHandoff, Queue: queue, Language: s.lang, Reason: "handoff:" + reason,
		Reply: say(s.lang, pHandoff, pos)}
	return d
}

// summary is what the agent reads before taking the call.
func (s *callState) summary(reason, intent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Language: %s. Reason: %s (intent %s). Turns with the bot: %d.", s.lang, reason, intent, s.turns)
	if len(s.answeredFrom) > 0 {
		fmt.Fprintf(&b, " Bot answered from: %s.", strings.Join(s.answeredFrom, ", "))
	}
	if s.route != RouteNone && s.route != RouteHandoff {
		fmt.Fprintf(&b, " Earlier route: %s.", s.route)
	}
	for _, d := range s.done {
		fmt.Fprintf(&b, " Appointment %s: %s %s at %s (%s).", d.Action, d.Booking.Service, d.Booking.Resource,
			d.Booking.Start.UTC().Format("2006-01-02 15:04 UTC"), d.Booking.ID)
	}
	if s.bk != nil {
		fmt.Fprintf(&b, " Was in the middle of a %s dialogue.", s.bk.mode)
	}
	if s.in.Caller != "" {
		fmt.Fprintf(&b, " Caller: %s.", s.in.Caller)
	}
	switch {
	case s.past == nil:
	case s.past.Calls == 0:
		b.WriteString(" No earlier calls from this number in 90 days.")
	default:
		fmt.Fprintf(&b, " Earlier calls in 90 days: %d, the last on %s", s.past.Calls, s.past.LastAt.UTC().Format("2006-01-02"))
		if s.past.LastRoute != "" {
			fmt.Fprintf(&b, " (%s", s.past.LastRoute)
			if s.past.LastTopic != "" {
				fmt.Fprintf(&b, ", %s", s.past.LastTopic)
			}
			b.WriteString(")")
		}
		b.WriteString(".")
	}
	return b.String()
}
