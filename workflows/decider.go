package workflows

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
)

// Decider is the pipeline's side of the CallWorkflow: it starts the
// workflow when a call is answered, sends each turn as an update and waits
// for the decision, and signals the hang-up.
type Decider struct {
	c         client.Client
	taskQueue string
}

// NewDecider uses c and the given task queue (TaskQueue if empty).
func NewDecider(c client.Client, taskQueue string) *Decider {
	if taskQueue == "" {
		taskQueue = TaskQueue
	}
	return &Decider{c: c, taskQueue: taskQueue}
}

// Start starts the call's workflow.
func (d *Decider) Start(ctx context.Context, in CallInput) error {
	_, err := d.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: WorkflowID(in.CallID), TaskQueue: d.taskQueue,
		WorkflowExecutionTimeout: maxCallDuration + time.Hour,
	}, "CallWorkflow", in)
	if err != nil {
		return fmt.Errorf("start call workflow: %w", err)
	}
	return nil
}

// Turn sends one turn and returns the decision.
func (d *Decider) Turn(ctx context.Context, callID string, t TurnInput) (Decision, error) {
	var dec Decision
	if err := Update(ctx, d.c, WorkflowID(callID), UpdateTurn, &dec, t); err != nil {
		return Decision{}, fmt.Errorf("turn: %w", err)
	}
	return dec, nil
}

// Update runs an update on a workflow, waits for it to complete and
// decodes its result into out (nil to discard it). The entity workflows
// (bookings, queues) are driven the same way.
func Update(ctx context.Context, c client.Client, workflowID, name string, out any, args ...any) error {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: name, Args: args, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, out)
}

// End tells the workflow the call is over.
func (d *Decider) End(ctx context.Context, callID, reason string) error {
	if err := d.c.SignalWorkflow(ctx, WorkflowID(callID), "", SignalHangup, reason); err != nil {
		return fmt.Errorf("hangup signal: %w", err)
	}
	return nil
}
