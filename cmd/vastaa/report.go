package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/vastaa/vastaa/evals/kpi"
)

const reportUsage = `Usage: vastaa report <command> [flags]

Commands:
  kpis    contact-centre KPIs of the recorded calls: volume, speed of answer,
          handle time, abandonment, containment, transfers, first-contact
          resolution, callbacks, service level and turn latency

Run "vastaa report kpis --help" for its flags.
`

func reportCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, reportUsage)
		return errors.New("report: missing command")
	}
	switch args[0] {
	case "kpis", "kpi":
		return reportKPIsCmd(ctx, args[1:])
	case "help", "--help", "-h":
		fmt.Print(reportUsage)
		return errHelp
	}
	return fmt.Errorf("report: unknown command %q\n\n%s", args[0], reportUsage)
}

func reportKPIsCmd(ctx context.Context, args []string) error {
	fs := newFlagSet("report kpis", "Contact-centre KPIs of the calls recorded by vastaa serve.")
	dataDir := fs.String("data-dir", defaultDataDir(), "data directory of vastaa serve")
	since := fs.String("since", "24h", "only calls started within this long (e.g. 24h), since a date (2026-11-01, local time), or all")
	serviceLevel := fs.Duration("service-level", kpi.DefaultServiceLevel, "answer-time target of the service level")
	fcrWindow := fs.Duration("fcr-window", kpi.DefaultFCRWindow, "a repeat call on the same topic within this long breaks first-contact resolution")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *serviceLevel <= 0 {
		return fmt.Errorf("--service-level %s: must be positive", *serviceLevel)
	}
	if *fcrWindow <= 0 {
		return fmt.Errorf("--fcr-window %s: must be positive", *fcrWindow)
	}
	from, err := kpi.ParseSince(*since, time.Now())
	if err != nil {
		return fmt.Errorf("--since: %w", err)
	}
	store, err := openCallRecords(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	calls, err := kpi.LoadCalls(ctx, store, from)
	if err != nil {
		return err
	}
	r := kpi.Compute(calls, kpi.Options{Since: from, ServiceLevel: *serviceLevel, FCRWindow: *fcrWindow})
	if *asJSON {
		return printJSON(r)
	}
	r.WriteText(os.Stdout)
	return nil
}
