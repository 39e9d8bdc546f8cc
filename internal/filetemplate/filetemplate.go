// Package filetemplate gives each test a copy of a file made once per test
// process. Making a racebot database runs every migration, and under -race
// SQLite compiles their DDL for about a fifth of a second of CPU; the test
// suite makes hundreds of databases, and a copy is the same file.
package filetemplate

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Template is a file made once, by make, and copied for every test.
type Template struct {
	name  string
	bytes func() ([]byte, error)
}

// New returns a template whose file is made by make at a path in a
// directory of its own, and read once make returns; name is the copies'.
func New(name string, make func(path string) error) *Template {
	return &Template{name: name, bytes: sync.OnceValues(func() ([]byte, error) {
		dir, err := os.MkdirTemp("", "racebot-template-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, name)
		if err := make(path); err != nil {
			return nil, err
		}
		return os.ReadFile(path)
	})}
}

// Path returns the path of a new copy in tb's temp dir.
func (t *Template) Path(tb testing.TB) string {
	tb.Helper()
	data, err := t.bytes()
	if err != nil {
		tb.Fatalf("template %s: %v", t.name, err)
	}
	path := filepath.Join(tb.TempDir(), t.name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatalf("template %s: %v", t.name, err)
	}
	return path
}
