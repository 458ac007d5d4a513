package state

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func openStore(t *testing.T, path string) *Store {
	t.Helper()

	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}

	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})

	return s
}

func TestOpenCreatesFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lib", "emailgend", "state.db")
	openStore(t, path)

	info, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatalf("state folder: %v", err)
	}

	if got := info.Mode().Perm(); got != 0o700 {
		t.Errorf("state folder mode = %v, want 0700", got)
	}

	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file: %v", err)
	}
}

func TestOpenSettings(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	ctx := context.Background()

	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
		{"user_version", "1"},
	}

	for _, tt := range tests {
		t.Run(tt.pragma, func(t *testing.T) {
			var got string
			if err := s.db.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
			}

			if got != tt.want {
				t.Errorf("PRAGMA %s = %s, want %s", tt.pragma, got, tt.want)
			}
		})
	}
}

func TestSchemaVersionMatchesMigrations(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))

	var version int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatalf("reading user_version: %v", err)
	}

	if version != len(migrations) {
		t.Errorf("user_version = %d, want %d", version, len(migrations))
	}
}

func TestOpenNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")

	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}

	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatalf("setting user_version: %v", err)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	_, err = Open(context.Background(), path)
	if err == nil {
		t.Fatal("Open of a newer schema succeeded, want an error")
	}

	for _, want := range []string{path, "schema version 99", "upgrade emailgend"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestOpenNotDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	text := strings.Repeat("this is a text file, not a database\n", 200)

	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}

	s, err := Open(context.Background(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open of a text file succeeded, want an error")
	}

	for _, want := range []string{path, "not a database", "move the file aside"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestOpenInvalidPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")

	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatalf("writing %s: %v", file, err)
	}

	tests := []struct {
		name string
		path string
		// want is a substring the error must contain.
		want string
	}{
		{"empty", "", "empty path"},
		{"question mark", filepath.Join(dir, "state?.db"), "must not contain '?'"},
		{"parent is a file", filepath.Join(file, "state.db"), "state database " + filepath.Join(file, "state.db")},
		{"path is a folder", dir, "state database " + dir},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tt.path)
			}

			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}
