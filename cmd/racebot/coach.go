package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os/user"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage"
	"github.com/racebot/racebot/terminal"
)

// runServe is the HTTP front door, whatever tokens are set.
func runServe(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("racebot serve", stderr)
	cfg.bindFlags(fs)
	if help, err := parseFlags(fs, args, stdout); help || err != nil {
		return err
	}
	if err := cfg.Validate(ModeHTTP); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	return runSlack(ctx, cfg, ModeHTTP, stderr)
}

func runCoach(ctx context.Context, cfg Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("racebot", stderr)
	cfg.bindFlags(fs)
	// `racebot --help` is how most people ask; the flags alone would not
	// name the subcommands.
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return nil
	case err != nil:
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	mode := cfg.Mode(false)
	if err := cfg.Validate(mode); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if mode != ModeTerminal {
		return runSlack(ctx, cfg, mode, stderr)
	}
	db, _, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	cat := flows.RACE()
	// Logs would interleave with the conversation; in the terminal only
	// warnings go to stderr, as text.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	helper, err := newAssistant(cfg, cat, logger, nil)
	if err != nil {
		return err
	}
	return terminal.Run(ctx, terminal.Config{
		Service: coach.New(coach.Config{
			Catalogue: cat, Store: db, Location: time.Local,
			UserText: terminal.MarkdownUserText, ParseSchedule: parseSchedule,
		}),
		Assistant: helper,
		Dir:       chartDir(cfg),
		User:      terminalUser(),
		In:        stdin,
		Out:       stdout,
		Styled:    terminal.IsTerminal(stdin) && terminal.IsTerminal(stdout),
	})
}

// openDB opens the database and says in one sentence what is wrong with a
// file that cannot be used.
func openDB(ctx context.Context, path string) (*storage.DB, error) {
	db, err := storage.Open(ctx, path)
	if err != nil {
		return nil, openError(path, err)
	}
	return db, nil
}

// openError is the sentence for a database file that cannot be used.
func openError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("there is no database at %s; nothing was created. Point --db (or RACEBOT_DB) at the file your plans are in", path)
	case errors.Is(err, storage.ErrForeign):
		return fmt.Errorf("%s holds another program's tables, not racebot's; nothing was changed. Point RACEBOT_DB (or --db) at another file", path)
	case errors.Is(err, storage.ErrCorrupt):
		return fmt.Errorf("%s is not a racebot database or is damaged; nothing was changed. Point RACEBOT_DB (or --db) at another file", path)
	case errors.Is(err, storage.ErrReadOnly):
		return fmt.Errorf("cannot write to %s; nothing was changed. Check the folder exists and is writable, or point RACEBOT_DB (or --db) elsewhere", path)
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

func terminalUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "you"
}
