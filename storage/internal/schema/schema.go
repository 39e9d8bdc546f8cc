// Package schema lists the migrations of the two stores, storage (SQLite)
// and storage/postgres, which number and order them the same way: each
// store embeds its own SQL and applies it with its own driver.
package schema

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// A Migration is one numbered file of SQL.
type Migration struct {
	Version int
	Name    string // the file's name, as recorded in schema_migrations
	Body    string
}

// Migrations reads the files matching migrations/*.sql in fsys, in
// file-name order. Files are append-only: a shipped migration never
// changes, a new one is added instead. A file's name starts with its
// version number and an underscore.
func Migrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	out := make([]Migration, 0, len(names))
	for _, name := range names {
		base := path.Base(name)
		num, _, _ := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", base)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: version, Name: base, Body: string(body)})
	}
	return out, nil
}
