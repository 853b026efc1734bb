package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vastaa/vastaa/workflows/voicemail"
)

// tasksCmd lists the tasks made from voicemail, shows one, or changes one:
//
//	vastaa tasks [--status open] [--team T] [--json]
//	vastaa tasks --id ID
//	vastaa tasks set ID [--status solved] [--assignee NAME]
func tasksCmd(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "set" {
		return taskSetCmd(ctx, args[1:])
	}
	fs := newFlagSet("tasks", "List the tasks made from voicemail messages, most urgent first, or show one with --id.\nChange one with: vastaa tasks set ID --status solved --assignee NAME")
	dataDir := fs.String("data-dir", defaultDataDir(), "data directory of vastaa serve")
	status := fs.String("status", "", "only tasks in this status: open, pending or solved")
	team := fs.String("team", "", "only this team's tasks")
	id := fs.String("id", "", "show this task with its transcript")
	limit := fs.Int("limit", 50, "how many tasks to list")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *status != "" && !voicemail.Status(*status).Valid() {
		return fmt.Errorf("--status %q: want open, pending or solved", *status)
	}
	store, err := openTasks(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	if *id != "" {
		t, err := store.Get(ctx, *id)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(t)
		}
		printTask(t)
		return nil
	}
	tasks, err := store.List(ctx, voicemail.ListOptions{Status: voicemail.Status(*status), Team: *team, Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(tasks)
	}
	now := time.Now()
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tPRI\tSTATUS\tTEAM\tASSIGNEE\tDUE\tCALLBACK\tNAME\tSUMMARY")
	for _, t := range tasks {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, priority(t), t.Status, t.Team, dash(t.Assignee), due(t, now),
			dash(t.CallbackNumber), dash(t.CallerName), clip(t.Summary, 60))
	}
	return w.Flush()
}

func taskSetCmd(ctx context.Context, args []string) error {
	fs := newFlagSet("tasks set", "Change a task: vastaa tasks set ID [--status open|pending|solved] [--assignee NAME]\n(--assignee \"\" unassigns).")
	dataDir := fs.String("data-dir", defaultDataDir(), "data directory of vastaa serve")
	status := fs.String("status", "", "new status: open, pending or solved")
	assignee := fs.String("assignee", "", "who takes the task")
	asJSON := fs.Bool("json", false, "print the changed task as JSON")
	usage := errors.New("usage: vastaa tasks set ID [--status open|pending|solved] [--assignee NAME]")
	if len(args) == 0 {
		return usage
	}
	if strings.HasPrefix(args[0], "-") { // --help, or flags before the id
		if err := parse(fs, args); err != nil {
			return err
		}
		return usage
	}
	id := args[0]
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	var c voicemail.Change
	if *status != "" {
		c.Status = voicemail.Status(*status)
		if !c.Status.Valid() {
			return fmt.Errorf("--status %q: want open, pending or solved", *status)
		}
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "assignee" {
			c.Assignee = assignee
		}
	})
	if c.Status == "" && c.Assignee == nil {
		return errors.New("nothing to change: give --status, --assignee or both")
	}
	store, err := openTasks(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	t, err := store.Update(ctx, id, c, time.Now())
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(t)
	}
	fmt.Printf("task %s: %s, assignee %s\n", t.ID, t.Status, dash(t.Assignee))
	return nil
}

func priority(t voicemail.Task) string {
	p := fmt.Sprintf("P%d", t.Priority)
	if t.Escalated {
		p += "!"
	}
	return p
}

func due(t voicemail.Task, now time.Time) string {
	s := t.DueAt.Local().Format("01-02 15:04")
	if t.Overdue(now) {
		s += " OVERDUE"
	}
	return s
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return dash(s)
}

func printTask(t voicemail.Task) {
	fmt.Printf("task %s  %s  %s  team %s  assignee %s\n", t.ID, priority(t), t.Status, t.Team, dash(t.Assignee))
	fmt.Printf("topic %s  urgent %v  language %s  call %s\n", t.Topic, t.Urgent, dash(t.Language), t.CallID)
	fmt.Printf("created %s  due %s  updated %s\n", t.CreatedAt.Local().Format(time.RFC3339), due(t, time.Now()), t.UpdatedAt.Local().Format(time.RFC3339))
	if t.Escalated {
		fmt.Printf("escalated %s\n", t.EscalatedAt.Local().Format(time.RFC3339))
	}
	fmt.Printf("call back %s  name %s\n", dash(t.CallbackNumber), dash(t.CallerName))
	fmt.Printf("recording %s\n", dash(t.RecordingPath))
	fmt.Printf("\n%s\n\n%s\n", t.Summary, dash(t.Transcript))
}

// openTasks opens the task store of a data directory.
func openTasks(ctx context.Context, dataDir string) (*voicemail.Store, error) {
	path := filepath.Join(dataDir, "tasks.db")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no tasks at %s (has vastaa serve taken voicemail with this --data-dir?)", path)
	}
	return voicemail.Open(ctx, path)
}
