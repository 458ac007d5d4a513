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

	// mu serializes Load, so that the hash check and the swap act on the
	// same read of the file.
	mu sync.Mutex
	// loadedHash is the SHA-256 of the file content in force, valid when
	// hasHash is true. A bad file never replaces it, so writing the good
	// content back is recognized as unchanged.
	loadedHash [sha256.Size]byte
	hasHash    bool
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
// error level and is returned as the error. A file whose bytes equal those of
// the list in force changes nothing and logs nothing.
func (p *Pool) Load() error {
	p.mu.Lock()
	defer p.mu.Unlock()

	data, err := os.ReadFile(p.path)
	if errors.Is(err, fs.ErrNotExist) {
		p.personas.Store(&persona.List{})
		p.hasHash = false
		p.log.Warn("persona file not found, the global pool is empty", zap.String("path", p.path))
		return nil
	}
	if err != nil {
		p.log.Error("reading persona file, keeping the current pool", zap.String("path", p.path), zap.Error(err))
		return fmt.Errorf("reading persona file %s: %w", p.path, err)
	}

	hash := sha256.Sum256(data)
	if p.hasHash && hash == p.loadedHash {
		return nil
	}

	list, problems, err := persona.Parse(data, p.defaults)
	if err != nil {
		p.log.Error("invalid persona file, keeping the current pool", zap.String("path", p.path), zap.Error(err))
		return fmt.Errorf("loading personas from %s: %w", p.path, err)
	}

	p.personas.Store(&list)
	p.loadedHash, p.hasHash = hash, true
	p.logLoaded(list, problems)
	return nil
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
