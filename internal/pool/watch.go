package pool

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"
)

const (
	// quietPeriod is how long the folder must stay free of events before
	// the file is read, so that a burst of writes becomes one reload and a
	// file being written by cp is read only once the writes stop.
	quietPeriod = 100 * time.Millisecond
	// maxSettleDelay bounds the wait for a quiet period, so that a folder
	// whose other files change without pause still gets its reloads.
	maxSettleDelay = time.Second
	// rewatchDelay is how long the loop waits before it tries again to set
	// up a watch that failed, for example when inotify ran out of watches.
	rewatchDelay = 5 * time.Second
	// maxRewatchSteps bounds how many times one call of folderWatch.update
	// moves the watch, in case folders are created and removed without
	// pause. The next event or retry continues from where it stopped.
	maxRewatchSteps = 32
)

// Watch keeps the pool in step with its file until ctx is done, and then
// returns nil.
//
// Watch watches the folder of the file rather than the file itself, so it
// detects in-place writes, renames over the file, deletion and creation, and
// the symbolic link swaps of a Kubernetes ConfigMap volume. While the folder
// does not exist, Watch watches its nearest existing parent and moves the
// watch down as folders appear. When the file is a symbolic link to a file
// in another folder, Watch also watches that folder, where only events on
// the link target count. The watches are set up before the first Load, so
// no change is lost between the two. Every event that counts schedules a
// Load once the watched folders have been quiet for about 100 ms, and the
// content hash check of Load skips unchanged content.
//
// A bad file or a watcher error is logged and never ends the loop. Watch
// returns an error only when it cannot create the watcher.
func (p *Pool) Watch(ctx context.Context) error {
	watcher, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("creating file watcher for %s: %w", p.path, err)
	}
	defer func() {
		if err := watcher.Close(); err != nil {
			p.log.Warn("closing persona file watcher failed", zap.String("path", p.path), zap.Error(err))
		}
	}()
	return p.watch(ctx, watcher)
}

// watch runs the watch loop of Watch on watcher, which it does not close.
func (p *Pool) watch(ctx context.Context, watcher *fsnotify.Watcher) error {
	watches := newPoolWatch(watcher, p.path, p.log)
	watches.update()
	_ = p.Load() // Load logs its own errors, and a bad file must not stop the loop.
	fields := []zap.Field{
		zap.String("path", p.path),
		zap.String("watched_folder", watches.folder.watched),
	}
	if watches.link.active {
		fields = append(fields, zap.String("watched_link_folder", watches.link.watched))
	}
	p.log.Info("watching persona file for changes", fields...)
	// The hook runs after the log, so a test that waits for the first load
	// finds every startup log entry already recorded.
	if p.settleHook != nil {
		p.settleHook(nil)
	}

	settle := time.NewTimer(0)
	settle.Stop()
	pending := false
	var burstStart time.Time
	var names []string

	// schedule starts or extends the quiet period before the next load.
	schedule := func(delay time.Duration) {
		now := time.Now()
		if !pending {
			pending, burstStart = true, now
		}
		if limit := burstStart.Add(maxSettleDelay); now.Add(delay).After(limit) {
			delay = max(limit.Sub(now), 0)
		}
		settle.Reset(delay)
	}
	if watches.needsRetry() {
		schedule(rewatchDelay)
	}

	for {
		select {
		case <-ctx.Done():
			settle.Stop()
			p.log.Info("stopped watching persona file", zap.String("path", p.path))
			return nil

		case event, ok := <-watcher.Events:
			if !ok {
				return fmt.Errorf("watching persona file %s: watcher closed", p.path)
			}
			if !watches.relevant(event) {
				continue
			}
			if p.settleHook != nil {
				names = append(names, event.Name)
			}
			schedule(quietPeriod)

		case err, ok := <-watcher.Errors:
			if !ok {
				return fmt.Errorf("watching persona file %s: watcher closed", p.path)
			}
			// An overflow loses events, so read the file again to be sure.
			p.log.Error("persona file watcher failed, reloading to be safe",
				zap.String("path", p.path), zap.Error(err))
			schedule(quietPeriod)

		case <-settle.C:
			pending = false
			watches.update()
			_ = p.Load() // Load logs its own errors.
			if p.settleHook != nil {
				p.settleHook(names)
				names = nil
			}
			if watches.needsRetry() {
				schedule(rewatchDelay)
			}
		}
	}
}

// folderWatch keeps one fsnotify watch on a folder, or on its nearest
// existing parent while that folder is missing. The watch loop has one for
// the folder of the pool file and one for the folder of a link target.
type folderWatch struct {
	watcher *fsnotify.Watcher
	log     *zap.Logger
	// target is the cleaned folder to watch. The link target watch leaves
	// it empty while the pool file needs no second watch.
	target string
	// file, when set, is the only file in target whose events count. The
	// folder of the pool file leaves it empty, because editors, cp, mv and
	// ConfigMap swaps each touch different names there.
	file string
	// yields decides which watch keeps a folder that both watches need:
	// the one with yields set leaves it to the other, which takes it over.
	// inotify keeps one watch per folder, and fsnotify (v1.10.1) names all
	// its events after the path added first, so a folder reached by two
	// paths can be watched through only one of them.
	yields bool
	// covered is true when the other watch is on this watch's folder and
	// so reports its events.
	covered bool

	// watched is the folder under watch, valid when active is true, and
	// watchedInfo is its os.Stat result taken before the watch was added.
	watched     string
	watchedInfo os.FileInfo
	active      bool
}

// relevant reports whether event can change the watched file. Every event
// on the watched folder itself counts, since that folder was removed or
// moved. In the target folder every event counts unless file is set. In a
// parent folder only events on the next folder towards target count.
func (f *folderWatch) relevant(event fsnotify.Event) bool {
	if !f.active {
		return false
	}
	if event.Name == f.watched {
		return true
	}
	if filepath.Dir(event.Name) != f.watched {
		return false // an event of the other watch
	}
	if f.watched != f.target {
		return event.Name == f.target || strings.HasPrefix(f.target, event.Name+string(filepath.Separator))
	}
	return f.file == "" || event.Name == f.file
}

// needsRetry reports whether the watch is missing, because no folder was
// found or adding it failed.
func (f *folderWatch) needsRetry() bool {
	return f.target != "" && !f.active && !f.covered
}

// watchesFolder reports whether the watch is on the folder that info
// describes.
func (f *folderWatch) watchesFolder(info os.FileInfo) bool {
	return f != nil && f.active && os.SameFile(f.watchedInfo, info)
}

// update points the watch at the nearest existing folder on the way to
// target. It moves the watch down when folders have appeared, up when the
// watched folder was removed, and adds it again when the watched folder
// was replaced by another one at the same path. When other already watches
// that folder, update leaves the folder to other if yields is set, and
// takes it over otherwise.
//
// Each new watch is added before the folder is checked again, so a folder
// created between the check and the watch is found by the next check, and
// the Load that follows update reads a file created before the watch.
func (f *folderWatch) update(other *folderWatch) {
	f.covered = false
	if f.target == "" {
		f.unwatch()
		return
	}
	for range maxRewatchSteps {
		dir, info, err := nearestFolder(f.target)
		if err != nil {
			f.unwatch()
			f.log.Error("no existing folder to watch for the persona file",
				zap.String("folder", f.target), zap.Error(err))
			return
		}
		if f.active && dir == f.watched && os.SameFile(info, f.watchedInfo) &&
			slices.Contains(f.watcher.WatchList(), dir) {
			return
		}

		f.unwatch()
		if other.watchesFolder(info) {
			if f.yields {
				f.covered = true
				f.log.Debug("persona folder already watched through another path",
					zap.String("folder", dir), zap.String("watched_folder", other.watched))
				return
			}
			other.unwatch()
		}
		if err := f.watcher.Add(dir); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed since the check, so look again
			}
			f.log.Error("watching persona folder failed, retrying later",
				zap.String("folder", dir), zap.Duration("retry_in", rewatchDelay), zap.Error(err))
			return
		}
		f.watched, f.watchedInfo, f.active = dir, info, true
		if dir != f.target {
			f.log.Info("persona folder not found, watching its nearest existing parent",
				zap.String("folder", f.target), zap.String("watched_folder", dir))
		} else {
			f.log.Debug("watching persona folder", zap.String("folder", dir))
		}
	}
}

// unwatch removes the current watch. fsnotify drops the watch of a folder
// that was removed or renamed by itself, so ErrNonExistentWatch is
// expected. The kernel drops the watch of a deleted folder before fsnotify
// reads the event that reports it, and a removal in between fails with
// EINVAL. So a failure is a warning only while the folder is still in place.
func (f *folderWatch) unwatch() {
	if !f.active {
		return
	}
	f.active = false
	err := f.watcher.Remove(f.watched)
	if err == nil || errors.Is(err, fsnotify.ErrNonExistentWatch) {
		return
	}
	if info, statErr := os.Stat(f.watched); statErr != nil || !os.SameFile(info, f.watchedInfo) {
		f.log.Debug("persona folder watch already gone with its folder",
			zap.String("folder", f.watched), zap.Error(err))
		return
	}
	f.log.Warn("removing persona folder watch failed", zap.String("folder", f.watched), zap.Error(err))
}

// nearestFolder returns dir, or its nearest parent, that exists and is a
// folder, with its os.Stat result.
func nearestFolder(dir string) (string, os.FileInfo, error) {
	for {
		info, err := os.Stat(dir)
		if err == nil && info.IsDir() {
			return dir, info, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			if err == nil {
				err = fmt.Errorf("%s is not a folder", dir)
			}
			return "", nil, fmt.Errorf("finding a folder to watch above %s: %w", dir, err)
		}
		dir = parent
	}
}
