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
	answered      []string // article ids answered from
	transcript    []string
	lastIntent    string
	ended         bool
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
	return CallResult{Route: s.route, Queue: s.queue, Turns: s.turns, EndReason: reason}, nil
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

	switch {
	case t.DTMF != "":
		d = s.dtmf(ctx, t.DTMF)
	case t.Silence:
		s.silences++
		if s.silences >= 2 {
			d = s.reply(pSilenceBye, "silence-2")
			d.Hangup = true
		} else {
			d = s.reply(pReprompt, "silence-1")
		}
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
		d = s.routeTo(RouteBooking, pBooking, "booking")
	case intent == "reschedule":
		d = s.routeTo(RouteBooking, pReschedule, "reschedule")
	case intent == "cancel":
		d = s.routeTo(RouteBooking, pCancel, "cancel")
	case intent == "voicemail":
		d = s.routeTo(RouteVoicemail, pVoicemail, "voicemail")
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

func (s *callState) routeTo(r Route, prompt, reason string) Decision {
	s.route, s.queue = r, ""
	d := s.reply(prompt, reason)
	d.Route = r
	return d
}

// dtmf handles key presses: 0 is always a person; 1 booking, 2 voicemail.
func (s *callState) dtmf(ctx workflow.Context, keys string) Decision {
	switch keys {
	case "0":
		return s.handoff(ctx, queueGeneral, 0, "pressed 0", "human")
	case "1":
		return s.routeTo(RouteBooking, pBooking, "dtmf-1")
	case "2":
		return s.routeTo(RouteVoicemail, pVoicemail, "dtmf-2")
	}
	return s.reply(pClarify, "dtmf-unknown")
}

// answer asks the knowledge base; what it cannot answer goes to a person on request.
func (s *callState) answer(ctx workflow.Context, question string) Decision {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 3 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, MaximumAttempts: 2},
	})
	var a *Activities
	var res AnswerResult
	err := workflow.ExecuteActivity(actx, a.AnswerQuestion, AnswerRequest{Question: question, Language: s.lang}).Get(ctx, &res)
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
	s.route, s.queue = RouteSelfService, ""
	s.answered = append(s.answered, res.Citations...)
	return Decision{
		Route: RouteSelfService, Language: s.lang, Reason: "answered",
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
	h := Handoff{CallID: s.in.CallID, Queue: queue, Language: s.lang, Reason: reason, Intent: intent,
		Priority: priority, Summary: s.summary(reason, intent), Transcript: append([]string(nil), s.transcript...)}
	var a *Activities
	var pos int
	err := workflow.ExecuteActivity(actx, a.EnqueueHandoff, h).Get(ctx, &pos)
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(err, &appErr) && appErr.Type() == "QueueFull":
		s.route = RouteVoicemail
		d := s.reply(pHandoffFull, "queue-full")
		d.Route = RouteVoicemail
		return d
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
	if len(s.answered) > 0 {
		fmt.Fprintf(&b, " Bot answered from: %s.", strings.Join(s.answered, ", "))
	}
	if s.route != RouteNone && s.route != RouteHandoff {
		fmt.Fprintf(&b, " Earlier route: %s.", s.route)
	}
	return b.String()
}
