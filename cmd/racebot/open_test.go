package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExportOfAMissingDatabaseCreatesNothing: a mistyped --db gets a
// sentence, and no new empty database is left behind.
func TestExportOfAMissingDatabaseCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"export", "--plan", "Q1", "--db", missing},
		func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "there is no database at "+missing+"; nothing was created") {
		t.Errorf("err = %v, want the sentence about the missing database", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("export left %s behind", e.Name())
	}
}

// TestForeignDatabaseIsRefused: the terminal coach, the export and the
// Slack server all refuse another program's SQLite file, in one sentence,
// and leave it as it was.
func TestForeignDatabaseIsRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.db")
	conn, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", "RACEBOT_ADDR": "127.0.0.1:0"}
	tests := []struct {
		name   string
		args   []string
		getenv func(string) string
	}{
		{"terminal coach", []string{"--db", path}, func(string) string { return "" }},
		{"export", []string{"export", "--plan", "Q1", "--db", path}, func(string) string { return "" }},
		{"serve", []string{"serve", "--db", path}, func(k string) string { return env[k] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var out, errb bytes.Buffer
			err := run(ctx, tt.args, tt.getenv, strings.NewReader(""), &out, &errb)
			want := path + " holds another program's tables, not racebot's; nothing was changed."
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want it to say %q", err, want)
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Error("the file changed")
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				for _, e := range entries {
					t.Logf("file: %s", e.Name())
				}
				t.Error("files were added beside it")
			}
		})
	}
}
