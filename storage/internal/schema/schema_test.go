package schema

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestMigrationsInFileOrder(t *testing.T) {
	fsys := fstest.MapFS{
		"migrations/0010_later.sql": {Data: []byte("CREATE TABLE b (x INTEGER);")},
		"migrations/0002_first.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"migrations/README.md":      {Data: []byte("not a migration")},
	}
	got, err := Migrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []Migration{
		{Version: 2, Name: "0002_first.sql", Body: "CREATE TABLE a (x INTEGER);"},
		{Version: 10, Name: "0010_later.sql", Body: "CREATE TABLE b (x INTEGER);"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("migrations (-want +got):\n%s", diff)
	}
}

func TestMigrationsRefuseAnUnnumberedFile(t *testing.T) {
	fsys := fstest.MapFS{
		"migrations/0001_plans.sql": {Data: []byte("SELECT 1;")},
		"migrations/extra.sql":      {Data: []byte("SELECT 2;")},
	}
	if got, err := Migrations(fsys); err == nil {
		t.Fatalf("Migrations = %v, want an error for extra.sql", got)
	}
}
