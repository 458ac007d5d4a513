package pool

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"
)

// maxLinkHops bounds how many symbolic links danglingTarget follows, so
// that a cycle of links ends. filepath.EvalSymlinks has the same limit in
// Go 1.26.
const maxLinkHops = 255

// poolWatch keeps the watches that report changes to the pool file. One is
// on the folder of the pool path. While that path is a symbolic link to a
// file in another folder, a second one is on the folder of the link target,
// because writes to the target raise no event in the pool folder.
//
// A chain of links is resolved to its final file, and only the folders of
// the pool path and of that file are watched. Re-pointing an intermediate
// link, or a linked folder on the way to the file, raises no event that
// counts. The new file is then read on SIGHUP or at the next event that
// counts, and only such an event moves the watch to its folder.
type poolWatch struct {
	path   string
	log    *zap.Logger
	folder *folderWatch
	link   *folderWatch

	// linkTarget, linkMissing and linkErr are the outcome of the last
	// resolveLink call, kept so that only changes are logged.
	linkTarget  string
	linkMissing bool
	linkErr     string
}

func newPoolWatch(watcher *fsnotify.Watcher, path string, log *zap.Logger) *poolWatch {
	return &poolWatch{
		path: path,
		log:  log,
		folder: &folderWatch{
			watcher: watcher,
			log:     log,
			target:  filepath.Dir(filepath.Clean(path)),
		},
		// The pool folder watch takes precedence, because every event in
		// that folder counts and so covers the link target as well.
		link: &folderWatch{watcher: watcher, log: log, yields: true},
	}
}

// update resolves the pool path again and then brings both watches in line
// with the file system. A link watch that is no longer needed is removed
// first, so that the pool folder watch never finds it on a folder it needs.
func (w *poolWatch) update() {
	w.retargetLink()
	w.folder.update(w.link)
	w.link.update(w.folder)
}

// relevant reports whether event can change what the pool file contains.
func (w *poolWatch) relevant(event fsnotify.Event) bool {
	return w.folder.relevant(event) || w.link.relevant(event)
}

// needsRetry reports whether a watch that is needed is missing.
func (w *poolWatch) needsRetry() bool {
	return w.folder.needsRetry() || w.link.needsRetry()
}

// retargetLink points the link watch at the folder of the file that the
// pool path names through symbolic links, or clears it when that file is
// in the pool folder or the path is not a link.
func (w *poolWatch) retargetLink() {
	target, missing, err := resolveLink(w.path)
	w.logLink(target, missing, err)
	if err != nil {
		target = ""
	}

	folder := ""
	if target != "" {
		folder = filepath.Dir(target)
	}
	if folder == w.folder.target {
		folder, target = "", ""
	}
	if folder != w.link.target {
		w.link.unwatch()
		w.link.target = folder
	}
	w.link.file = target
}

// logLink logs the outcome of resolveLink when it differs from the last one.
func (w *poolWatch) logLink(target string, missing bool, err error) {
	if err != nil {
		if err.Error() != w.linkErr {
			w.log.Error("resolving persona file link failed, not watching its target",
				zap.String("path", w.path), zap.Error(err))
		}
		w.linkErr, w.linkTarget, w.linkMissing = err.Error(), "", false
		return
	}
	w.linkErr = ""
	if target == w.linkTarget && missing == w.linkMissing {
		return
	}
	w.linkTarget, w.linkMissing = target, missing
	switch {
	case target == "":
		w.log.Info("persona file is no longer a symbolic link", zap.String("path", w.path))
	case missing:
		w.log.Warn("persona file is a symbolic link to a missing file, watching for it",
			zap.String("path", w.path), zap.String("link_target", target))
	default:
		w.log.Info("persona file is a symbolic link, watching its target",
			zap.String("path", w.path), zap.String("link_target", target))
	}
}

// resolveLink returns the file that path names after all symbolic links,
// or "" when path is missing or not a link. missing is true when the chain
// ends at a name that does not exist, which is then the file returned.
func resolveLink(path string) (target string, missing bool, err error) {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("checking persona file %s: %w", path, err)
	}
	if info.Mode()&fs.ModeSymlink == 0 {
		return "", false, nil
	}

	resolved, err := filepath.EvalSymlinks(path)
	if err == nil {
		return resolved, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", false, fmt.Errorf("resolving symbolic link %s: %w", path, err)
	}
	target, err = danglingTarget(path)
	if err != nil {
		return "", false, err
	}
	return target, true, nil
}

// danglingTarget follows the links from path one at a time to the first
// name that does not exist, since filepath.EvalSymlinks only reports that
// some name on the way is missing. Links in the folder of that name are
// resolved when the folder exists, so the watch goes on the real folder.
func danglingTarget(path string) (string, error) {
	start := path
	for range maxLinkHops {
		info, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && info.Mode()&fs.ModeSymlink == 0) {
			dir, err := filepath.EvalSymlinks(filepath.Dir(path))
			if err != nil {
				return filepath.Clean(path), nil
			}
			return filepath.Join(dir, filepath.Base(path)), nil
		}
		if err != nil {
			return "", fmt.Errorf("resolving symbolic link %s: %w", path, err)
		}

		dest, err := os.Readlink(path)
		if err != nil {
			return "", fmt.Errorf("resolving symbolic link %s: %w", path, err)
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", fmt.Errorf("resolving symbolic link %s: more than %d links", start, maxLinkHops)
}
