package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/racebot/racebot/storage"
	"github.com/racebot/racebot/terminal"
)

func TestBackupCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	env := func(k string) string {
		if k == "RACEBOT_DB" {
			return live
		}
		return ""
	}
	var out bytes.Buffer
	script := "new Backed up\nWe sell roasted coffee by subscription.\n"
	if err := run(ctx, nil, env, strings.NewReader(script), &out, &out); err != nil {
		t.Fatalf("coach: %v\n%s", err, out.String())
	}
	cfg := loadConfig(env)

	tests := []struct {
		name    string
		args    []string
		wantErr string // "" for success; "usage" for errUsage
	}{
		{"file first", []string{filepath.Join(dir, "a.db")}, ""},
		{"flag after the file", []string{filepath.Join(dir, "b.db"), "--db", live}, ""},
		{"flag before the file", []string{"--db", live, filepath.Join(dir, "c.db")}, ""},
		{"never overwrites", []string{filepath.Join(dir, "a.db")}, "already exists and a backup never overwrites a file"},
		{"no file", nil, "usage"},
		{"two files", []string{filepath.Join(dir, "d.db"), filepath.Join(dir, "e.db")}, "usage"},
		{"no database", []string{filepath.Join(dir, "f.db"), "--db", filepath.Join(dir, "missing.db")}, "there is no database at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runBackup(ctx, cfg, tt.args, &stdout, &stderr)
			switch {
			case tt.wantErr == "usage":
				if !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "racebot backup") {
					t.Fatalf("err = %v, stderr %q; want a usage error", err, stderr.String())
				}
				return
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to say %q", err, tt.wantErr)
				}
				return
			case err != nil:
				t.Fatalf("backup: %v\n%s", err, stderr.String())
			}
			if !strings.Contains(stdout.String(), "Backed up") {
				t.Errorf("stdout = %q", stdout.String())
			}
			copyPath := tt.args[0]
			if copyPath == "--db" {
				copyPath = tt.args[2]
			}
			db, err := storage.Open(ctx, copyPath)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			p, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, "backed up")
			if err != nil {
				t.Fatalf("the copy lacks the plan: %v", err)
			}
			if len(p.Answers) != 1 {
				t.Errorf("the copy has %d answers, want 1", len(p.Answers))
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !os.IsNotExist(err) {
		t.Errorf("backing up a missing database created it: %v", err)
	}
}
