package topology

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/decnet/emailgend/internal/persona"
)

// decnetSchema is the topologies table as the DECNET master creates it,
// trimmed to the columns emailgend reads and two it ignores.
const decnetSchema = `CREATE TABLE topologies (
	id TEXT PRIMARY KEY,
	name TEXT,
	email_personas TEXT NOT NULL DEFAULT '[]',
	language_default TEXT NOT NULL DEFAULT 'en',
	created_at TEXT
)`

// nullableSchema allows NULL in both columns, as a hand-made or older
// database might.
const nullableSchema = `CREATE TABLE topologies (
	id TEXT PRIMARY KEY,
	email_personas TEXT,
	language_default TEXT
)`

const spanishPersonas = `[
	{"name": "Ana Ruiz", "email": "ana@acme.es", "role": "CFO"},
	{"name": "Luis Gil", "email": "luis@acme.es", "role": "CTO", "language": "ca", "timezone": "Atlantic/Canary"},
	{"name": "Bob", "email": "bob@localhost", "role": "Clerk"}
]`

const onePersona = `[{"name": "Ana Ruiz", "email": "ana@acme.es", "role": "CFO"}]`

// newDatabaseTestSource returns a source for a database file that does not
// exist yet, with a short busy timeout so lock tests run fast.
func newDatabaseTestSource(t *testing.T) (*DatabaseSource, string, *observer.ObservedLogs) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "decnet.db")
	core, logs := observer.New(zapcore.DebugLevel)
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatalf("loading time zone: %v", err)
	}
	src := NewDatabaseSource(path, madrid, zap.New(core))
	src.busyTimeout = 100 * time.Millisecond
	t.Cleanup(func() {
		if err := src.Close(); err != nil {
			t.Errorf("closing source: %v", err)
		}
	})
	return src, path, logs
}

// openWriter opens a read-write connection pool on path, creating the file,
// as the DECNET master does.
func openWriter(t *testing.T, path string) *sql.DB {
	t.Helper()
	dsn := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	db, err := sql.Open("sqlite", dsn.String())
	if err != nil {
		t.Fatalf("opening %s for writing: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// createDatabase creates the file at path with the given schema and returns
// a write connection pool on it.
func createDatabase(t *testing.T, path, schema string) *sql.DB {
	t.Helper()
	db := openWriter(t, path)
	mustExec(t, db, schema)
	return db
}

func mustExec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("executing %q: %v", query, err)
	}
}

// insertTopology adds a row. A nil personas or language is stored as NULL.
func insertTopology(t *testing.T, db *sql.DB, id string, personas, language any) {
	t.Helper()
	mustExec(t, db, `INSERT INTO topologies (id, email_personas, language_default) VALUES (?, ?, ?)`,
		id, personas, language)
}

func TestDatabasePersonasReadsRow(t *testing.T) {
	src, path, logs := newDatabaseTestSource(t)
	db := createDatabase(t, path, decnetSchema)
	insertTopology(t, db, "corp-hq", spanishPersonas, "es")

	list, err := src.Personas(context.Background(), "corp-hq")
	if err != nil {
		t.Fatalf("Personas: %v", err)
	}
	want := []summary{
		{Email: "ana@acme.es", Language: "es", Timezone: "Europe/Madrid"},
		{Email: "luis@acme.es", Language: "ca", Timezone: "Atlantic/Canary"},
	}
	if diff := cmp.Diff(want, summarize(list)); diff != "" {
		t.Errorf("personas (-want +got):\n%s", diff)
	}

	entries := logs.TakeAll()
	if len(entries) != 1 {
		t.Fatalf("got %d log entries, want 1: %v", len(entries), entries)
	}
	if entries[0].Level != zapcore.WarnLevel {
		t.Errorf("log level = %v, want warn", entries[0].Level)
	}
	wantFields := map[string]any{
		"topology": "corp-hq",
		"index":    int64(2),
		"field":    "email",
		"reason":   `must look like local@domain with a dot in the domain (got "bob@localhost")`,
		"dropped":  true,
	}
	if diff := cmp.Diff(wantFields, entries[0].ContextMap()); diff != "" {
		t.Errorf("log fields (-want +got):\n%s", diff)
	}
}

func TestDatabasePersonasColumnDefaults(t *testing.T) {
	src, path, logs := newDatabaseTestSource(t)
	db := createDatabase(t, path, decnetSchema)
	mustExec(t, db, `INSERT INTO topologies (id, name) VALUES ('fresh', 'Fresh')`)

	list, err := src.Personas(context.Background(), "fresh")
	if err != nil {
		t.Fatalf("Personas: %v", err)
	}
	if list == nil || len(list) != 0 {
		t.Errorf("list = %#v, want an empty list", list)
	}
	if got := logs.Len(); got != 0 {
		t.Errorf("got %d log entries, want none: %v", got, logs.All())
	}
}

func TestDatabasePersonasSeesUpdate(t *testing.T) {
	src, path, logs := newDatabaseTestSource(t)
	db := createDatabase(t, path, decnetSchema)
	insertTopology(t, db, "corp-hq", spanishPersonas, "es")
	if _, err := src.Personas(context.Background(), "corp-hq"); err != nil {
		t.Fatalf("first Personas: %v", err)
	}
	handle := src.db
	logs.TakeAll()

	mustExec(t, db, `UPDATE topologies SET email_personas = ?, language_default = 'fr' WHERE id = 'corp-hq'`,
		`[
			{"name": "Claire Petit", "email": "claire@acme.fr", "role": "COO"},
			{"name": "Bad", "email": "bad", "role": "x"}
		]`)
	list, err := src.Personas(context.Background(), "corp-hq")
	if err != nil {
		t.Fatalf("Personas after update: %v", err)
	}
	want := []summary{{Email: "claire@acme.fr", Language: "fr", Timezone: "Europe/Madrid"}}
	if diff := cmp.Diff(want, summarize(list)); diff != "" {
		t.Errorf("personas (-want +got):\n%s", diff)
	}
	if src.db != handle {
		t.Error("source replaced its connection pool, want the update read through the same pool")
	}
	if got := logs.FilterField(zap.Int("index", 1)).Len(); got != 1 {
		t.Errorf("got %d warnings for the new bad entry, want 1", got)
	}
}

func TestDatabasePersonasLogsProblemsOnce(t *testing.T) {
	src, path, logs := newDatabaseTestSource(t)
	db := createDatabase(t, path, decnetSchema)
	insertTopology(t, db, "corp-hq", spanishPersonas, "es")

	for i := range 3 {
		if _, err := src.Personas(context.Background(), "corp-hq"); err != nil {
			t.Fatalf("Personas call %d: %v", i, err)
		}
	}
	if got := logs.Len(); got != 1 {
		t.Fatalf("got %d log entries after three calls on one version, want 1", got)
	}

	// A new language is a new version of the list even with the same JSON.
	mustExec(t, db, `UPDATE topologies SET language_default = 'pt' WHERE id = 'corp-hq'`)
	list, err := src.Personas(context.Background(), "corp-hq")
	if err != nil {
		t.Fatalf("Personas after language change: %v", err)
	}
	if got := list[0].Language; got != "pt" {
		t.Errorf("language = %q, want pt", got)
	}
	if got := logs.Len(); got != 2 {
		t.Errorf("got %d log entries after the language change, want 2", got)
	}
}

func TestDatabasePersonasLanguageDefault(t *testing.T) {
	tests := []struct {
		name     string
		setting  any
		want     string
		wantWarn bool
	}{
		{name: "NULL", setting: nil, want: "en"},
		{name: "empty", setting: "", want: "en"},
		{name: "spanish", setting: "es", want: "es"},
		{name: "portuguese region", setting: "pt-BR", want: "pt"},
		{name: "upper case", setting: "DE", want: "de"},
		{name: "invalid", setting: "Spanish", want: "en", wantWarn: true},
		{name: "too long", setting: "es-ES-valencia", want: "en", wantWarn: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, path, logs := newDatabaseTestSource(t)
			db := createDatabase(t, path, nullableSchema)
			insertTopology(t, db, "t1", onePersona, tc.setting)

			// Two calls, so a warning logged on every call would show.
			for range 2 {
				list, err := src.Personas(context.Background(), "t1")
				if err != nil {
					t.Fatalf("Personas: %v", err)
				}
				if len(list) != 1 {
					t.Fatalf("got %d personas, want 1", len(list))
				}
				if list[0].Language != tc.want {
					t.Errorf("language = %q, want %q", list[0].Language, tc.want)
				}
			}

			warnings := logs.FilterField(zap.String("field", "language_default")).All()
			wantCount := 0
			if tc.wantWarn {
				wantCount = 1
			}
			if len(warnings) != wantCount {
				t.Errorf("got %d language_default warnings, want %d", len(warnings), wantCount)
			}
		})
	}
}

func TestDatabasePersonasNullList(t *testing.T) {
	src, path, logs := newDatabaseTestSource(t)
	db := createDatabase(t, path, nullableSchema)
	insertTopology(t, db, "t1", nil, "es")

	list, err := src.Personas(context.Background(), "t1")
	if err != nil {
		t.Fatalf("Personas: %v", err)
	}
	if list == nil || len(list) != 0 {
		t.Errorf("list = %#v, want an empty list", list)
	}
	if got := logs.Len(); got != 0 {
		t.Errorf("got %d log entries, want none: %v", got, logs.All())
	}
}

func TestDatabasePersonasUnknownTopology(t *testing.T) {
	src, path, _ := newDatabaseTestSource(t)
	db := createDatabase(t, path, decnetSchema)
	insertTopology(t, db, "corp-hq", spanishPersonas, "es")

	list, err := src.Personas(context.Background(), "ghost")
	if !errors.Is(err, ErrUnknownTopology) {
		t.Fatalf("Personas error = %v, want ErrUnknownTopology", err)
	}
	if !strings.Contains(err.Error(), `"ghost"`) {
		t.Errorf("error %q does not name the topology", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the database %s", err, path)
	}
	if list == nil || len(list) != 0 {
		t.Errorf("list = %#v, want an empty list", list)
	}
}

func TestDatabasePersonasDeletedRow(t *testing.T) {
	src, path, _ := newDatabaseTestSource(t)
	db := createDatabase(t, path, decnetSchema)
	insertTopology(t, db, "corp-hq", spanishPersonas, "es")
	if _, err := src.Personas(context.Background(), "corp-hq"); err != nil {
		t.Fatalf("first Personas: %v", err)
	}

	mustExec(t, db, `DELETE FROM topologies WHERE id = 'corp-hq'`)
	if _, err := src.Personas(context.Background(), "corp-hq"); !errors.Is(err, ErrUnknownTopology) {
		t.Errorf("Personas error = %v, want ErrUnknownTopology", err)
	}
	if _, cached := src.cache["corp-hq"]; cached {
		t.Error("deleted topology left a cache entry")
	}
}

func TestDatabasePersonasEmptyID(t *testing.T) {
	src, _, _ := newDatabaseTestSource(t)

	_, err := src.Personas(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), "invalid topology id") {
		t.Errorf("Personas error = %v, want an invalid topology id error", err)
	}
}

func TestDatabasePersonasMissingFile(t *testing.T) {
	src, path, _ := newDatabaseTestSource(t)

	list, err := src.Personas(context.Background(), "corp-hq")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Personas error = %v, want fs.ErrNotExist", err)
	}
	if errors.Is(err, ErrUnknownTopology) {
		t.Errorf("error %v wraps ErrUnknownTopology, want a missing database error", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the database %s", err, path)
	}
	if len(list) != 0 {
		t.Errorf("got %d personas, want none", len(list))
	}
	if _, statErr := os.Stat(path); !errors.Is(statErr, fs.ErrNotExist) {
		t.Fatalf("stat %s after Personas = %v, want the file still missing", path, statErr)
	}

	db := createDatabase(t, path, decnetSchema)
	insertTopology(t, db, "corp-hq", onePersona, "es")
	list, err = src.Personas(context.Background(), "corp-hq")
	if err != nil {
		t.Fatalf("Personas after the file was created: %v", err)
	}
	if len(list) != 1 {
		t.Errorf("got %d personas after the file was created, want 1", len(list))
	}
}

func TestDatabasePersonasReplacedFile(t *testing.T) {
	src, path, _ := newDatabaseTestSource(t)
	db := createDatabase(t, path, decnetSchema)
	insertTopology(t, db, "corp-hq", onePersona, "es")
	if _, err := src.Personas(context.Background(), "corp-hq"); err != nil {
		t.Fatalf("first Personas: %v", err)
	}

	next := filepath.Join(filepath.Dir(path), "next.db")
	nextDB := createDatabase(t, next, decnetSchema)
	insertTopology(t, nextDB, "corp-hq", strings.ReplaceAll(onePersona, "ana@", "eva@"), "es")
	if err := os.Rename(next, path); err != nil {
		t.Fatalf("renaming: %v", err)
	}

	list, err := src.Personas(context.Background(), "corp-hq")
	if err != nil {
		t.Fatalf("Personas after rename: %v", err)
	}
	if _, ok := list.ByEmail("eva@acme.es"); !ok {
		t.Errorf("personas %v do not include the replacement's eva@acme.es", summarize(list))
	}
}

// lockExclusive starts an exclusive transaction on its own connection, as a
// DECNET master in the middle of a write does, and returns the function
// that ends it.
func lockExclusive(t *testing.T, db *sql.DB) (unlock func()) {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatalf("getting a connection: %v", err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatalf("BEGIN EXCLUSIVE: %v", err)
	}
	var once sync.Once
	unlock = func() {
		once.Do(func() {
			if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
				t.Errorf("ROLLBACK: %v", err)
			}
			conn.Close()
		})
	}
	t.Cleanup(unlock)
	return unlock
}

func TestDatabasePersonasLocked(t *testing.T) {
	src, path, _ := newDatabaseTestSource(t)
	db := createDatabase(t, path, decnetSchema)
	insertTopology(t, db, "corp-hq", onePersona, "es")
	unlock := lockExclusive(t, db)

	list, err := src.Personas(context.Background(), "corp-hq")
	var sqliteErr *sqlite.Error
	if !errors.As(err, &sqliteErr) {
		t.Fatalf("Personas error = %v, want a *sqlite.Error", err)
	}
	if got := sqliteErr.Code() & 0xff; got != sqlite3.SQLITE_BUSY {
		t.Errorf("SQLite result code = %d, want SQLITE_BUSY (%d)", got, sqlite3.SQLITE_BUSY)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the database %s", err, path)
	}
	if !strings.Contains(err.Error(), "write lock") {
		t.Errorf("error %q does not explain the lock", err)
	}
	if len(list) != 0 {
		t.Errorf("got %d personas with the error, want none", len(list))
	}

	unlock()
	list, err = src.Personas(context.Background(), "corp-hq")
	if err != nil {
		t.Fatalf("Personas after unlock: %v", err)
	}
	if len(list) != 1 {
		t.Errorf("got %d personas after unlock, want 1", len(list))
	}
}

func TestDatabasePersonasWaitsForShortLock(t *testing.T) {
	src, path, _ := newDatabaseTestSource(t)
	src.busyTimeout = 10 * time.Second
	db := createDatabase(t, path, decnetSchema)
	insertTopology(t, db, "corp-hq", onePersona, "es")
	unlock := lockExclusive(t, db)

	timer := time.AfterFunc(100*time.Millisecond, unlock)
	defer timer.Stop()
	if _, err := src.Personas(context.Background(), "corp-hq"); err != nil {
		t.Errorf("Personas with a lock released after 100ms: %v", err)
	}
}

func TestDatabasePersonasInvalidList(t *testing.T) {
	tests := []struct {
		name     string
		personas string
		check    func(t *testing.T, err error)
	}{
		{
			name:     "syntax error",
			personas: `[{"name": "Ana Ruiz"`,
			check: func(t *testing.T, err error) {
				var syntaxErr *json.SyntaxError
				if !errors.As(err, &syntaxErr) {
					t.Errorf("error = %v, want a *json.SyntaxError", err)
				}
			},
		},
		{
			name:     "empty text",
			personas: ``,
			check: func(t *testing.T, err error) {
				var syntaxErr *json.SyntaxError
				if !errors.As(err, &syntaxErr) {
					t.Errorf("error = %v, want a *json.SyntaxError", err)
				}
			},
		},
		{
			name:     "object",
			personas: `{"personas": []}`,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, persona.ErrNotList) {
					t.Errorf("error = %v, want persona.ErrNotList", err)
				}
			},
		},
		{
			name:     "JSON null",
			personas: `null`,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, persona.ErrNotList) {
					t.Errorf("error = %v, want persona.ErrNotList", err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, path, _ := newDatabaseTestSource(t)
			db := createDatabase(t, path, decnetSchema)
			insertTopology(t, db, "corp-hq", spanishPersonas, "es")
			if _, err := src.Personas(context.Background(), "corp-hq"); err != nil {
				t.Fatalf("first Personas: %v", err)
			}

			mustExec(t, db, `UPDATE topologies SET email_personas = ? WHERE id = 'corp-hq'`, tc.personas)
			list, err := src.Personas(context.Background(), "corp-hq")
			if err == nil {
				t.Fatalf("Personas = %d personas, want an error", len(list))
			}
			if !strings.Contains(err.Error(), `topology "corp-hq"`) {
				t.Errorf("error %q does not name the topology", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the database %s", err, path)
			}
			tc.check(t, err)
			if len(list) != 0 {
				t.Errorf("got %d personas with the error, want none from a stale cache", len(list))
			}
			if _, cached := src.cache["corp-hq"]; cached {
				t.Error("invalid list left a cache entry")
			}
		})
	}
}

func TestDatabasePersonasWrongSchema(t *testing.T) {
	tests := []struct {
		name   string
		schema string
	}{
		{name: "no table", schema: `CREATE TABLE deckies (id TEXT PRIMARY KEY)`},
		{name: "no email_personas", schema: `CREATE TABLE topologies (id TEXT PRIMARY KEY, language_default TEXT)`},
		{name: "no language_default", schema: `CREATE TABLE topologies (id TEXT PRIMARY KEY, email_personas TEXT)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, path, _ := newDatabaseTestSource(t)
			db := createDatabase(t, path, tc.schema)

			_, err := src.Personas(context.Background(), "corp-hq")
			if err == nil {
				t.Fatal("Personas returned no error, want a schema error")
			}
			if errors.Is(err, ErrUnknownTopology) {
				t.Errorf("error %v wraps ErrUnknownTopology, want a schema error", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the database %s", err, path)
			}
			if !strings.Contains(err.Error(), "expected table topologies") {
				t.Errorf("error %q does not name the expected table", err)
			}

			// Fixing the schema takes effect on the next call.
			mustExec(t, db, `DROP TABLE IF EXISTS topologies`)
			mustExec(t, db, decnetSchema)
			insertTopology(t, db, "corp-hq", onePersona, "es")
			if _, err := src.Personas(context.Background(), "corp-hq"); err != nil {
				t.Errorf("Personas after the schema was fixed: %v", err)
			}
		})
	}
}

func TestDatabasePersonasNotADatabase(t *testing.T) {
	src, path, _ := newDatabaseTestSource(t)
	junk := bytes.Repeat([]byte("not a database "), 100)
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}

	_, err := src.Personas(context.Background(), "corp-hq")
	var sqliteErr *sqlite.Error
	if !errors.As(err, &sqliteErr) || sqliteErr.Code()&0xff != sqlite3.SQLITE_NOTADB {
		t.Fatalf("Personas error = %v, want SQLITE_NOTADB", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the database %s", err, path)
	}
}

func TestDatabasePersonasLeavesFileUnchanged(t *testing.T) {
	src, path, _ := newDatabaseTestSource(t)
	db := createDatabase(t, path, decnetSchema)
	insertTopology(t, db, "corp-hq", spanishPersonas, "es")
	if err := db.Close(); err != nil {
		t.Fatalf("closing the writer: %v", err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}

	for _, id := range []string{"corp-hq", "ghost", "corp-hq"} {
		if _, err := src.Personas(context.Background(), id); err != nil && !errors.Is(err, ErrUnknownTopology) {
			t.Fatalf("Personas(%q): %v", id, err)
		}
	}

	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	if !bytes.Equal(before, after) {
		t.Error("database file changed while only read")
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatalf("listing folder: %v", err)
	}
	if len(entries) != 1 {
		t.Errorf("folder holds %v, want only %s", entries, filepath.Base(path))
	}
}

func TestDatabasePersonasSpecialPath(t *testing.T) {
	src, path, _ := newDatabaseTestSource(t)
	// SQLite URIs give '?', '#' and '%' a meaning, so the path must be
	// escaped in the file: URI.
	src.path = filepath.Join(filepath.Dir(path), "decnet ?#%41.db")
	db := createDatabase(t, src.path, decnetSchema)
	insertTopology(t, db, "corp-hq", onePersona, "es")

	list, err := src.Personas(context.Background(), "corp-hq")
	if err != nil {
		t.Fatalf("Personas: %v", err)
	}
	if len(list) != 1 {
		t.Errorf("got %d personas, want 1", len(list))
	}
}

func TestDatabasePersonasCanceledContext(t *testing.T) {
	src, path, _ := newDatabaseTestSource(t)
	db := createDatabase(t, path, decnetSchema)
	insertTopology(t, db, "corp-hq", onePersona, "es")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	if _, err := src.Personas(ctx, "corp-hq"); !errors.Is(err, context.Canceled) {
		t.Errorf("Personas error = %v, want context.Canceled", err)
	}
}

func TestDatabaseSourceClose(t *testing.T) {
	src, path, _ := newDatabaseTestSource(t)
	db := createDatabase(t, path, decnetSchema)
	insertTopology(t, db, "corp-hq", onePersona, "es")
	if _, err := src.Personas(context.Background(), "corp-hq"); err != nil {
		t.Fatalf("Personas: %v", err)
	}

	if err := src.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := src.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, err := src.Personas(context.Background(), "corp-hq")
	if err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Personas after Close error = %v, want a closed source error", err)
	}
}

func TestDatabasePersonasConcurrent(t *testing.T) {
	src, path, logs := newDatabaseTestSource(t)
	db := createDatabase(t, path, decnetSchema)
	insertTopology(t, db, "corp-hq", spanishPersonas, "es")
	insertTopology(t, db, "branch", onePersona, "fr")

	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := []string{"corp-hq", "branch"}[i%2]
			for range 20 {
				if _, err := src.Personas(context.Background(), id); err != nil {
					t.Errorf("Personas(%q): %v", id, err)
					return
				}
			}
		}()
	}
	wg.Wait()

	// corp-hq has one bad entry, and it must be logged once in total.
	if got := logs.FilterField(zap.String("topology", "corp-hq")).Len(); got != 1 {
		t.Errorf("got %d warnings for corp-hq, want 1", got)
	}
}

// BenchmarkDatabasePersonas measures one call, which opens a new read-only
// connection and runs one query on an unchanged row.
func BenchmarkDatabasePersonas(b *testing.B) {
	path := filepath.Join(b.TempDir(), "decnet.db")
	dsn := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	db, err := sql.Open("sqlite", dsn.String())
	if err != nil {
		b.Fatalf("opening: %v", err)
	}
	defer db.Close()
	for _, query := range []string{decnetSchema, fmt.Sprintf(
		`INSERT INTO topologies (id, email_personas) VALUES ('corp-hq', '%s')`, spanishPersonas)} {
		if _, err := db.Exec(query); err != nil {
			b.Fatalf("executing %q: %v", query, err)
		}
	}
	src := NewDatabaseSource(path, time.UTC, zap.NewNop())
	defer src.Close()

	for b.Loop() {
		if _, err := src.Personas(context.Background(), "corp-hq"); err != nil {
			b.Fatalf("Personas: %v", err)
		}
	}
}
