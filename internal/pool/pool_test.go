package pool

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/decnet/emailgend/internal/persona"
)

const twoPersonas = `[
	{"name": "Ana Ruiz", "email": "ana@example.com", "role": "CFO"},
	{"name": "Luis Gil", "email": "luis@example.com", "role": "CTO", "language": "pt-BR"}
]`

const threePersonasOneBad = `[
	{"name": "Ana Ruiz", "email": "ana@example.com", "role": "CFO"},
	{"name": "Bob", "email": "bob@localhost", "role": "Clerk"},
	{"name": "Eva Sanz", "email": "eva@example.com", "role": "HR"},
	{"name": "Eva Again", "email": "EVA@example.com", "role": "HR"}
]`

func TestPath(t *testing.T) {
	existingEtc := t.TempDir()
	fileAsEtc := filepath.Join(t.TempDir(), "decnet")
	writeFile(t, fileAsEtc, "not a folder")
	missingEtc := filepath.Join(t.TempDir(), "missing")

	tests := []struct {
		name string
		env  string
		etc  string
		want string
	}{
		{name: "environment wins", env: "/srv/personas.json", etc: existingEtc, want: "/srv/personas.json"},
		{name: "etc folder", etc: existingEtc, want: filepath.Join(existingEtc, "email_personas.json")},
		{name: "etc missing", etc: missingEtc, want: "/home/ops/.decnet/email_personas.json"},
		{name: "etc is a file", etc: fileAsEtc, want: "/home/ops/.decnet/email_personas.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(key string) string {
				if key == EnvPath {
					return tc.env
				}
				return ""
			}
			if got := pathWithEtc(getenv, "/home/ops", tc.etc); got != tc.want {
				t.Errorf("path = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPathUsesEnvironment(t *testing.T) {
	getenv := func(key string) string {
		if key == "DECNET_EMAILGEN_PERSONAS" {
			return "/run/personas.json"
		}
		return ""
	}
	if got := Path(getenv, "/home/ops"); got != "/run/personas.json" {
		t.Errorf("Path = %q, want /run/personas.json", got)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
}

func newTestPool(t *testing.T) (*Pool, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	path := filepath.Join(t.TempDir(), "email_personas.json")
	def := persona.Defaults{Language: "es", Location: time.UTC}
	return New(path, def, zap.New(core)), logs
}

func emails(list persona.List) []string {
	out := []string{}
	for _, p := range list {
		out = append(out, p.Email)
	}
	return out
}

// logEntry is the part of a log entry the tests compare.
type logEntry struct {
	Level   zapcore.Level
	Message string
	Fields  map[string]any
}

// takeLogs returns the entries logged since the last call, without the
// error field, whose text belongs to encoding/json.
func takeLogs(logs *observer.ObservedLogs) []logEntry {
	var out []logEntry
	for _, e := range logs.TakeAll() {
		fields := e.ContextMap()
		delete(fields, "error")
		out = append(out, logEntry{Level: e.Level, Message: e.Message, Fields: fields})
	}
	return out
}

func TestLoadGoodFile(t *testing.T) {
	p, logs := newTestPool(t)
	writeFile(t, p.Path(), twoPersonas)

	if err := p.Load(); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if diff := cmp.Diff([]string{"ana@example.com", "luis@example.com"}, emails(p.Personas())); diff != "" {
		t.Errorf("personas (-want +got):\n%s", diff)
	}
	if got := p.Personas()[1].Language; got != "pt" {
		t.Errorf("language = %q, want pt", got)
	}
	if got := p.Personas()[0].Language; got != "es" {
		t.Errorf("default language = %q, want es", got)
	}

	want := []logEntry{{
		Level:   zapcore.InfoLevel,
		Message: "global persona pool loaded",
		Fields:  map[string]any{"path": p.Path(), "loaded": int64(2), "dropped": int64(0)},
	}}
	if diff := cmp.Diff(want, takeLogs(logs)); diff != "" {
		t.Errorf("logs (-want +got):\n%s", diff)
	}
}

func TestLoadLogsProblems(t *testing.T) {
	p, logs := newTestPool(t)
	writeFile(t, p.Path(), threePersonasOneBad)

	if err := p.Load(); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if diff := cmp.Diff([]string{"ana@example.com", "eva@example.com"}, emails(p.Personas())); diff != "" {
		t.Errorf("personas (-want +got):\n%s", diff)
	}

	problem := func(index int, field, reason string) logEntry {
		return logEntry{
			Level:   zapcore.WarnLevel,
			Message: "persona entry has a problem",
			Fields: map[string]any{
				"path": p.Path(), "index": int64(index), "field": field, "reason": reason, "dropped": true,
			},
		}
	}
	want := []logEntry{
		problem(1, "email", `must look like local@domain with a dot in the domain (got "bob@localhost")`),
		problem(3, "email", `duplicates the address of persona 2 (got "EVA@example.com")`),
		{
			Level:   zapcore.InfoLevel,
			Message: "global persona pool loaded",
			Fields:  map[string]any{"path": p.Path(), "loaded": int64(2), "dropped": int64(2)},
		},
	}
	if diff := cmp.Diff(want, takeLogs(logs)); diff != "" {
		t.Errorf("logs (-want +got):\n%s", diff)
	}
}

func TestLoadWarnsFewerThanTwo(t *testing.T) {
	p, logs := newTestPool(t)
	writeFile(t, p.Path(), `[{"name": "Ana Ruiz", "email": "ana@example.com", "role": "CFO"}]`)

	if err := p.Load(); err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []logEntry{
		{
			Level:   zapcore.InfoLevel,
			Message: "global persona pool loaded",
			Fields:  map[string]any{"path": p.Path(), "loaded": int64(1), "dropped": int64(0)},
		},
		{
			Level:   zapcore.WarnLevel,
			Message: "fewer than two personas in the global pool, so fleet deckies get no mail",
			Fields:  map[string]any{"path": p.Path(), "loaded": int64(1)},
		},
	}
	if diff := cmp.Diff(want, takeLogs(logs)); diff != "" {
		t.Errorf("logs (-want +got):\n%s", diff)
	}
}

func TestLoadInvalidKeepsGoodPool(t *testing.T) {
	tests := []struct {
		name    string
		content string
		check   func(t *testing.T, err error)
	}{
		{
			name:    "syntax error",
			content: `[{"name": "Ana Ruiz",`,
			check: func(t *testing.T, err error) {
				var syntaxErr *json.SyntaxError
				if !errors.As(err, &syntaxErr) {
					t.Errorf("Load error = %v, want a *json.SyntaxError", err)
				}
			},
		},
		{
			name:    "not a list",
			content: `{"personas": []}`,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, persona.ErrNotList) {
					t.Errorf("Load error = %v, want persona.ErrNotList", err)
				}
			},
		},
		{
			name:    "empty file",
			content: ``,
			check: func(t *testing.T, err error) {
				var syntaxErr *json.SyntaxError
				if !errors.As(err, &syntaxErr) {
					t.Errorf("Load error = %v, want a *json.SyntaxError", err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, logs := newTestPool(t)
			writeFile(t, p.Path(), twoPersonas)
			if err := p.Load(); err != nil {
				t.Fatalf("first Load: %v", err)
			}
			logs.TakeAll()

			writeFile(t, p.Path(), tc.content)
			err := p.Load()
			if err == nil {
				t.Fatal("Load of an invalid file returned nil, want an error")
			}
			tc.check(t, err)

			if diff := cmp.Diff([]string{"ana@example.com", "luis@example.com"}, emails(p.Personas())); diff != "" {
				t.Errorf("personas after invalid write (-want +got):\n%s", diff)
			}

			entries := logs.TakeAll()
			if len(entries) != 1 {
				t.Fatalf("got %d log entries, want 1: %v", len(entries), entries)
			}
			entry := entries[0]
			if entry.Level != zapcore.ErrorLevel {
				t.Errorf("log level = %v, want error", entry.Level)
			}
			fields := entry.ContextMap()
			if fields["path"] != p.Path() {
				t.Errorf("log path = %v, want %s", fields["path"], p.Path())
			}
			if fields["error"] == nil || fields["error"] == "" {
				t.Errorf("log has no error field: %v", fields)
			}
		})
	}
}

func TestLoadGoodAfterInvalid(t *testing.T) {
	p, _ := newTestPool(t)
	writeFile(t, p.Path(), twoPersonas)
	if err := p.Load(); err != nil {
		t.Fatalf("first Load: %v", err)
	}
	writeFile(t, p.Path(), `[`)
	if err := p.Load(); err == nil {
		t.Fatal("Load of an invalid file returned nil, want an error")
	}

	writeFile(t, p.Path(), threePersonasOneBad)
	if err := p.Load(); err != nil {
		t.Fatalf("Load after fix: %v", err)
	}
	if diff := cmp.Diff([]string{"ana@example.com", "eva@example.com"}, emails(p.Personas())); diff != "" {
		t.Errorf("personas (-want +got):\n%s", diff)
	}
}

func TestLoadUnchangedSkipsSwap(t *testing.T) {
	p, logs := newTestPool(t)
	writeFile(t, p.Path(), twoPersonas)
	if err := p.Load(); err != nil {
		t.Fatalf("first Load: %v", err)
	}
	logs.TakeAll()
	before := p.personas.Load()

	if err := p.Load(); err != nil {
		t.Fatalf("second Load: %v", err)
	}
	if after := p.personas.Load(); after != before {
		t.Error("unchanged file swapped the list")
	}
	if entries := logs.TakeAll(); len(entries) != 0 {
		t.Errorf("unchanged file logged %d entries, want none: %v", len(entries), entries)
	}

	// The same good content written back after a bad write is also
	// unchanged, because the bad write never replaced the pool.
	writeFile(t, p.Path(), `nope`)
	if err := p.Load(); err == nil {
		t.Fatal("Load of an invalid file returned nil, want an error")
	}
	logs.TakeAll()
	writeFile(t, p.Path(), twoPersonas)
	if err := p.Load(); err != nil {
		t.Fatalf("Load of restored file: %v", err)
	}
	if after := p.personas.Load(); after != before {
		t.Error("restored file swapped the list")
	}
	if entries := logs.TakeAll(); len(entries) != 0 {
		t.Errorf("restored file logged %d entries, want none: %v", len(entries), entries)
	}
}

func TestLoadDeletedFileEmptiesPool(t *testing.T) {
	p, logs := newTestPool(t)
	writeFile(t, p.Path(), twoPersonas)
	if err := p.Load(); err != nil {
		t.Fatalf("first Load: %v", err)
	}
	logs.TakeAll()

	if err := os.Remove(p.Path()); err != nil {
		t.Fatalf("removing pool file: %v", err)
	}
	if err := p.Load(); err != nil {
		t.Fatalf("Load of missing file: %v", err)
	}
	if got := p.Personas(); len(got) != 0 {
		t.Errorf("got %d personas after delete, want 0", len(got))
	}
	want := []logEntry{{
		Level:   zapcore.WarnLevel,
		Message: "persona file not found, the global pool is empty",
		Fields:  map[string]any{"path": p.Path()},
	}}
	if diff := cmp.Diff(want, takeLogs(logs)); diff != "" {
		t.Errorf("logs (-want +got):\n%s", diff)
	}

	// Creating the file again with the old content must load it again.
	writeFile(t, p.Path(), twoPersonas)
	if err := p.Load(); err != nil {
		t.Fatalf("Load of recreated file: %v", err)
	}
	if got := len(p.Personas()); got != 2 {
		t.Errorf("got %d personas after recreate, want 2", got)
	}
}

func TestLoadUnreadableKeepsPool(t *testing.T) {
	p, logs := newTestPool(t)
	writeFile(t, p.Path(), twoPersonas)
	if err := p.Load(); err != nil {
		t.Fatalf("first Load: %v", err)
	}
	logs.TakeAll()

	// A folder in place of the file cannot be read, whatever the user.
	if err := os.Remove(p.Path()); err != nil {
		t.Fatalf("removing pool file: %v", err)
	}
	if err := os.Mkdir(p.Path(), 0o700); err != nil {
		t.Fatalf("creating folder: %v", err)
	}
	if err := p.Load(); err == nil {
		t.Fatal("Load of a folder returned nil, want an error")
	}
	if got := len(p.Personas()); got != 2 {
		t.Errorf("got %d personas, want the 2 loaded before", got)
	}
	if entries := logs.FilterLevelExact(zapcore.ErrorLevel).TakeAll(); len(entries) != 1 {
		t.Errorf("got %d error log entries, want 1", len(entries))
	}
}

func TestPersonasBeforeLoad(t *testing.T) {
	p, _ := newTestPool(t)
	if got := p.Personas(); len(got) != 0 {
		t.Errorf("got %d personas before Load, want 0", len(got))
	}
}

func TestLoadConcurrent(t *testing.T) {
	p, _ := newTestPool(t)
	contents := []string{twoPersonas, threePersonasOneBad, `[`}

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range 20 {
				// Rename keeps each read whole, as editors do.
				tmp := p.Path() + ".tmp" + string(rune('a'+i))
				if err := os.WriteFile(tmp, []byte(contents[(i+j)%len(contents)]), 0o600); err != nil {
					t.Errorf("writing %s: %v", tmp, err)
					return
				}
				if err := os.Rename(tmp, p.Path()); err != nil {
					t.Errorf("renaming %s: %v", tmp, err)
					return
				}
				_ = p.Load() // an invalid write returns an error by design
			}
		}()
		go func() {
			defer wg.Done()
			for range 50 {
				for _, entry := range p.Personas() {
					if entry.Email == "" {
						t.Error("read a persona with no email")
					}
				}
			}
		}()
	}
	wg.Wait()

	writeFile(t, p.Path(), twoPersonas)
	if err := p.Load(); err != nil {
		t.Fatalf("final Load: %v", err)
	}
	if diff := cmp.Diff([]string{"ana@example.com", "luis@example.com"}, emails(p.Personas())); diff != "" {
		t.Errorf("personas after final Load (-want +got):\n%s", diff)
	}
}

func TestOnReloadReportsOutcomes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "email_personas.json")
	p := New(path, persona.Defaults{}, zap.NewNop())
	type outcome struct {
		ok       bool
		personas int
	}
	var got []outcome
	p.OnReload(func(ok bool, personas int) { got = append(got, outcome{ok, personas}) })

	write := func(content string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`[{"name": "A", "email": "a@example.com", "role": "Ops"}, {"name": "B", "email": "b@example.com", "role": "Ops"}]`)
	_ = p.Load()
	_ = p.Load() // unchanged: not reported
	write(`[{"name": `)
	_ = p.Load()
	_ = p.Load() // the same bad content: not reported again

	want := []outcome{{true, 2}, {false, 2}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("reported %v, want %v", got, want)
	}
}

func TestLoadRepeatedReadErrorLogsOnce(t *testing.T) {
	p, logs := newTestPool(t)
	// The pool path is a symbolic link, so each read error can be caused
	// by pointing it elsewhere.
	dir := filepath.Dir(p.Path())
	folder := filepath.Join(dir, "folder")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	point := func(target string) {
		t.Helper()
		os.Remove(p.Path())
		if err := os.Symlink(target, p.Path()); err != nil {
			t.Fatal(err)
		}
	}
	errorCount := func() int { return len(logs.FilterLevelExact(zapcore.ErrorLevel).All()) }

	point("folder")
	for i := range 3 {
		if err := p.Load(); err == nil {
			t.Fatalf("Load %d of a folder returned nil, want an error", i)
		}
	}
	if n := errorCount(); n != 1 {
		t.Errorf("after three reads of a folder, got %d error log entries, want 1", n)
	}

	// A link that points at itself gives a different error.
	point(filepath.Base(p.Path()))
	if err := p.Load(); err == nil {
		t.Fatal("Load of a link loop returned nil, want an error")
	}
	if n := errorCount(); n != 2 {
		t.Errorf("after a changed read error, got %d error log entries, want 2", n)
	}

	// After a good load the same error is news again.
	good := filepath.Join(dir, "good.json")
	writeFile(t, good, twoPersonas)
	point("good.json")
	if err := p.Load(); err != nil {
		t.Fatalf("Load of a good file: %v", err)
	}
	point("folder")
	if err := p.Load(); err == nil {
		t.Fatal("Load of a folder returned nil, want an error")
	}
	if n := errorCount(); n != 3 {
		t.Errorf("after a good load and a folder again, got %d error log entries, want 3", n)
	}

	// ForceLoad, as on SIGHUP, always logs.
	if err := p.ForceLoad(); err == nil {
		t.Fatal("ForceLoad of a folder returned nil, want an error")
	}
	if n := errorCount(); n != 4 {
		t.Errorf("after ForceLoad, got %d error log entries, want 4", n)
	}
}
