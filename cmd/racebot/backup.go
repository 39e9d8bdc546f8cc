package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/racebot/racebot/storage"
)

// runBackup copies the database to a new file while racebot may be serving
// from it: `racebot backup <file> [--db FILE]`.
func runBackup(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("racebot backup <new-file.db>", stderr)
	cfg.bindFlags(fs)
	if help, err := parseFlags(fs, args, stdout); help || err != nil {
		return err
	}
	// The file may come before or after the flags.
	var target string
	if rest := fs.Args(); len(rest) > 0 {
		target = rest[0]
		if help, err := parseFlags(fs, rest[1:], stdout); help || err != nil {
			return err
		}
	}
	if target == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "racebot backup: name one new file to write, for example: racebot backup racebot-2027-01-04.db")
		return errUsage
	}
	if cfg.DatabaseURL != "" {
		return errors.New("racebot backup copies the SQLite file, and RACEBOT_DATABASE_URL puts racebot on PostgreSQL: back that up with pg_dump")
	}
	// Opening a missing database would create an empty one, and back that up.
	if _, err := os.Stat(cfg.DB); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("there is no database at %s to back up; point RACEBOT_DB (or --db) at it", cfg.DB)
	}
	db, err := openDB(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.Backup(ctx, target)
	if errors.Is(err, storage.ErrBackupExists) {
		return fmt.Errorf("%s already exists and a backup never overwrites a file; choose a new name", target)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s.\n", cfg.DB, target)
	return nil
}
