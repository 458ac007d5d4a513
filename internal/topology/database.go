package topology

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/decnet/emailgend/internal/persona"
)

// defaultBusyTimeout is how long a query waits while another process holds
// a write lock on the DECNET database before it fails with SQLITE_BUSY.
const defaultBusyTimeout = 2 * time.Second

// personasQuery reads one topology's row. SQLite checks the schema when the
// statement is prepared, so a missing table or column fails here.
const personasQuery = `SELECT email_personas, language_default FROM topologies WHERE id = ?`

// DatabaseSource reads topology persona lists from the DECNET master's
// SQLite database: table topologies, keyed by id, with the JSON array of
// personas in email_personas and the default language in language_default.
// It opens the file read-only, so it never creates the file, never writes
// it and never takes a write lock on it.
//
// Every call queries the database, so an edited persona list takes effect
// on the next call. A list is parsed again only when its JSON text or its
// language changes, so the problems of one version are logged once.
//
// A DatabaseSource is safe for concurrent use. Calls are serialized, and
// each query waits at most the busy timeout for another process's write
// lock.
type DatabaseSource struct {
	path        string
	loc         *time.Location
	log         *zap.Logger
	busyTimeout time.Duration

	// mu guards the fields below and is held for a whole call, so two calls
	// for a changed list do not both log its problems.
	mu     sync.Mutex
	db     *sql.DB
	closed bool
	cache  map[string]cachedRow
}

// cachedRow is the parsed list of one topology together with the SHA-256
// of the language and JSON text it was parsed from.
type cachedRow struct {
	sum  [sha256.Size]byte
	list persona.List
}

// NewDatabaseSource returns a source that reads the SQLite database at
// path. Nothing is opened until the first call to Personas. Personas
// without a timezone use loc, the daemon's configured zone.
func NewDatabaseSource(path string, loc *time.Location, log *zap.Logger) *DatabaseSource {
	return &DatabaseSource{
		path:        path,
		loc:         loc,
		log:         log,
		busyTimeout: defaultBusyTimeout,
		cache:       make(map[string]cachedRow),
	}
}

// Personas returns the valid personas of a topology. Entries that break a
// persona rule are left out and logged as warnings once per version of the
// list. A NULL email_personas is an empty list. A topology with no row
// returns an empty list and an error that wraps ErrUnknownTopology.
//
// A missing database file returns an error that wraps fs.ErrNotExist. A
// database that stays locked, lacks the topologies table or its columns,
// or holds invalid JSON returns an error that names the file and the fix.
// Each later call tries again with a new connection.
func (s *DatabaseSource) Personas(ctx context.Context, topologyID string) (persona.List, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if topologyID == "" {
		return nil, errors.New("invalid topology id: empty")
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	db, err := s.handle()
	if err != nil {
		return nil, err
	}
	var personas, language sql.NullString
	err = db.QueryRowContext(ctx, personasQuery, topologyID).Scan(&personas, &language)
	if errors.Is(err, sql.ErrNoRows) {
		delete(s.cache, topologyID)
		return persona.List{}, fmt.Errorf("%w %q: no row in table topologies of %s",
			ErrUnknownTopology, topologyID, s.path)
	}
	if err != nil {
		return nil, s.queryError(topologyID, err)
	}

	// DECNET's column defaults to '[]'. A NULL written by other tools
	// means the same.
	text := "[]"
	if personas.Valid {
		text = personas.String
	}
	list, err := s.parse(topologyID, text, language.String)
	if err != nil {
		delete(s.cache, topologyID)
		return nil, fmt.Errorf("loading personas of topology %q from column email_personas of %s: %w",
			topologyID, s.path, err)
	}
	return list, nil
}

// handle returns the connection pool, creating it on first use. The pool
// keeps no idle connection, so each call opens the path again and reads a
// database that was deleted, replaced by rename or created since the last
// call. BenchmarkDatabasePersonas measures a call, new connection included.
func (s *DatabaseSource) handle() (*sql.DB, error) {
	if s.closed {
		return nil, fmt.Errorf("reading DECNET database %s: source is closed", s.path)
	}
	if s.db != nil {
		return s.db, nil
	}

	abs, err := filepath.Abs(s.path)
	if err != nil {
		return nil, fmt.Errorf("opening DECNET database %s: %w", s.path, err)
	}
	// SQLite receives a file: URI whole and applies mode=ro, so it opens the
	// file read-only and fails instead of creating it. url.URL escapes '?',
	// '#' and '%' in the path.
	//
	// NOTE: on a database in WAL mode whose -wal and -shm files are absent
	// (no other connection open), SQLite creates both beside it, even for a
	// read-only connection, and leaves them after closing.
	dsn := url.URL{
		Scheme:   "file",
		Path:     filepath.ToSlash(abs),
		RawQuery: fmt.Sprintf("mode=ro&_pragma=busy_timeout(%d)", s.busyTimeout.Milliseconds()),
	}
	db, err := sql.Open("sqlite", dsn.String())
	if err != nil {
		return nil, fmt.Errorf("opening DECNET database %s: %w", s.path, err)
	}
	db.SetMaxIdleConns(0)
	s.db = db
	return db, nil
}

// parse returns the list for one row, from the cache when the row is
// unchanged, and logs the problems of a new version.
func (s *DatabaseSource) parse(topologyID, text, languageTag string) (persona.List, error) {
	sum := sha256.Sum256([]byte(languageTag + "\x00" + text))
	if cached, ok := s.cache[topologyID]; ok && cached.sum == sum {
		return cached.list, nil
	}

	def := persona.Defaults{
		Language: normalizeDefaultLanguage(s.log, topologyID, languageTag),
		Location: s.loc,
	}
	list, problems, err := persona.Parse([]byte(text), def)
	if err != nil {
		return nil, err
	}
	logProblems(s.log, topologyID, problems)
	s.cache[topologyID] = cachedRow{sum: sum, list: list}
	return list, nil
}

// queryError names the file in a failed query and adds what to do for the
// failures an operator can fix.
func (s *DatabaseSource) queryError(topologyID string, err error) error {
	var sqliteErr *sqlite.Error
	if !errors.As(err, &sqliteErr) {
		return fmt.Errorf("reading topology %q from DECNET database %s: %w", topologyID, s.path, err)
	}

	switch sqliteErr.Code() & 0xff {
	case sqlite3.SQLITE_CANTOPEN:
		// SQLite reports only "unable to open", so look for the cause.
		if _, statErr := os.Stat(s.path); errors.Is(statErr, fs.ErrNotExist) {
			return fmt.Errorf("opening DECNET database %s: %w "+
				"(set the path of the DECNET master's database, which emailgend never creates)",
				s.path, fs.ErrNotExist)
		}
		return fmt.Errorf("opening DECNET database %s: %w "+
			"(make the file and its folder readable by emailgend)", s.path, err)
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("reading topology %q from DECNET database %s: %w "+
			"(another process held a write lock for more than %v, and the next call tries again)",
			topologyID, s.path, err, s.busyTimeout)
	case sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("opening DECNET database %s: %w "+
			"(set the path of the DECNET master's SQLite database)", s.path, err)
	case sqlite3.SQLITE_ERROR:
		// SQLite has no result code of its own for a missing table or
		// column, only these messages.
		msg := sqliteErr.Error()
		if strings.Contains(msg, "no such table") || strings.Contains(msg, "no such column") {
			return fmt.Errorf("reading topology %q from DECNET database %s: %w "+
				"(expected table topologies with columns id, email_personas and language_default, "+
				"so set the path of the DECNET master's database or upgrade DECNET)",
				topologyID, s.path, err)
		}
	}
	return fmt.Errorf("reading topology %q from DECNET database %s: %w", topologyID, s.path, err)
}

// Close closes the database connections. Personas fails after Close.
// Calling Close again does nothing.
func (s *DatabaseSource) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.closed = true
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return fmt.Errorf("closing DECNET database %s: %w", s.path, err)
	}
	return nil
}
