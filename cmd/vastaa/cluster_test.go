package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/vastaa/vastaa/media/sipua/sipptest"
	"github.com/vastaa/vastaa/workflows"
	"github.com/vastaa/vastaa/workflows/callstore"
	"github.com/vastaa/vastaa/workflows/devserver"
)

// TestServeAgainstTemporalCluster: with --temporal-address (and a
// namespace of its own) vastaa serve starts no Temporal server of its own
// and runs its calls on the one it is pointed at, like a production
// cluster: a sipp caller presses 0, the call is routed to a person, and
// its CallWorkflow is found, completed, on that server in that namespace.
func TestServeAgainstTemporalCluster(t *testing.T) {
	sipptest.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cluster, err := devserver.Start(ctx, devserver.Config{DBPath: filepath.Join(t.TempDir(), "cluster.db"), Namespace: "vastaa-prod"})
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Stop()

	dir := t.TempDir()
	cfg := benchServeConfig(dir)
	cfg.TemporalAddress = cluster.HostPort()
	cfg.TemporalNamespace = "vastaa-prod"
	a, err := startApp(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.stop()
	if a.temporal != nil {
		t.Fatal("started an embedded Temporal server despite --temporal-address")
	}
	if _, err := os.Stat(filepath.Join(dir, "temporal.db")); err == nil {
		t.Fatal("an embedded Temporal database was created")
	}

	c := sippPressesZero(t, a)
	if _, ok := turnWith(c, func(t callstore.Turn) bool { return t.DTMF == "0" && t.Route == "handoff" }); !ok {
		t.Fatalf("no DTMF 0 turn routed to handoff; turns: %+v", c.Turns)
	}

	tc, err := client.Dial(client.Options{HostPort: cluster.HostPort(), Namespace: "vastaa-prod"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	var status enumspb.WorkflowExecutionStatus
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		d, err := tc.DescribeWorkflowExecution(ctx, workflows.WorkflowID(c.ID), "")
		if err != nil {
			t.Fatalf("the call's workflow is not on the cluster: %v", err)
		}
		status = d.WorkflowExecutionInfo.Status
		if status == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED || time.Now().After(end) {
			break
		}
	}
	if status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("the call's workflow on the cluster is %s, want Completed", status)
	}
}

// An unreachable --temporal-address is a clear error at start, not a hang.
func TestServeTemporalUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	cfg := benchServeConfig(t.TempDir())
	cfg.TemporalAddress = addr
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	a, err := startApp(ctx, cfg)
	if err == nil {
		a.stop()
		t.Fatal("started against an address where nothing listens")
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("the error does not name the address: %v", err)
	}
	t.Logf("failed after %v: %v", time.Since(start).Round(time.Millisecond), err)
}
