package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrBackupExists means the backup's target file is already there: a
// backup never overwrites anything, least of all an earlier backup.
var ErrBackupExists = errors.New("backup file already exists")

// Backup writes a consistent copy of the live database to path with
// VACUUM INTO. It runs as a read transaction, so under WAL it neither
// blocks nor waits for writers, and the copy is the database as of one
// moment, compacted. The copy is synced to disk before Backup returns.
func (db *DB) Backup(ctx context.Context, path string) error {
	if path == "" {
		return errors.New("backup: no file name")
	}
	switch _, err := os.Lstat(path); {
	case err == nil:
		return fmt.Errorf("backup to %s: %w", path, ErrBackupExists)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if _, err := db.read.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, classify(err))
	}
	// VACUUM INTO writes the copy without syncing it; a backup that a power
	// cut can undo is not one.
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup to %s: sync: %w", path, err)
	}
	return nil
}
