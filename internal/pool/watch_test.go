package pool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/decnet/emailgend/internal/persona"
)

// hangGuard bounds every wait in these tests. It only stops a test that
// would otherwise hang, and does not measure how fast a reload is.
const hangGuard = 20 * time.Second

// watchRun is a Pool whose Watch runs in the background for one test.
type watchRun struct {
	pool *Pool
	logs *observer.ObservedLogs

	mu sync.Mutex
	// history contains the email addresses of each list put in force.
	history [][]string
	// settled contains the event names of each load the watch loop ran.
	settled [][]string
	// signal receives a value after each load the watch loop ran.
	signal chan struct{}
	// markers counts the marker files written by sync.
	markers int
}

// startWatch starts Watch on a pool read from path and waits for its first
// load. The watch stops when the test ends, and must return nil then.
func startWatch(t *testing.T, path string) *watchRun {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	def := persona.Defaults{Language: "en", Location: time.UTC}
	run := &watchRun{
		pool:   New(path, def, zap.New(core)),
		logs:   logs,
		signal: make(chan struct{}, 1),
	}
	run.pool.swapHook = func(list persona.List) {
		run.mu.Lock()
		defer run.mu.Unlock()
		run.history = append(run.history, emails(list))
	}
	run.pool.settleHook = func(names []string) {
		run.mu.Lock()
		run.settled = append(run.settled, names)
		run.mu.Unlock()
		select {
		case run.signal <- struct{}{}:
		default:
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run.pool.Watch(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Watch returned %v after cancel, want nil", err)
			}
		case <-time.After(hangGuard):
			t.Errorf("Watch did not return within %v of cancel", hangGuard)
		}
	})

	run.waitFor(t, "first load", func() bool { return len(run.settledBatches()) > 0 })
	return run
}

func (r *watchRun) settledBatches() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.settled)
}

func (r *watchRun) loadedLists() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.history)
}

// waitFor checks cond after each load of the watch loop until it holds.
func (r *watchRun) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(hangGuard)
	for !cond() {
		select {
		case <-r.signal:
		case <-deadline:
			t.Fatalf("timed out after %v waiting for %s", hangGuard, what)
		}
	}
}

// waitReloads waits until the pool has put n lists in force.
func (r *watchRun) waitReloads(t *testing.T, n uint64) {
	t.Helper()
	r.waitFor(t, fmt.Sprintf("reload %d", n), func() bool { return r.pool.Reloads() >= n })
}

// sync writes a marker file in dir, which must be the watched folder, and
// waits for the load that follows its event. inotify keeps the order of
// events, so by then every earlier change in dir has been loaded.
func (r *watchRun) sync(t *testing.T, dir string) {
	t.Helper()
	r.mu.Lock()
	r.markers++
	marker := filepath.Join(dir, fmt.Sprintf(".sync-%d", r.markers))
	r.mu.Unlock()

	writeFile(t, marker, "")
	r.waitFor(t, "load after "+marker, func() bool {
		for _, names := range r.settledBatches() {
			if slices.Contains(names, marker) {
				return true
			}
		}
		return false
	})
}

// personasTagged returns a valid list of two personas whose addresses
// contain tag, so that each tag gives different file content.
func personasTagged(tag string) string {
	return fmt.Sprintf(`[
	{"name": "Ana Ruiz", "email": "ana.%s@example.com", "role": "CFO"},
	{"name": "Luis Gil", "email": "luis.%s@example.com", "role": "CTO"}
]`, tag, tag)
}

func emailsTagged(tag string) []string {
	return []string{"ana." + tag + "@example.com", "luis." + tag + "@example.com"}
}

// checkPool checks the personas in force and the number of reloads.
func checkPool(t *testing.T, p *Pool, wantEmails []string, wantReloads uint64) {
	t.Helper()
	if diff := cmp.Diff(wantEmails, emails(p.Personas())); diff != "" {
		t.Errorf("personas (-want +got):\n%s", diff)
	}
	if got := p.Reloads(); got != wantReloads {
		t.Errorf("Reloads = %d, want %d", got, wantReloads)
	}
}

// renameInto writes content beside path and renames it over path, as mv
// and most editors do.
func renameInto(t *testing.T, path, content string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), ".email_personas.json.tmp")
	writeFile(t, tmp, content)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatalf("renaming %s over %s: %v", tmp, path, err)
	}
}

func TestWatchEditInPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "email_personas.json")
	writeFile(t, path, personasTagged("v1"))
	run := startWatch(t, path)
	checkPool(t, run.pool, emailsTagged("v1"), 1)

	writeFile(t, path, personasTagged("v2"))
	run.waitReloads(t, 2)
	run.sync(t, dir)
	checkPool(t, run.pool, emailsTagged("v2"), 2)

	// The same bytes written again, and a change of mode, load nothing new.
	writeFile(t, path, personasTagged("v2"))
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatalf("chmod %s: %v", path, err)
	}
	run.sync(t, dir)
	checkPool(t, run.pool, emailsTagged("v2"), 2)
}

func TestWatchCopyInChunks(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "email_personas.json")
	writeFile(t, path, personasTagged("v1"))
	run := startWatch(t, path)
	run.logs.TakeAll()

	// cp truncates the file in place and then writes it in pieces. Pauses
	// shorter than the quiet period keep the pieces in one burst.
	content := []byte(personasTagged("v2"))
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	chunk := len(content)/5 + 1
	for start := 0; start < len(content); start += chunk {
		end := min(start+chunk, len(content))
		if _, err := file.Write(content[start:end]); err != nil {
			t.Fatalf("writing %s: %v", path, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := file.Close(); err != nil {
		t.Fatalf("closing %s: %v", path, err)
	}

	run.waitReloads(t, 2)
	run.sync(t, dir)
	checkPool(t, run.pool, emailsTagged("v2"), 2)

	want := [][]string{emailsTagged("v1"), emailsTagged("v2")}
	if diff := cmp.Diff(want, run.loadedLists()); diff != "" {
		t.Errorf("lists put in force (-want +got):\n%s", diff)
	}
	// NOTE: a machine that stalls the test for longer than the quiet period
	// between two pieces makes the watch read a partial file. The history
	// above still holds, because a partial JSON list never parses, but the
	// read logs an error that fails the check below.
	if entries := run.logs.FilterLevelExact(zapcore.ErrorLevel).All(); len(entries) != 0 {
		t.Errorf("got %d error log entries, want none: %v", len(entries), entries)
	}
}

func TestWatchRenameRepeated(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "email_personas.json")
	writeFile(t, path, personasTagged("v0"))
	run := startWatch(t, path)

	want := [][]string{emailsTagged("v0")}
	for i := 1; i <= 20; i++ {
		tag := fmt.Sprintf("v%d", i)
		renameInto(t, path, personasTagged(tag))
		run.waitReloads(t, uint64(i+1))
		want = append(want, emailsTagged(tag))
	}
	run.sync(t, dir)
	checkPool(t, run.pool, emailsTagged("v20"), 21)
	if diff := cmp.Diff(want, run.loadedLists()); diff != "" {
		t.Errorf("lists put in force (-want +got):\n%s", diff)
	}

	// A rename of a file with the same content loads nothing new.
	renameInto(t, path, personasTagged("v20"))
	run.sync(t, dir)
	checkPool(t, run.pool, emailsTagged("v20"), 21)
}

func TestWatchRenameBurst(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "email_personas.json")
	writeFile(t, path, personasTagged("v0"))
	run := startWatch(t, path)

	for i := 1; i <= 20; i++ {
		renameInto(t, path, personasTagged(fmt.Sprintf("v%d", i)))
	}
	run.waitFor(t, "last list of the burst", func() bool {
		return cmp.Equal(emailsTagged("v20"), emails(run.pool.Personas()))
	})
	run.sync(t, dir)

	// How many reloads a burst takes depends on scheduling, so only the
	// content of each list is checked here.
	for _, list := range run.loadedLists() {
		if len(list) != 2 || !strings.HasPrefix(list[0], "ana.v") {
			t.Errorf("list put in force = %v, want two tagged personas", list)
		}
	}
	if got := run.pool.Reloads(); got > 21 {
		t.Errorf("Reloads = %d, want at most 21 for 20 renames", got)
	}
}

func TestWatchDeleteAndCreate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "email_personas.json")
	writeFile(t, path, personasTagged("v1"))
	run := startWatch(t, path)
	run.logs.TakeAll()

	if err := os.Remove(path); err != nil {
		t.Fatalf("removing %s: %v", path, err)
	}
	run.waitReloads(t, 2)
	run.sync(t, dir)
	checkPool(t, run.pool, []string{}, 2)
	want := []logEntry{{
		Level:   zapcore.WarnLevel,
		Message: "persona file not found, the global pool is empty",
		Fields:  map[string]any{"path": path},
	}}
	if diff := cmp.Diff(want, takeLogs(run.logs)); diff != "" {
		t.Errorf("logs (-want +got):\n%s", diff)
	}

	// The old content, created again, loads again.
	writeFile(t, path, personasTagged("v1"))
	run.waitReloads(t, 3)
	run.sync(t, dir)
	checkPool(t, run.pool, emailsTagged("v1"), 3)
}

// configMapSwap updates dir the way the kubelet updates a ConfigMap
// volume: the new content goes into a new timestamped folder, a ..data_tmp
// link to it is renamed over ..data, and the old folder is removed.
func configMapSwap(t *testing.T, dir, stamp, content string) {
	t.Helper()
	newFolder := filepath.Join(dir, stamp)
	if err := os.Mkdir(newFolder, 0o700); err != nil {
		t.Fatalf("creating %s: %v", newFolder, err)
	}
	writeFile(t, filepath.Join(newFolder, "email_personas.json"), content)

	oldFolder, err := os.Readlink(filepath.Join(dir, "..data"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("reading ..data link: %v", err)
	}
	tmpLink := filepath.Join(dir, "..data_tmp")
	if err := os.Symlink(stamp, tmpLink); err != nil {
		t.Fatalf("creating %s: %v", tmpLink, err)
	}
	if err := os.Rename(tmpLink, filepath.Join(dir, "..data")); err != nil {
		t.Fatalf("renaming %s over ..data: %v", tmpLink, err)
	}
	if oldFolder != "" {
		if err := os.RemoveAll(filepath.Join(dir, oldFolder)); err != nil {
			t.Fatalf("removing %s: %v", oldFolder, err)
		}
	}
}

func TestWatchConfigMapSwap(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "email_personas.json")
	configMapSwap(t, dir, "..2026_12_04_15_00_00.123", personasTagged("v0"))
	if err := os.Symlink(filepath.Join("..data", "email_personas.json"), path); err != nil {
		t.Fatalf("creating %s: %v", path, err)
	}
	run := startWatch(t, path)
	checkPool(t, run.pool, emailsTagged("v0"), 1)

	for i := 1; i <= 3; i++ {
		tag := fmt.Sprintf("v%d", i)
		stamp := fmt.Sprintf("..2026_12_04_15_0%d_00.123", i)
		configMapSwap(t, dir, stamp, personasTagged(tag))
		run.waitReloads(t, uint64(i+1))
		run.sync(t, dir)
		checkPool(t, run.pool, emailsTagged(tag), uint64(i+1))
	}
	want := [][]string{emailsTagged("v0"), emailsTagged("v1"), emailsTagged("v2"), emailsTagged("v3")}
	if diff := cmp.Diff(want, run.loadedLists()); diff != "" {
		t.Errorf("lists put in force (-want +got):\n%s", diff)
	}

	// A swap to a folder with the same content loads nothing new.
	configMapSwap(t, dir, "..2026_12_04_15_09_00.123", personasTagged("v3"))
	run.sync(t, dir)
	checkPool(t, run.pool, emailsTagged("v3"), 4)
}

func TestWatchFolderCreatedLater(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "etc", "decnet")
	path := filepath.Join(dir, "email_personas.json")
	run := startWatch(t, path)
	checkPool(t, run.pool, []string{}, 1)

	// The folders and the file appear in quick succession, possibly before
	// the watch has moved down to them.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatalf("creating %s: %v", dir, err)
	}
	writeFile(t, path, personasTagged("v1"))
	run.waitReloads(t, 2)
	run.sync(t, dir)
	checkPool(t, run.pool, emailsTagged("v1"), 2)

	// Only a watch on the new folder reports this write.
	writeFile(t, path, personasTagged("v2"))
	run.waitReloads(t, 3)
	run.sync(t, dir)
	checkPool(t, run.pool, emailsTagged("v2"), 3)

	// Removing the folders moves the watch back up, and creating them
	// again moves it down.
	if err := os.RemoveAll(filepath.Join(root, "etc")); err != nil {
		t.Fatalf("removing folders: %v", err)
	}
	run.waitReloads(t, 4)
	checkPool(t, run.pool, []string{}, 4)

	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatalf("creating %s again: %v", dir, err)
	}
	writeFile(t, path, personasTagged("v3"))
	run.waitReloads(t, 5)
	run.sync(t, dir)
	checkPool(t, run.pool, emailsTagged("v3"), 5)
}

func TestWatchFolderReplaced(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "decnet")
	path := filepath.Join(dir, "email_personas.json")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatalf("creating %s: %v", dir, err)
	}
	writeFile(t, path, personasTagged("v1"))
	run := startWatch(t, path)

	// A new folder takes the place of the watched one.
	next := filepath.Join(root, "decnet.new")
	if err := os.Mkdir(next, 0o700); err != nil {
		t.Fatalf("creating %s: %v", next, err)
	}
	writeFile(t, filepath.Join(next, "email_personas.json"), personasTagged("v2"))
	if err := os.Rename(dir, filepath.Join(root, "decnet.old")); err != nil {
		t.Fatalf("moving %s away: %v", dir, err)
	}
	if err := os.Rename(next, dir); err != nil {
		t.Fatalf("moving %s into place: %v", next, err)
	}
	run.waitFor(t, "content of the new folder", func() bool {
		return cmp.Equal(emailsTagged("v2"), emails(run.pool.Personas()))
	})

	// Writes in the new folder are seen, so the watch followed the path.
	writeFile(t, path, personasTagged("v3"))
	run.waitFor(t, "write in the new folder", func() bool {
		return cmp.Equal(emailsTagged("v3"), emails(run.pool.Personas()))
	})
	// The marker is seen only when the watch is on the new folder.
	run.sync(t, dir)
}

func TestWatchInvalidThenGood(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "email_personas.json")
	writeFile(t, path, personasTagged("v1"))
	run := startWatch(t, path)
	run.logs.TakeAll()

	renameInto(t, path, `[{"name": "Ana Ruiz",`)
	run.sync(t, dir)
	checkPool(t, run.pool, emailsTagged("v1"), 1)

	entries := run.logs.FilterLevelExact(zapcore.ErrorLevel).TakeAll()
	if len(entries) != 1 {
		t.Fatalf("got %d error log entries, want 1: %v", len(entries), entries)
	}
	if got := entries[0].Message; got != "invalid persona file, keeping the current pool" {
		t.Errorf("log message = %q", got)
	}
	fields := entries[0].ContextMap()
	if fields["path"] != path {
		t.Errorf("log path = %v, want %s", fields["path"], path)
	}
	if got, _ := fields["error"].(string); !strings.Contains(got, "invalid JSON") {
		t.Errorf("log error = %q, want the parse error", got)
	}

	renameInto(t, path, `{"personas": []}`)
	run.sync(t, dir)
	checkPool(t, run.pool, emailsTagged("v1"), 1)

	renameInto(t, path, personasTagged("v2"))
	run.waitReloads(t, 2)
	run.sync(t, dir)
	checkPool(t, run.pool, emailsTagged("v2"), 2)
}

func TestWatchWatcherErrorKeepsLoop(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "email_personas.json")
	writeFile(t, path, personasTagged("v1"))
	core, logs := observer.New(zapcore.DebugLevel)
	p := New(path, persona.Defaults{Location: time.UTC}, zap.New(core))
	settled := make(chan struct{}, 16)
	p.settleHook = func([]string) { settled <- struct{}{} }

	watcher, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatalf("creating watcher: %v", err)
	}
	defer watcher.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.watch(ctx, watcher) }()

	waitSettled := func(what string) {
		t.Helper()
		select {
		case <-settled:
		case <-time.After(hangGuard):
			t.Fatalf("timed out after %v waiting for %s", hangGuard, what)
		}
	}
	waitSettled("first load")

	watcher.Errors <- fsnotify.ErrEventOverflow
	waitSettled("load after the watcher error")
	entries := logs.FilterMessage("persona file watcher failed, reloading to be safe").All()
	if len(entries) != 1 {
		t.Errorf("got %d watcher error log entries, want 1", len(entries))
	}

	writeFile(t, path, personasTagged("v2"))
	for !cmp.Equal(emailsTagged("v2"), emails(p.Personas())) {
		waitSettled("load after the write")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("watch returned %v after cancel, want nil", err)
		}
	case <-time.After(hangGuard):
		t.Fatalf("watch did not return within %v of cancel", hangGuard)
	}
}

func TestForceLoadUnchanged(t *testing.T) {
	p, logs := newTestPool(t)
	writeFile(t, p.Path(), twoPersonas)
	if err := p.Load(); err != nil {
		t.Fatalf("Load: %v", err)
	}
	logs.TakeAll()

	if err := p.ForceLoad(); err != nil {
		t.Fatalf("ForceLoad: %v", err)
	}
	if got := p.Reloads(); got != 2 {
		t.Errorf("Reloads = %d, want 2", got)
	}
	want := []logEntry{{
		Level:   zapcore.InfoLevel,
		Message: "global persona pool loaded",
		Fields:  map[string]any{"path": p.Path(), "loaded": int64(2), "dropped": int64(0)},
	}}
	if diff := cmp.Diff(want, takeLogs(logs)); diff != "" {
		t.Errorf("logs (-want +got):\n%s", diff)
	}

	writeFile(t, p.Path(), `[`)
	if err := p.ForceLoad(); err == nil {
		t.Error("ForceLoad of an invalid file returned nil, want an error")
	}
	if got := p.Reloads(); got != 2 {
		t.Errorf("Reloads after invalid file = %d, want 2", got)
	}
}

func TestForceLoadMissingFile(t *testing.T) {
	p, logs := newTestPool(t)
	for i := range 2 {
		if err := p.ForceLoad(); err != nil {
			t.Fatalf("ForceLoad %d: %v", i, err)
		}
	}
	if got := p.Reloads(); got != 2 {
		t.Errorf("Reloads = %d, want 2", got)
	}
	if entries := logs.FilterLevelExact(zapcore.WarnLevel).All(); len(entries) != 2 {
		t.Errorf("got %d warnings, want one per ForceLoad", len(entries))
	}
}

func TestLoadMissingFileLogsOnce(t *testing.T) {
	p, logs := newTestPool(t)
	for i := range 3 {
		if err := p.Load(); err != nil {
			t.Fatalf("Load %d: %v", i, err)
		}
	}
	if got := p.Reloads(); got != 1 {
		t.Errorf("Reloads = %d, want 1", got)
	}
	if entries := logs.All(); len(entries) != 1 {
		t.Errorf("got %d log entries, want 1: %v", len(entries), entries)
	}
}

func TestLoadRepeatedInvalidLogsOnce(t *testing.T) {
	p, logs := newTestPool(t)
	writeFile(t, p.Path(), `[`)
	first := p.Load()
	second := p.Load()
	if first == nil || second == nil {
		t.Fatalf("Load errors = %v, %v, want two errors", first, second)
	}
	if !errors.Is(second, first) {
		t.Errorf("second error = %v, want the first error %v", second, first)
	}
	if entries := logs.FilterLevelExact(zapcore.ErrorLevel).All(); len(entries) != 1 {
		t.Errorf("got %d error log entries, want 1", len(entries))
	}

	// The same bad content after a good one is logged again.
	writeFile(t, p.Path(), twoPersonas)
	if err := p.Load(); err != nil {
		t.Fatalf("Load of good file: %v", err)
	}
	writeFile(t, p.Path(), `[`)
	if err := p.Load(); err == nil {
		t.Error("Load of an invalid file returned nil, want an error")
	}
	if entries := logs.FilterLevelExact(zapcore.ErrorLevel).All(); len(entries) != 2 {
		t.Errorf("got %d error log entries, want 2", len(entries))
	}
}
