package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vastaa/vastaa/workflows/callstore"
)

func callsCmd(ctx context.Context, args []string) error {
	fs := newFlagSet("calls", "List recorded calls, newest first, or show one call with its turns.")
	dataDir := fs.String("data-dir", defaultDataDir(), "data directory of vastaa serve")
	id := fs.String("id", "", "show this call with every turn")
	limit := fs.Int("limit", 20, "how many calls to list")
	since := fs.Duration("since", 0, "only calls started within this long (e.g. 24h)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	store, err := openCallRecords(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	if *id != "" {
		c, err := store.Get(ctx, *id)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c)
		}
		printCall(c)
		return nil
	}
	opts := callstore.ListOptions{Limit: *limit}
	if *since > 0 {
		opts.Since = time.Now().Add(-*since)
	}
	calls, err := store.List(ctx, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(calls)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSTARTED\tDURATION\tCALLER\tTURNS\tLANG\tROUTE\tQUEUE\tEND")
	for _, c := range calls {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", c.ID, c.StartedAt.Local().Format("2006-01-02 15:04:05"),
			duration(c), c.Caller, c.TurnCount, dash(c.Language), dash(c.Route), dash(c.Queue), dash(c.EndReason))
	}
	return w.Flush()
}

func duration(c callstore.Call) string {
	if c.EndedAt.IsZero() {
		return "in progress"
	}
	return c.EndedAt.Sub(c.StartedAt).Round(100 * time.Millisecond).String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printCall(c callstore.Call) {
	fmt.Printf("call %s  from %s  %s  %s  end: %s\n", c.ID, c.Caller, c.StartedAt.Local().Format(time.RFC3339), duration(c), dash(c.EndReason))
	fmt.Printf("route %s  queue %s  language %s  codec %s  recording %s\n", dash(c.Route), dash(c.Queue), dash(c.Language), dash(c.Codec), dash(c.Recording))
	fmt.Printf("media: %d packets in, %d out, %d lost, jitter %.1f ms\n", c.Media.PacketsReceived, c.Media.PacketsSent, c.Media.PacketsLost, c.Media.JitterMS)
	for _, t := range c.Turns {
		said := t.CallerText
		switch {
		case t.DTMF != "":
			said = "[dtmf " + t.DTMF + "]"
		case t.Silence:
			said = "[silence]"
		}
		fmt.Printf("\n#%d  caller (%s): %s\n", t.Index, dash(t.Language), said)
		fmt.Printf("    intent %s (%.2f)  route %s", dash(t.Intent), t.IntentConfidence, dash(t.Route))
		if len(t.Citations) > 0 {
			fmt.Printf("  cites %s", strings.Join(t.Citations, ","))
		}
		fmt.Printf("\n    bot: %s\n", t.Reply)
		tm := t.Timings
		fmt.Printf("    ms: endpoint %.0f  stt %.0f  lang %.1f  intent %.1f  decide %.0f (retrieval %.1f)  tts %.0f  first audio %.0f\n",
			tm.Endpointing, tm.STT, tm.LanguageID, tm.Intent, tm.Decision, tm.Retrieval, tm.TTS, tm.FirstAudio)
		if t.Error != "" {
			fmt.Printf("    error: %s\n", t.Error)
		}
	}
}

// openCallRecords opens the call records of a data directory.
func openCallRecords(ctx context.Context, dataDir string) (*callstore.Store, error) {
	path := filepath.Join(dataDir, "calls.db")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no call records at %s (has vastaa serve run with this --data-dir?)", path)
	}
	return callstore.Open(ctx, path)
}
