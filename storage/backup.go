package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	// The copy is written beside the target under a name of its own and
	// appears under the target's name only once it is complete and synced:
	// an interrupted backup (Ctrl-C, a full disk) leaves no file that looks
	// like one, nor one that blocks the next backup to that name.
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer func() {
		// With the journal SQLite keeps beside a file it writes, which a
		// failed VACUUM INTO leaves.
		for _, suffix := range []string{"", "-journal", "-wal"} {
			os.Remove(tmpName + suffix)
		}
	}()
	// CreateTemp makes the file private (0600); the backup is readable by
	// whoever may read the live database, as a file SQLite creates is.
	if st, err := os.Stat(db.path); err == nil {
		if err := os.Chmod(tmpName, st.Mode().Perm()); err != nil {
			return fmt.Errorf("backup to %s: %w", path, err)
		}
	}
	if _, err := db.read.ExecContext(ctx, `VACUUM INTO ?`, tmpName); err != nil {
		return fmt.Errorf("backup to %s: %w", path, classify(err))
	}
	// VACUUM INTO writes the copy without syncing it; a backup that a power
	// cut can undo is not one.
	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("backup to %s: sync: %w", path, err)
	}
	// A link never replaces a file that appeared meanwhile. A file system
	// without links gets a rename, after one more look for such a file.
	switch err := os.Link(tmpName, path); {
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("backup to %s: %w", path, ErrBackupExists)
	case err != nil:
		if _, statErr := os.Lstat(path); statErr == nil {
			return fmt.Errorf("backup to %s: %w", path, ErrBackupExists)
		}
		if err := os.Rename(tmpName, path); err != nil {
			return fmt.Errorf("backup to %s: %w", path, err)
		}
	}
	if err := syncFile(filepath.Dir(path)); err != nil {
		return fmt.Errorf("backup to %s: sync folder: %w", path, err)
	}
	return nil
}

// syncFile flushes a file, or a folder's entries, to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
