package pool

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	// watcher is the watcher of the loop, for checks of its watch list.
	watcher *fsnotify.Watcher

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

// startWatch starts the watch loop of Watch on a pool read from path, with
// a watcher that the test can inspect, and waits for the first load. The
// loop stops when the test ends, and must return nil then.
func startWatch(t *testing.T, path string) *watchRun {
	t.Helper()
	watcher, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatalf("creating watcher: %v", err)
	}
	core, logs := observer.New(zapcore.DebugLevel)
	def := persona.Defaults{Language: "en", Location: time.UTC}
	run := &watchRun{
		pool:    New(path, def, zap.New(core)),
		logs:    logs,
		watcher: watcher,
		signal:  make(chan struct{}, 1),
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
	go func() { done <- run.pool.watch(ctx, watcher) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("watch returned %v after cancel, want nil", err)
			}
		case <-time.After(hangGuard):
			t.Errorf("watch did not return within %v of cancel", hangGuard)
		}
		if err := watcher.Close(); err != nil {
			t.Errorf("closing watcher: %v", err)
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
		// The link target moves to the new timestamped folder, and the
		// watch of the removed one is gone.
		checkWatchList(t, run, dir, filepath.Join(realPath(t, dir), stamp))
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

// symlink creates link pointing to target.
func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatalf("creating link %s to %s: %v", link, target, err)
	}
}

// repointLink points link at target in one step, by renaming a new link
// over it.
func repointLink(t *testing.T, link, target string) {
	t.Helper()
	tmp := link + ".new"
	symlink(t, target, tmp)
	if err := os.Rename(tmp, link); err != nil {
		t.Fatalf("renaming %s over %s: %v", tmp, link, err)
	}
}

// copyOver copies src into the existing file dst, as cp does: dst is
// truncated in place and keeps its inode.
func copyOver(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatalf("opening %s: %v", src, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatalf("opening %s: %v", dst, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		t.Fatalf("copying %s to %s: %v", src, dst, err)
	}
	if err := out.Close(); err != nil {
		t.Fatalf("closing %s: %v", dst, err)
	}
}

// realPath returns path with every symbolic link resolved, which is how
// the watch names the folder of a link target.
func realPath(t *testing.T, path string) string {
	t.Helper()
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatalf("resolving %s: %v", path, err)
	}
	return real
}

// checkWatchList checks that the watcher watches exactly the folders in
// want, so that a watch left behind fails the test.
func checkWatchList(t *testing.T, run *watchRun, want ...string) {
	t.Helper()
	got := run.watcher.WatchList()
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("watched folders (-want +got):\n%s", diff)
	}
}

// eventCount returns how many event names the loads so far were run for,
// so that namesSince can check only the events of a later step.
func (r *watchRun) eventCount() int {
	return len(slices.Concat(r.settledBatches()...))
}

// namesSince returns the event names that led to loads, after the first n.
func (r *watchRun) namesSince(n int) []string {
	return slices.Concat(r.settledBatches()...)[n:]
}

// checkNotCounted checks that no load since the first n events was run for
// an event on any of names.
func checkNotCounted(t *testing.T, run *watchRun, n int, names ...string) {
	t.Helper()
	for _, name := range run.namesSince(n) {
		if slices.Contains(names, name) {
			t.Errorf("event on %s led to a load, want it ignored", name)
		}
	}
}

// linkedPool creates a pool file in its own folder that is a symbolic link
// to personas.json, with content, in another folder. It returns the pool
// folder, the pool path and the link target.
func linkedPool(t *testing.T, content string) (poolDir, path, target string) {
	t.Helper()
	poolDir = t.TempDir()
	path = filepath.Join(poolDir, "email_personas.json")
	target = filepath.Join(realPath(t, t.TempDir()), "personas.json")
	writeFile(t, target, content)
	symlink(t, target, path)
	return poolDir, path, target
}

func TestWatchLinkEditInPlace(t *testing.T) {
	poolDir, path, target := linkedPool(t, personasTagged("v1"))
	run := startWatch(t, path)
	checkPool(t, run.pool, emailsTagged("v1"), 1)
	checkWatchList(t, run, poolDir, filepath.Dir(target))

	writeFile(t, target, personasTagged("v2"))
	run.waitReloads(t, 2)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v2"), 2)

	// A write through the link changes the target in place, and raises no
	// event in the pool folder.
	writeFile(t, path, personasTagged("v3"))
	run.waitReloads(t, 3)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v3"), 3)
	checkWatchList(t, run, poolDir, filepath.Dir(target))
}

func TestWatchLinkOtherFilesIgnored(t *testing.T) {
	poolDir, path, target := linkedPool(t, personasTagged("v1"))
	run := startWatch(t, path)
	start := run.eventCount()

	// The folder of the target is busy with files the pool does not read.
	other := filepath.Join(filepath.Dir(target), "other.json")
	writeFile(t, other, personasTagged("v2"))
	moved := filepath.Join(filepath.Dir(target), "moved.json")
	if err := os.Rename(other, moved); err != nil {
		t.Fatalf("renaming %s: %v", other, err)
	}
	if err := os.Remove(moved); err != nil {
		t.Fatalf("removing %s: %v", moved, err)
	}
	run.sync(t, poolDir)

	checkPool(t, run.pool, emailsTagged("v1"), 1)
	checkNotCounted(t, run, start, other, moved)
}

func TestWatchLinkCopyOver(t *testing.T) {
	poolDir, path, target := linkedPool(t, personasTagged("v1"))
	run := startWatch(t, path)

	src := filepath.Join(t.TempDir(), "new.json")
	writeFile(t, src, personasTagged("v2"))
	copyOver(t, src, target)
	run.waitReloads(t, 2)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v2"), 2)
}

func TestWatchLinkRenameOnto(t *testing.T) {
	poolDir, path, target := linkedPool(t, personasTagged("v0"))
	run := startWatch(t, path)
	start := run.eventCount()

	for i := 1; i <= 5; i++ {
		renameInto(t, target, personasTagged(fmt.Sprintf("v%d", i)))
		run.waitReloads(t, uint64(i+1))
	}
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v5"), 6)
	checkWatchList(t, run, poolDir, filepath.Dir(target))

	// Writing the temporary file beside the target counts for nothing, and
	// only its arrival under the target name does.
	tmp := filepath.Join(filepath.Dir(target), ".email_personas.json.tmp")
	checkNotCounted(t, run, start, tmp)
}

func TestWatchLinkDeleteAndCreate(t *testing.T) {
	poolDir, path, target := linkedPool(t, personasTagged("v1"))
	run := startWatch(t, path)
	run.logs.TakeAll()

	if err := os.Remove(target); err != nil {
		t.Fatalf("removing %s: %v", target, err)
	}
	run.waitReloads(t, 2)
	run.sync(t, poolDir)
	checkPool(t, run.pool, []string{}, 2)
	want := []logEntry{{
		Level:   zapcore.WarnLevel,
		Message: "persona file is a symbolic link to a missing file, watching for it",
		Fields:  map[string]any{"path": path, "link_target": target},
	}, {
		Level:   zapcore.WarnLevel,
		Message: "persona file not found, the global pool is empty",
		Fields:  map[string]any{"path": path},
	}}
	if diff := cmp.Diff(want, takeLogs(run.logs)); diff != "" {
		t.Errorf("logs (-want +got):\n%s", diff)
	}
	checkWatchList(t, run, poolDir, filepath.Dir(target))

	writeFile(t, target, personasTagged("v1"))
	run.waitReloads(t, 3)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v1"), 3)
}

func TestWatchLinkRepointed(t *testing.T) {
	poolDir, path, oldTarget := linkedPool(t, personasTagged("v1"))
	run := startWatch(t, path)

	newTarget := filepath.Join(realPath(t, t.TempDir()), "personas.json")
	writeFile(t, newTarget, personasTagged("v2"))
	repointLink(t, path, newTarget)
	run.waitReloads(t, 2)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v2"), 2)
	checkWatchList(t, run, poolDir, filepath.Dir(newTarget))

	// The old target no longer counts.
	start := run.eventCount()
	writeFile(t, oldTarget, personasTagged("old"))
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v2"), 2)
	checkNotCounted(t, run, start, oldTarget)

	// The new one does.
	writeFile(t, newTarget, personasTagged("v3"))
	run.waitReloads(t, 3)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v3"), 3)
	checkWatchList(t, run, poolDir, filepath.Dir(newTarget))
}

func TestWatchLinkReplacedByFile(t *testing.T) {
	poolDir, path, target := linkedPool(t, personasTagged("v1"))
	run := startWatch(t, path)
	checkWatchList(t, run, poolDir, filepath.Dir(target))

	renameInto(t, path, personasTagged("v2"))
	run.waitReloads(t, 2)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v2"), 2)
	checkWatchList(t, run, poolDir)

	start := run.eventCount()
	writeFile(t, target, personasTagged("old"))
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v2"), 2)
	checkNotCounted(t, run, start, target)
}

func TestWatchLinkDanglingThenResolves(t *testing.T) {
	poolDir := t.TempDir()
	path := filepath.Join(poolDir, "email_personas.json")
	targetDir := realPath(t, t.TempDir())
	target := filepath.Join(targetDir, "personas.json")
	symlink(t, target, path)

	run := startWatch(t, path)
	checkPool(t, run.pool, []string{}, 1)
	checkWatchList(t, run, poolDir, targetDir)
	entries := run.logs.FilterMessage("persona file is a symbolic link to a missing file, watching for it").All()
	if len(entries) != 1 {
		t.Errorf("got %d log entries for the missing link target, want 1", len(entries))
	}

	writeFile(t, target, personasTagged("v1"))
	run.waitReloads(t, 2)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v1"), 2)
	checkWatchList(t, run, poolDir, targetDir)
}

func TestWatchLinkTargetFolderCreated(t *testing.T) {
	poolDir := t.TempDir()
	path := filepath.Join(poolDir, "email_personas.json")
	root := realPath(t, t.TempDir())
	targetDir := filepath.Join(root, "decnet")
	target := filepath.Join(targetDir, "personas.json")
	symlink(t, target, path)

	// Until the folder of the target exists, its parent is watched.
	run := startWatch(t, path)
	checkPool(t, run.pool, []string{}, 1)
	checkWatchList(t, run, poolDir, root)

	if err := os.Mkdir(targetDir, 0o700); err != nil {
		t.Fatalf("creating %s: %v", targetDir, err)
	}
	writeFile(t, target, personasTagged("v1"))
	run.waitReloads(t, 2)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v1"), 2)
	checkWatchList(t, run, poolDir, targetDir)

	// Only a watch on the new folder reports this write.
	writeFile(t, target, personasTagged("v2"))
	run.waitReloads(t, 3)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v2"), 3)
}

func TestWatchLinkChain(t *testing.T) {
	poolDir := t.TempDir()
	path := filepath.Join(poolDir, "email_personas.json")
	hop := filepath.Join(t.TempDir(), "hop.json")
	targetDir := realPath(t, t.TempDir())
	target := filepath.Join(targetDir, "personas.json")
	writeFile(t, target, personasTagged("v1"))
	symlink(t, target, hop)
	symlink(t, hop, path)

	// Only the folder of the final file is watched, not that of the hop.
	run := startWatch(t, path)
	checkPool(t, run.pool, emailsTagged("v1"), 1)
	checkWatchList(t, run, poolDir, targetDir)

	writeFile(t, target, personasTagged("v2"))
	run.waitReloads(t, 2)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v2"), 2)
}

func TestWatchLinkSameFolder(t *testing.T) {
	poolDir := realPath(t, t.TempDir())
	path := filepath.Join(poolDir, "email_personas.json")
	target := filepath.Join(poolDir, "personas.json")
	writeFile(t, target, personasTagged("v1"))
	symlink(t, "personas.json", path)

	// The pool folder watch reports the target, so no second watch is set.
	run := startWatch(t, path)
	checkWatchList(t, run, poolDir)

	writeFile(t, target, personasTagged("v2"))
	run.waitReloads(t, 2)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v2"), 2)
	checkWatchList(t, run, poolDir)
}

func TestWatchLinkFolderAlias(t *testing.T) {
	// The pool path reaches its folder through a linked folder, so the
	// resolved target has another path to the same folder. inotify keeps
	// one watch per folder, so that folder is watched once, by its pool
	// path.
	realDir := realPath(t, t.TempDir())
	alias := filepath.Join(t.TempDir(), "decnet")
	symlink(t, realDir, alias)
	path := filepath.Join(alias, "email_personas.json")
	target := filepath.Join(realDir, "personas.json")
	writeFile(t, target, personasTagged("v1"))
	symlink(t, "personas.json", path)

	run := startWatch(t, path)
	checkPool(t, run.pool, emailsTagged("v1"), 1)
	checkWatchList(t, run, alias)

	writeFile(t, target, personasTagged("v2"))
	run.waitReloads(t, 2)
	run.sync(t, alias)
	checkPool(t, run.pool, emailsTagged("v2"), 2)
	checkWatchList(t, run, alias)
}

func TestWatchLinkCycleKeepsPool(t *testing.T) {
	poolDir, path, _ := linkedPool(t, personasTagged("v1"))
	run := startWatch(t, path)
	run.logs.TakeAll()

	// Two links that point at each other never reach a file.
	cycleDir := realPath(t, t.TempDir())
	first, second := filepath.Join(cycleDir, "a.json"), filepath.Join(cycleDir, "b.json")
	symlink(t, second, first)
	symlink(t, first, second)
	repointLink(t, path, first)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v1"), 1)
	checkWatchList(t, run, poolDir)
	resolveErrors := run.logs.FilterMessage("resolving persona file link failed, not watching its target").All()
	if len(resolveErrors) != 1 {
		t.Errorf("got %d log entries for the link cycle, want 1", len(resolveErrors))
	}
	// Each load that reads the cycle logs the read error, and the marker of
	// sync may or may not share a load with the new link.
	if len(run.logs.FilterMessage("reading persona file, keeping the current pool").All()) == 0 {
		t.Error("got no log entry for the unreadable file, want at least one")
	}

	// A link to a file again ends the error.
	target := filepath.Join(realPath(t, t.TempDir()), "personas.json")
	writeFile(t, target, personasTagged("v2"))
	repointLink(t, path, target)
	run.waitReloads(t, 2)
	run.sync(t, poolDir)
	checkPool(t, run.pool, emailsTagged("v2"), 2)
	checkWatchList(t, run, poolDir, filepath.Dir(target))
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

// TestWatchReadErrorLogsOnce writes into the pool folder while the pool
// path is a folder, as the daemon does when its log file sits beside the
// pool file, and checks that each event does not log the error again.
func TestWatchReadErrorLogsOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "email_personas.json")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	run := startWatch(t, path)
	for range 5 {
		run.sync(t, dir)
	}
	if n := len(run.logs.FilterMessage("reading persona file, keeping the current pool").All()); n != 1 {
		t.Errorf("got %d read error log entries after six loads, want 1", n)
	}
}
