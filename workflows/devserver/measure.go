package devserver

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/vastaa/vastaa/workflows"
)

// MeasureTurnLatency runs n decision round-trips (Decider.Turn on a DTMF
// key that needs no activity, and a knowledge question that runs one) on
// calls served by a worker already polling workflows.TaskQueue, and returns
// the p50 and p95 of each.
func MeasureTurnLatency(ctx context.Context, c client.Client, n int) (plain, withActivity [2]time.Duration, err error) {
	d := workflows.NewDecider(c, workflows.TaskQueue)
	var a, b []time.Duration
	const turnsPerCall = 10
	for call := 0; len(a) < n; call++ {
		id := fmt.Sprintf("measure-%d-%d", time.Now().UnixNano(), call)
		if err := d.Start(ctx, workflows.CallInput{CallID: id, Language: "en"}); err != nil {
			return plain, withActivity, err
		}
		for i := 0; i < turnsPerCall && len(a) < n; i++ {
			t0 := time.Now()
			if _, err := d.Turn(ctx, id, workflows.TurnInput{DTMF: "7"}); err != nil {
				return plain, withActivity, err
			}
			a = append(a, time.Since(t0))
			t0 = time.Now()
			if _, err := d.Turn(ctx, id, workflows.TurnInput{Text: "what are your opening hours", Language: "en", Intent: "question", IntentConfidence: 0.9}); err != nil {
				return plain, withActivity, err
			}
			b = append(b, time.Since(t0))
		}
		if err := d.End(ctx, id, "measure-done"); err != nil {
			return plain, withActivity, err
		}
	}
	return quantiles(a), quantiles(b), nil
}

func quantiles(v []time.Duration) [2]time.Duration {
	s := slices.Clone(v)
	slices.Sort(s)
	return [2]time.Duration{s[len(s)*50/100], s[len(s)*95/100]}
}
