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

// Register adds the call workflow and its activities to a worker.
func Register(w worker.Registry, a *Activities) {
	w.RegisterWorkflowWithOptions(CallWorkflow, workflow.RegisterOptions{Name: "CallWorkflow"})
	w.RegisterActivity(a)
}

// queueFull marks a full queue as a non-retryable error the workflow can
// recognise by type.
func queueFull(err error) error {
	if errors.Is(err, ErrQueueFull) {
		return temporal.NewNonRetryableApplicationError("queue full", "QueueFull", err)
	}
	return err
}
