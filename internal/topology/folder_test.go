package topology

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

	"github.com/decnet/emailgend/internal/persona"
)

const spanishTopology = `{
	"language_default": "es",
	"personas": [
		{"name": "Ana Ruiz", "email": "ana@acme.es", "role": "CFO"},
		{"name": "Luis Gil", "email": "luis@acme.es", "role": "CTO", "language": "ca", "timezone": "Atlantic/Canary"},
		{"name": "Bob", "email": "bob@localhost", "role": "Clerk"}
	]
}`

func newTestSource(t *testing.T) (*FolderSource, string, *observer.ObservedLogs) {
	t.Helper()
	dir := t.TempDir()
	core, logs := observer.New(zapcore.DebugLevel)
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatalf("loading time zone: %v", err)
	}
	return NewFolderSource(dir, madrid, zap.New(core)), dir, logs
}

func writeTopology(t *testing.T, dir, id, content string) string {
	t.Helper()
	path := filepath.Join(dir, id+".json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
	return path
}

type summary struct {
	Email    string
	Language string
	Timezone string
}

func summarize(list persona.List) []summary {
	out := []summary{}
	for _, p := range list {
		out = append(out, summary{Email: p.Email, Language: p.Language, Timezone: p.Timezone})
	}
	return out
}

func TestPersonasReadsFile(t *testing.T) {
	src, dir, logs := newTestSource(t)
	writeTopology(t, dir, "corp-hq", spanishTopology)

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
	wantFields := map[string]any{
		"topology": "corp-hq",
		"index":    int64(2),
		"field":    "email",
		"reason":   `must look like local@domain with a dot in the domain (got "bob@localhost")`,
		"dropped":  true,
	}
	if entries[0].Level != zapcore.WarnLevel {
		t.Errorf("log level = %v, want warn", entries[0].Level)
	}
	if diff := cmp.Diff(wantFields, entries[0].ContextMap()); diff != "" {
		t.Errorf("log fields (-want +got):\n%s", diff)
	}
}

func TestPersonasLanguageDefault(t *testing.T) {
	tests := []struct {
		name     string
		setting  string
		want     string
		wantWarn bool
	}{
		{name: "missing", setting: ``, want: "en"},
		{name: "null", setting: `"language_default": null,`, want: "en"},
		{name: "empty", setting: `"language_default": "",`, want: "en"},
		{name: "portuguese", setting: `"language_default": "pt-BR",`, want: "pt"},
		{name: "invalid", setting: `"language_default": "Spanish",`, want: "en", wantWarn: true},
		{name: "number", setting: `"language_default": 7,`, want: "en", wantWarn: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, dir, logs := newTestSource(t)
			writeTopology(t, dir, "t1", `{`+tc.setting+`
				"personas": [{"name": "Ana Ruiz", "email": "ana@acme.es", "role": "CFO"}]}`)

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

			warnings := logs.FilterField(zap.String("field", "language_default")).All()
			if got := len(warnings) == 1; got != tc.wantWarn {
				t.Errorf("got %d language_default warnings, want warning %v", len(warnings), tc.wantWarn)
			}
		})
	}
}

func TestPersonasUnknownTopology(t *testing.T) {
	src, dir, _ := newTestSource(t)

	list, err := src.Personas(context.Background(), "ghost")
	if !errors.Is(err, ErrUnknownTopology) {
		t.Fatalf("Personas error = %v, want ErrUnknownTopology", err)
	}
	want := filepath.Join(dir, "ghost.json")
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the expected path %s", err, want)
	}
	if list == nil || len(list) != 0 {
		t.Errorf("list = %#v, want an empty list", list)
	}
}

func TestPersonasRejectsID(t *testing.T) {
	src, dir, _ := newTestSource(t)
	// A file one level up would be reachable through "../", so the check
	// must stop the id before it is joined to the folder.
	if err := os.WriteFile(filepath.Join(filepath.Dir(dir), "outside.json"), []byte(spanishTopology), 0o600); err != nil {
		t.Fatalf("writing outside file: %v", err)
	}
	writeTopology(t, dir, ".hidden", spanishTopology)

	tests := []struct {
		name string
		id   string
	}{
		{name: "empty", id: ""},
		{name: "parent", id: "../outside"},
		{name: "slash", id: "a/b"},
		{name: "backslash", id: `a\b`},
		{name: "dot", id: ".hidden"},
		{name: "dot dot", id: ".."},
		{name: "NUL", id: "corp\x00hq"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, err := src.Personas(context.Background(), tc.id)
			if err == nil {
				t.Fatalf("Personas(%q) = %d personas, want an error", tc.id, len(list))
			}
			if errors.Is(err, ErrUnknownTopology) {
				t.Errorf("Personas(%q) error %v wraps ErrUnknownTopology, want an invalid id error", tc.id, err)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.id)) && tc.id != "" {
				t.Errorf("error %q does not name the id", err)
			}
			if !strings.Contains(err.Error(), "invalid topology id") {
				t.Errorf("error %q does not say the id is invalid", err)
			}
		})
	}
}

func TestPersonasInvalidFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		check   func(t *testing.T, err error)
	}{
		{
			name:    "syntax error",
			content: `{"personas": [`,
			check: func(t *testing.T, err error) {
				var syntaxErr *json.SyntaxError
				if !errors.As(err, &syntaxErr) {
					t.Errorf("error = %v, want a *json.SyntaxError", err)
				}
			},
		},
		{
			name:    "bare list",
			content: `[{"name": "Ana Ruiz", "email": "ana@acme.es", "role": "CFO"}]`,
			check:   wantErrorText(`not a JSON object with a "personas" list`),
		},
		{
			name:    "no personas",
			content: `{"language_default": "es"}`,
			check:   wantErrorText(`missing "personas" list`),
		},
		{
			name:    "personas not a list",
			content: `{"personas": {"name": "Ana Ruiz"}}`,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, persona.ErrNotList) {
					t.Errorf("error = %v, want persona.ErrNotList", err)
				}
			},
		},
		{
			name:    "personas null",
			content: `{"personas": null}`,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, persona.ErrNotList) {
					t.Errorf("error = %v, want persona.ErrNotList", err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, dir, _ := newTestSource(t)
			path := writeTopology(t, dir, "t1", spanishTopology)
			if _, err := src.Personas(context.Background(), "t1"); err != nil {
				t.Fatalf("first Personas: %v", err)
			}

			rewrite(t, path, tc.content)
			list, err := src.Personas(context.Background(), "t1")
			if err == nil {
				t.Fatalf("Personas = %d personas, want an error", len(list))
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %s", err, path)
			}
			tc.check(t, err)
			if len(list) != 0 {
				t.Errorf("got %d personas with the error, want none from a stale cache", len(list))
			}
			if _, cached := src.cache["t1"]; cached {
				t.Error("invalid file left a cache entry")
			}
		})
	}
}

func wantErrorText(text string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !strings.Contains(err.Error(), text) {
			t.Errorf("error %q does not contain %q", err, text)
		}
	}
}

// rewrite replaces the file's content and moves its modification time a
// minute ahead, so the change is seen even on file systems with coarse
// timestamps.
func rewrite(t *testing.T, path, content string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
	later := info.ModTime().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatalf("setting times of %s: %v", path, err)
	}
}

func TestPersonasCachesUnchangedFile(t *testing.T) {
	src, dir, logs := newTestSource(t)
	path := writeTopology(t, dir, "corp-hq", spanishTopology)

	first, err := src.Personas(context.Background(), "corp-hq")
	if err != nil {
		t.Fatalf("first Personas: %v", err)
	}
	if got := logs.Len(); got != 1 {
		t.Fatalf("got %d log entries after first read, want 1", got)
	}

	// Corrupt the file but keep its size and times. Parsing it again would
	// fail, so success shows that the cached list was returned.
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat: %v", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("opening for write: %v", err)
	}
	if _, err := f.WriteAt([]byte("#"), 0); err != nil {
		t.Fatalf("corrupting first byte: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("closing: %v", err)
	}
	if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
		t.Fatalf("restoring times: %v", err)
	}

	second, err := src.Personas(context.Background(), "corp-hq")
	if err != nil {
		t.Fatalf("second Personas: %v", err)
	}
	if diff := cmp.Diff(summarize(first), summarize(second)); diff != "" {
		t.Errorf("cached personas (-first +second):\n%s", diff)
	}
	if got := logs.Len(); got != 1 {
		t.Errorf("got %d log entries after second read, want the problems logged once", got)
	}
}

func TestPersonasRereadsChangedFile(t *testing.T) {
	src, dir, logs := newTestSource(t)
	path := writeTopology(t, dir, "corp-hq", spanishTopology)
	if _, err := src.Personas(context.Background(), "corp-hq"); err != nil {
		t.Fatalf("first Personas: %v", err)
	}
	logs.TakeAll()

	rewrite(t, path, `{"language_default": "fr", "personas": [
		{"name": "Claire Petit", "email": "claire@acme.fr", "role": "COO"},
		{"name": "Bad", "email": "bad", "role": "x"}
	]}`)
	list, err := src.Personas(context.Background(), "corp-hq")
	if err != nil {
		t.Fatalf("Personas after change: %v", err)
	}
	want := []summary{{Email: "claire@acme.fr", Language: "fr", Timezone: "Europe/Madrid"}}
	if diff := cmp.Diff(want, summarize(list)); diff != "" {
		t.Errorf("personas (-want +got):\n%s", diff)
	}
	if got := logs.FilterField(zap.Int("index", 1)).Len(); got != 1 {
		t.Errorf("got %d warnings for the new bad entry, want 1", got)
	}
}

func TestPersonasReplacedByRename(t *testing.T) {
	src, dir, _ := newTestSource(t)
	path := writeTopology(t, dir, "corp-hq", spanishTopology)
	if _, err := src.Personas(context.Background(), "corp-hq"); err != nil {
		t.Fatalf("first Personas: %v", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat: %v", err)
	}

	// Same size and times, but a different file: the identity check must
	// catch it. The emails keep the content the same length.
	replacement := strings.ReplaceAll(spanishTopology, "ana@acme.es", "eva@acme.es")
	tmp := filepath.Join(dir, "corp-hq.json.tmp")
	if err := os.WriteFile(tmp, []byte(replacement), 0o600); err != nil {
		t.Fatalf("writing replacement: %v", err)
	}
	if err := os.Chtimes(tmp, info.ModTime(), info.ModTime()); err != nil {
		t.Fatalf("setting times: %v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
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

func TestPersonasDeletedFile(t *testing.T) {
	src, dir, _ := newTestSource(t)
	path := writeTopology(t, dir, "corp-hq", spanishTopology)
	if _, err := src.Personas(context.Background(), "corp-hq"); err != nil {
		t.Fatalf("first Personas: %v", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatalf("removing: %v", err)
	}

	list, err := src.Personas(context.Background(), "corp-hq")
	if !errors.Is(err, ErrUnknownTopology) {
		t.Errorf("Personas error = %v, want ErrUnknownTopology", err)
	}
	if len(list) != 0 {
		t.Errorf("got %d personas after delete, want 0", len(list))
	}
}

func TestPersonasCanceledContext(t *testing.T) {
	src, dir, _ := newTestSource(t)
	writeTopology(t, dir, "corp-hq", spanishTopology)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	if _, err := src.Personas(ctx, "corp-hq"); !errors.Is(err, context.Canceled) {
		t.Errorf("Personas error = %v, want context.Canceled", err)
	}
}

func TestPersonasConcurrent(t *testing.T) {
	src, dir, logs := newTestSource(t)
	writeTopology(t, dir, "corp-hq", spanishTopology)
	writeTopology(t, dir, "branch", `{"personas": [{"name": "Ana Ruiz", "email": "ana@acme.es", "role": "CFO"}]}`)

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
