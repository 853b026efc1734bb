package callback

import (
	"context"
	"errors"
)

// Dialer places one callback call: it rings Attempt.Number, and when the
// callee answers says Attempt.Prompt in Attempt.Language. The Outcome is
// always set; the error, when there is one, says why (for the queue
// events, so it must not contain the number).
type Dialer interface {
	Dial(ctx context.Context, a Attempt) (Outcome, error)
}

// Activities place the calls.
type Activities struct{ Dialer Dialer }

// DialCallback is one attempt. A failed dial is a result, not an activity
// error: the workflow decides about retries. Only a cancelled or timed-out
// activity returns an error.
func (a *Activities) DialCallback(ctx context.Context, at Attempt) (AttemptResult, error) {
	if a.Dialer == nil {
		return AttemptResult{Outcome: Failed, Detail: "no callback dialer configured"}, nil
	}
	out, err := a.Dialer.Dial(ctx, at)
	if ctx.Err() != nil && out != Answered {
		return AttemptResult{}, ctx.Err()
	}
	if out == "" {
		out = Failed
	}
	r := AttemptResult{Outcome: out, Permanent: errors.Is(err, ErrInvalidNumber)}
	if err != nil {
		r.Detail = err.Error()
	}
	return r, nil
}
