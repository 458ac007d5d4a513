// Package topology resolves the persona lists that MazeNET topologies own.
// A topology decky uses its topology's list and default language instead
// of the global pool.
package topology

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/persona"
)

// ErrUnknownTopology is wrapped when no persona file exists for a topology.
var ErrUnknownTopology = errors.New("unknown topology")

// FolderSource reads topology persona lists from a folder that holds one
// <topology id>.json file per topology, shaped as
// {"language_default": "es", "personas": [...]}. A missing language_default
// means "en".
//
// Parsed lists are cached per file and reused while the file keeps its
// modification time, size and identity, so the problems of a file are
// logged once. A FolderSource is safe for concurrent use.
type FolderSource struct {
	dir string
	loc *time.Location
	log *zap.Logger

	// mu guards cache and is held while a file is read and parsed, so two
	// calls for a changed file do not both log its problems.
	mu    sync.Mutex
	cache map[string]cachedList
}

type cachedList struct {
	info fs.FileInfo
	list persona.List
}

// NewFolderSource returns a source that reads dir. Personas without a
// timezone use loc, the daemon's configured zone.
func NewFolderSource(dir string, loc *time.Location, log *zap.Logger) *FolderSource {
	return &FolderSource{dir: dir, loc: loc, log: log, cache: make(map[string]cachedList)}
}

// Personas returns the valid personas of a topology. Entries that break a
// persona rule are left out and logged as warnings when the file is first
// read. A topology with no file returns an empty list and an error that
// wraps ErrUnknownTopology. A file that is not valid JSON returns an error
// naming the file.
func (s *FolderSource) Personas(ctx context.Context, topologyID string) (persona.List, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkID(topologyID); err != nil {
		return nil, err
	}
	path := filepath.Join(s.dir, topologyID+".json")

	s.mu.Lock()
	defer s.mu.Unlock()

	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		delete(s.cache, topologyID)
		return persona.List{}, fmt.Errorf("%w %q: no persona file at %s", ErrUnknownTopology, topologyID, path)
	}
	if err != nil {
		delete(s.cache, topologyID)
		return nil, fmt.Errorf("opening personas of topology %q: %w", topologyID, err)
	}
	defer f.Close()

	// Stat the open file rather than the path, so the cache key describes
	// the bytes read below even if the file is replaced in between.
	info, err := f.Stat()
	if err != nil {
		delete(s.cache, topologyID)
		return nil, fmt.Errorf("reading personas of topology %q: %w", topologyID, err)
	}
	if cached, ok := s.cache[topologyID]; ok && sameFile(cached.info, info) {
		return cached.list, nil
	}

	// NOTE: a rewrite that keeps the size and lands within the file
	// system's timestamp resolution is not noticed until the next change.
	data, err := io.ReadAll(f)
	if err != nil {
		delete(s.cache, topologyID)
		return nil, fmt.Errorf("reading personas of topology %q from %s: %w", topologyID, path, err)
	}
	list, err := s.parse(topologyID, data)
	if err != nil {
		delete(s.cache, topologyID)
		return nil, fmt.Errorf("loading personas of topology %q from %s: %w", topologyID, path, err)
	}

	s.cache[topologyID] = cachedList{info: info, list: list}
	return list, nil
}

// parse decodes one topology file and logs its problems. Keys are matched
// case-sensitively, as in persona entries.
func (s *FolderSource) parse(topologyID string, data []byte) (persona.List, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) {
			return nil, fmt.Errorf("invalid JSON at byte %d: %w", syntaxErr.Offset, err)
		}
		return nil, errors.New(`not a JSON object with a "personas" list`)
	}
	personas, ok := fields["personas"]
	if !ok {
		return nil, errors.New(`missing "personas" list`)
	}

	def := persona.Defaults{
		Language: s.defaultLanguage(topologyID, fields["language_default"]),
		Location: s.loc,
	}
	list, problems, err := persona.Parse(personas, def)
	if err != nil {
		return nil, fmt.Errorf("field \"personas\": %w", err)
	}
	logProblems(s.log, topologyID, problems)
	return list, nil
}

// defaultLanguage reads language_default. A value that is not a string is
// logged and replaced by persona.DefaultLanguage, like an invalid code.
func (s *FolderSource) defaultLanguage(topologyID string, raw json.RawMessage) string {
	if raw == nil || string(raw) == "null" {
		return persona.DefaultLanguage
	}
	var tag string
	if err := json.Unmarshal(raw, &tag); err != nil {
		warnLanguage(s.log, topologyID, fmt.Sprintf("must be a string (got %s)", raw))
		return persona.DefaultLanguage
	}
	return normalizeDefaultLanguage(s.log, topologyID, tag)
}

// checkID rejects ids that could name a file outside the folder or a
// hidden file.
func checkID(id string) error {
	switch {
	case id == "":
		return errors.New("invalid topology id: empty")
	case strings.ContainsAny(id, `/\`) || strings.ContainsRune(id, filepath.Separator):
		return fmt.Errorf("invalid topology id %q: contains a path separator", id)
	case strings.HasPrefix(id, "."):
		return fmt.Errorf("invalid topology id %q: starts with a dot", id)
	case strings.ContainsRune(id, 0):
		return fmt.Errorf("invalid topology id %q: contains a NUL byte", id)
	}
	return nil
}

func sameFile(a, b fs.FileInfo) bool {
	return a.ModTime().Equal(b.ModTime()) && a.Size() == b.Size() && os.SameFile(a, b)
}
