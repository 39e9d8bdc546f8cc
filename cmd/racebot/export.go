package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/terminal"
)

// runExport prints one plan as Markdown without entering the coach, so a
// plan can be piped into a file or another tool.
func runExport(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("racebot export", stderr)
	cfg.bindFlags(fs)
	name := fs.String("plan", "", "name of the plan to export")
	team := fs.String("team", terminal.Team, "workspace (Slack team id) the plan belongs to")
	channel := fs.String("channel", terminal.Channel, "channel the plan belongs to")
	if help, err := parseFlags(fs, args, stdout); help || err != nil {
		return err
	}
	if *name == "" {
		fmt.Fprintln(stderr, "racebot export: name the plan with --plan, for example --plan \"Q1 Launch\"")
		return errUsage
	}
	// Exporting reads: a mistyped --db must not leave a new, empty
	// database behind.
	db, where, err := openExistingStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.PlanByName(ctx, *team, *channel, *name)
	if errors.Is(err, flows.ErrNoPlan) {
		return fmt.Errorf("there is no plan called %q in %s", *name, where)
	}
	if err != nil {
		return err
	}
	// The same document as the coach's export, capability trend included.
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db, Location: time.Local, UserText: terminal.MarkdownUserText})
	e, err := svc.Export(ctx, p, time.Now())
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, e.Markdown())
	return err
}
