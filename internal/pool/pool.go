// Package pool holds the global persona pool: the host-wide persona list
// that fleet deckies and shards use, read from one JSON file and reloaded
// when that file changes.
package pool

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/persona"
)

// EnvPath is the environment variable that names the pool file.
const EnvPath = "DECNET_EMAILGEN_PERSONAS"

// etcDir is the system configuration folder of DECNET. Its presence selects
// the system-wide pool file.
const etcDir = "/etc/decnet"

const fileName = "email_personas.json"

// Path returns the pool file to use: the value of DECNET_EMAILGEN_PERSONAS
// when set, else email_personas.json in /etc/decnet when that folder
// exists, else in the .decnet folder under home.
func Path(getenv func(string) string, home string) string {
	return pathWithEtc(getenv, home, etcDir)
}

func pathWithEtc(getenv func(string) string, home, etc string) string {
	if p := getenv(EnvPath); p != "" {
		return p
	}
	if info, err := os.Stat(etc); err == nil && info.IsDir() {
		return filepath.Join(etc, fileName)
	}
	return filepath.Join(home, ".decnet", fileName)
}

// Pool is the global persona list, read from one file. The current list
// is swapped atomically, so Personas never waits for a Load and never
// returns a half-loaded list. A Pool is safe for concurrent use.
type Pool struct {
	path     string
	defaults persona.Defaults
	log      *zap.Logger

	personas atomic.Pointer[persona.List]
	reloads  atomic.Uint64

	// mu serializes loads, so that the hash checks and the swap act on the
	// same read of the file.
	mu sync.Mutex
	// loadedHash is the SHA-256 of the file content in force, valid when
	// hasHash is true. A bad file never replaces it, so writing the good
	// content back is recognized as unchanged.
	loadedHash [sha256.Size]byte
	hasHash    bool
	// missing is true while the empty pool in force comes from a missing
	// file, so that further reads of the missing file log nothing.
	missing bool
	// rejectedHash and rejectedErr describe the last content that failed to
	// parse, valid when hasRejected is true. Reading the same bad content
	// again returns rejectedErr without logging it a second time.
	rejectedHash [sha256.Size]byte
	rejectedErr  error
	hasRejected  bool
	// readErr is the message of the last error reading the file, or ""
	// after a read that succeeded or found no file. The same error read
	// again is returned without being logged, because the daemon's own log
	// file in the pool folder makes every log line a new folder event.
	readErr string

	// onReload, set by OnReload, reports each reload's outcome.
	onReload func(ok bool, personas int)

	// swapHook, when set by a test before any load, is called with each
	// list put in force, while mu is held.
	swapHook func(persona.List)
	// settleHook, when set by a test before Watch starts, is called by the
	// watch loop after each load it runs, with the names of the events that
	// led to it (none for the first load).
	settleHook func(names []string)
}

// New returns an empty pool that reads path on each Load. The defaults fill
// the language and timezone of entries that leave them out.
func New(path string, def persona.Defaults, log *zap.Logger) *Pool {
	p := &Pool{path: path, defaults: def, log: log}
	p.personas.Store(&persona.List{})
	return p
}

// Path returns the file the pool is read from.
func (p *Pool) Path() string {
	return p.path
}

// Personas returns the list currently in force. The caller must not modify
// it, because other goroutines share it.
func (p *Pool) Personas() persona.List {
	return *p.personas.Load()
}

// Load reads the pool file and puts its valid personas in force.
//
// A missing file empties the pool. A file that cannot be read, is not valid
// JSON or is not a list leaves the current pool in force, is logged at
// error level and is returned as the error. Content that equals the list in
// force changes nothing and logs nothing. The same holds for a file that is
// still missing. The same invalid content or the same read error twice in
// a row returns its error again without logging it again.
func (p *Pool) Load() error {
	return p.load(false)
}

// ForceLoad reads the pool file and puts its valid personas in force even
// when its content equals the list in force. The daemon calls it on SIGHUP.
// It logs and fails like Load.
func (p *Pool) ForceLoad() error {
	return p.load(true)
}

// OnReload sets f to be called after each load that put a list in force
// (ok true, with its size) or that failed (ok false, with the size of the
// list kept in force). Loads that found nothing new do not call it. Set it
// before the first Load; f must not call back into the pool.
func (p *Pool) OnReload(f func(ok bool, personas int)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onReload = f
}

// Reloads returns how many times a list has been put in force, counting the
// first load and the empty list that a missing file puts in force.
func (p *Pool) Reloads() uint64 {
	return p.reloads.Load()
}

func (p *Pool) load(force bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()

	data, err := os.ReadFile(p.path)
	if errors.Is(err, fs.ErrNotExist) {
		p.readErr = ""
		if p.missing && !force {
			return nil
		}
		p.swap(&persona.List{})
		p.hasHash, p.missing, p.hasRejected = false, true, false
		p.log.Warn("persona file not found, the global pool is empty", zap.String("path", p.path))
		return nil
	}
	if err != nil {
		wrapped := fmt.Errorf("reading persona file %s: %w", p.path, err)
		if !force && err.Error() == p.readErr {
			return wrapped
		}
		p.readErr = err.Error()
		p.log.Error("reading persona file, keeping the current pool", zap.String("path", p.path), zap.Error(err))
		p.reportReload(false)
		return wrapped
	}
	p.readErr = ""

	hash := sha256.Sum256(data)
	if !force && p.hasHash && hash == p.loadedHash {
		return nil
	}
	if !force && p.hasRejected && hash == p.rejectedHash {
		return p.rejectedErr
	}

	list, problems, err := persona.Parse(data, p.defaults)
	if err != nil {
		p.log.Error("invalid persona file, keeping the current pool", zap.String("path", p.path), zap.Error(err))
		err = fmt.Errorf("loading personas from %s: %w", p.path, err)
		p.rejectedHash, p.rejectedErr, p.hasRejected = hash, err, true
		p.reportReload(false)
		return err
	}

	p.swap(&list)
	p.loadedHash, p.hasHash = hash, true
	p.missing, p.hasRejected = false, false
	p.logLoaded(list, problems)
	return nil
}

// swap puts list in force. The caller holds mu.
func (p *Pool) swap(list *persona.List) {
	p.personas.Store(list)
	p.reloads.Add(1)
	p.reportReload(true)
	if p.swapHook != nil {
		p.swapHook(*list)
	}
}

// reportReload calls the OnReload function. The caller holds mu.
func (p *Pool) reportReload(ok bool) {
	if p.onReload != nil {
		p.onReload(ok, len(*p.personas.Load()))
	}
}

func (p *Pool) logLoaded(list persona.List, problems []persona.Problem) {
	dropped := make(map[int]bool)
	for _, problem := range problems {
		if problem.Dropped {
			dropped[problem.Index] = true
		}
		p.log.Warn("persona entry has a problem",
			zap.String("path", p.path),
			zap.Int("index", problem.Index),
			zap.String("field", problem.Field),
			zap.String("reason", problem.Reason),
			zap.Bool("dropped", problem.Dropped),
		)
	}

	p.log.Info("global persona pool loaded",
		zap.String("path", p.path),
		zap.Int("loaded", len(list)),
		zap.Int("dropped", len(dropped)),
	)
	if len(list) < 2 {
		p.log.Warn("fewer than two personas in the global pool, so fleet deckies get no mail",
			zap.String("path", p.path), zap.Int("loaded", len(list)))
	}
}
