// Package state records every generated message in an SQLite database, so
// that threads continue across restarts and each decky's history stays
// bounded.
package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// connectionParams are the driver settings for every pooled connection. WAL
// lets readers run beside the writer, and the busy timeout (10 s) makes a
// second writer wait instead of failing. Immediate transactions take the
// write lock at BEGIN, so a migration waits there for a busy database instead
// of failing with SQLITE_BUSY at its first write.
const connectionParams = "_txlock=immediate" +
	"&_pragma=busy_timeout(10000)" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)"

// migrations upgrade the schema. migrations[i] moves a database from
// PRAGMA user_version i to i+1. Append new steps and never edit old ones,
// because existing databases have already run them.
var migrations = []string{
	`CREATE TABLE messages (
		id            INTEGER PRIMARY KEY AUTOINCREMENT,
		decky         TEXT NOT NULL,
		containers    TEXT NOT NULL DEFAULT '[]',
		thread_id     TEXT NOT NULL,
		message_id    TEXT NOT NULL,
		in_reply_to   TEXT NOT NULL DEFAULT '',
		reference_ids TEXT NOT NULL DEFAULT '[]',
		from_addr     TEXT NOT NULL COLLATE NOCASE,
		from_name     TEXT NOT NULL DEFAULT '',
		to_addr       TEXT NOT NULL COLLATE NOCASE,
		to_name       TEXT NOT NULL DEFAULT '',
		subject       TEXT NOT NULL DEFAULT '',
		language      TEXT NOT NULL DEFAULT '',
		topic         TEXT NOT NULL DEFAULT '',
		date          TEXT NOT NULL,
		date_zone     TEXT NOT NULL DEFAULT '',
		date_unix     INTEGER NOT NULL,
		path          TEXT NOT NULL DEFAULT '',
		delivered     INTEGER NOT NULL CHECK (delivered IN (0, 1)),
		failure       TEXT NOT NULL DEFAULT '',
		generator     TEXT NOT NULL DEFAULT '',
		mannerisms    TEXT NOT NULL DEFAULT '[]',
		body          TEXT NOT NULL DEFAULT '',
		created_at    TEXT NOT NULL
	);
	CREATE INDEX messages_decky_date ON messages (decky, date_unix, id);
	CREATE INDEX messages_pair ON messages (decky, from_addr, to_addr, delivered, date_unix);
	CREATE INDEX messages_thread ON messages (thread_id, date_unix);`,
}

// Store is the message database. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
}

// Open opens the database at path, creating it and its parent folder (mode
// 0700) when missing, and upgrades its schema to the current version.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("opening state database: empty path")
	}

	// The driver reads everything after the first "?" as parameters, and
	// an absolute path never starts with "file:", which it would read as
	// a URI.
	if strings.Contains(path, "?") {
		return nil, fmt.Errorf("opening state database %s: the path must not contain '?'", path)
	}

	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("opening state database %s: %w", path, err)
	}

	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("creating folder for state database %s: %w", path, err)
	}

	db, err := sql.Open("sqlite", abs+"?"+connectionParams)
	if err != nil {
		return nil, fmt.Errorf("opening state database %s: %w", path, err)
	}

	s := &Store{db: db, path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, openError(path, err)
	}

	return s, nil
}

// openError names the path and, for a file that is not SQLite, the fix.
func openError(path string, err error) error {
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) && sqliteErr.Code()&0xff == sqlite3.SQLITE_NOTADB {
		return fmt.Errorf("opening state database %s: %w "+
			"(move the file aside or choose another state path)", path, err)
	}

	return fmt.Errorf("opening state database %s: %w", path, err)
}

// migrate applies the migrations the database has not run yet, each in its
// own transaction together with the new user_version.
func (s *Store) migrate(ctx context.Context) error {
	for {
		done, err := s.migrateStep(ctx)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies the next migration and reports whether the schema
// was already current. Reading the version inside the write transaction
// keeps two processes that open the same file from running a step twice.
func (s *Store) migrateStep(ctx context.Context) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()

	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return false, fmt.Errorf("reading schema version: %w", err)
	}

	switch {
	case version > len(migrations):
		return false, fmt.Errorf("schema version %d is newer than this emailgend supports (%d): "+
			"upgrade emailgend or use another state path", version, len(migrations))
	case version == len(migrations):
		return true, tx.Commit()
	}

	if _, err := tx.ExecContext(ctx, migrations[version]); err != nil {
		return false, fmt.Errorf("migrating schema to version %d: %w", version+1, err)
	}

	// PRAGMA takes no bound parameters, and version is an integer.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version+1)); err != nil {
		return false, fmt.Errorf("setting schema version %d: %w", version+1, err)
	}

	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("committing schema version %d: %w", version+1, err)
	}

	return false, nil
}

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("closing state database %s: %w", s.path, err)
	}

	return nil
}
