package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"text/tabwriter"

	"github.com/racebot/racebot/storage/postgres"
)

// runMigrate copies the SQLite database into PostgreSQL, so a team that
// outgrows one machine keeps its plans: `racebot migrate --to
// postgres://… [--db FILE] [--force]`. The copy is one transaction,
// verified row by row before it commits; a target that already holds
// racebot data is left alone unless --force.
func runMigrate(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("racebot migrate", stderr)
	cfg.bindFlags(fs)
	to := fs.String("to", "", "PostgreSQL URL to copy into (default RACEBOT_DATABASE_URL)")
	force := fs.Bool("force", false, "replace what the PostgreSQL database holds")
	if help, err := parseFlags(fs, args, stdout); help || err != nil {
		return err
	}
	if *to == "" {
		*to = cfg.DatabaseURL
	}
	if *to == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "racebot migrate: name the PostgreSQL database to copy into, for example: racebot migrate --to postgres://racebot:secret@db:5432/racebot --db racebot.db")
		return errUsage
	}
	// Opening a missing file would create an empty database, and copy that.
	if _, err := os.Stat(cfg.DB); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("there is no database at %s to copy; point RACEBOT_DB (or --db) at it", cfg.DB)
	}
	// Opening the file through the store brings its schema up to the one
	// this racebot's PostgreSQL migrations build.
	lite, err := openDB(ctx, cfg.DB)
	if err != nil {
		return err
	}
	if err := lite.Close(); err != nil {
		return fmt.Errorf("close %s: %w", cfg.DB, err)
	}
	// Package storage registered the driver; read-only, the copy cannot
	// change the file it copies.
	src, err := sql.Open("sqlite", "file:"+cfg.DB+"?"+url.Values{"mode": {"ro"}, "_pragma": {"busy_timeout(10000)"}}.Encode())
	if err != nil {
		return fmt.Errorf("open %s: %w", cfg.DB, err)
	}
	defer src.Close()
	pg, err := openPostgres(ctx, *to, "--to")
	if err != nil {
		return err
	}
	defer pg.Close()

	sums, err := pg.CopyFromSQLite(ctx, src, *force)
	switch {
	case errors.Is(err, postgres.ErrNotEmpty):
		return fmt.Errorf("%w; nothing was written. Run with --force to replace it with %s", err, cfg.DB)
	case errors.Is(err, postgres.ErrSourceChanged):
		return fmt.Errorf("%w, so a racebot is still serving from %s; nothing was written. Stop every racebot using it, then run migrate again", err, cfg.DB)
	case errors.Is(err, postgres.ErrSchemaMismatch), errors.Is(err, postgres.ErrMismatch):
		return fmt.Errorf("%w; nothing was written", err)
	case err != nil:
		return fmt.Errorf("copy %s to %s: %w; nothing was written", cfg.DB, pg.Where(), err)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "table\trows\tSHA-256\t")
	var total int64
	for _, s := range sums {
		fmt.Fprintf(w, "%s\t%d\t%s…\t\n", s.Table, s.Rows, s.Checksum[:16])
		total += s.Rows
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Copied %d rows in %d tables from %s to %s; every table matches row for row.\n", total, len(sums), cfg.DB, pg.Where())
	fmt.Fprintf(stdout, "Set RACEBOT_DATABASE_URL to serve from it; the SQLite file is unchanged. Anything racebot records in %s from now on is not in PostgreSQL: stop it before you switch, or run migrate again with --force.\n", cfg.DB)
	return nil
}
