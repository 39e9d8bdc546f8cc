package storage

import (
	"context"
	"database/sql"
	"testing"
)

// TestWriterSyncsEveryCommit: the writer connection commits with
// synchronous=FULL (2), so an acknowledged commit survives a power cut;
// readers keep NORMAL (1). The pragma is per connection, so it is read
// through each pool rather than trusted from the DSN.
func TestWriterSyncsEveryCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTemp(t)
	for _, tt := range []struct {
		name string
		pool *sql.DB
		want int
	}{
		{"writer", db.write, 2},
		{"reader", db.read, 1},
	} {
		var got int
		if err := tt.pool.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&got); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got != tt.want {
			t.Errorf("%s connection: synchronous = %d, want %d", tt.name, got, tt.want)
		}
	}
}
