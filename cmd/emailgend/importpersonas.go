package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/decnet/emailgend/internal/config"
	"github.com/decnet/emailgend/internal/persona"
	"github.com/decnet/emailgend/internal/pool"
)

const importUsage = `Usage: emailgend import-personas FILE [-o DEST]

Validates FILE with the daemon's rules, drops invalid entries with a warning
each, and installs the valid ones as canonical JSON at DEST, by default the
global pool file. The installed file holds the values the daemon uses:
unknown fields are left out, and a malformed active_hours or active_days is
written as 00:00-00:00 and mon-sun, which mean always active. The file is written beside DEST and renamed into place, so
a running daemon sees one complete change. Fails when no entry is valid.

Flags:
  -o DEST   where to install (default: the global pool file)
`

func runImportPersonas(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("emailgend import-personas", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, importUsage) }
	dest := flags.String("o", "", "where to install")
	// Accept the flag after FILE as well, as the usage line shows it.
	var files []string
	for {
		if err := flags.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if flags.NArg() == 0 {
			break
		}
		files = append(files, flags.Arg(0))
		args = flags.Args()[1:]
	}
	if len(files) != 1 {
		fmt.Fprint(stderr, importUsage)
		return 2
	}
	src := files[0]
	if *dest == "" {
		*dest = pool.Path(os.Getenv, config.Home())
	}

	def, err := personaDefaults(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 2
	}
	data, err := os.ReadFile(src)
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: reading persona file: %v\n", err)
		return 2
	}
	res, err := checkPersonas(data, def)
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: %s is not a persona list, nothing installed: %v\n", src, err)
		return 1
	}
	for _, p := range res.problems {
		fmt.Fprintf(stderr, "warning: %s\n", p)
	}
	switch len(res.personas) {
	case 0:
		fmt.Fprintf(stderr, "emailgend: no valid persona in %s, nothing installed\n", src)
		return 1
	case 1:
		fmt.Fprintf(stderr, "warning: only one valid persona in %s; a decky needs two to receive mail\n", src)
	}

	out, err := keepDefaultsOpen(data, res).MarshalCanonical()
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: encoding personas: %v\n", err)
		return 1
	}
	if err := installFile(*dest, out, stderr); err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "installed %s at %s (%d dropped)\n",
		countOf(len(res.personas), "persona", "personas"), *dest, res.dropped)
	return 0
}

// keepDefaultsOpen clears the language and time zone of personas whose entry
// named none, so the installed file keeps following the host's
// DECNET_EMAILGEN_LANGUAGE and DECNET_EMAILGEN_TIMEZONE instead of freezing
// the values in force during the import.
func keepDefaultsOpen(data []byte, res checkedFile) persona.List {
	var entries []map[string]json.RawMessage
	// The content already parsed as a list; an entry that is not an object
	// was dropped and is skipped below with the other dropped ones.
	_ = json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &entries)
	dropped := map[int]bool{}
	for _, p := range res.problems {
		if p.Dropped {
			dropped[p.Index] = true
		}
	}
	out := make(persona.List, 0, len(res.personas))
	next := 0
	for i := range entries {
		if dropped[i] || next >= len(res.personas) {
			continue
		}
		p := res.personas[next]
		next++
		if isUnset(entries[i]["language"]) {
			p.Language = ""
		}
		if isUnset(entries[i]["timezone"]) {
			p.Timezone = ""
		}
		out = append(out, p)
	}
	return out
}

func isUnset(raw json.RawMessage) bool {
	v := strings.TrimSpace(string(raw))
	return v == "" || v == "null" || v == `""`
}

// installFile writes data beside dest, syncs it and renames it over dest,
// so readers see either the old file or the whole new one. The folder is
// created when missing. An existing dest keeps its mode, owner and group.
// Warnings that do not stop the install are written to stderr.
func installFile(dest string, data []byte, stderr io.Writer) (err error) {
	// A pool file that is a symbolic link is installed at its target, so
	// the link stays.
	if target, err := filepath.EvalSymlinks(dest); err == nil {
		dest = target
	}
	mode := os.FileMode(0o644)
	old, err := os.Stat(dest)
	switch {
	case err == nil:
		// A rename would replace a device, FIFO or folder with a plain
		// file, which on /dev/null breaks the whole host.
		if !old.Mode().IsRegular() {
			return fmt.Errorf("%s exists and is not a regular file (%s), nothing installed; choose a regular file path with -o", dest, fileKind(old.Mode()))
		}
		mode = old.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("checking %s: %w", dest, err)
	}
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating folder for %s: %w", dest, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".*.tmp")
	if err != nil {
		return fmt.Errorf("installing %s: %w", dest, err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("setting mode of %s: %w", tmp.Name(), err)
	}
	if old != nil {
		if err := keepOwner(tmp, dest, old, stderr); err != nil {
			tmp.Close()
			return err
		}
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("syncing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return fmt.Errorf("installing %s: %w", dest, err)
	}
	if d, err := os.Open(dir); err == nil {
		// Persist the rename itself; a failure here loses nothing already
		// visible, so it is not reported.
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// keepOwner gives tmp the owner and group of the file it replaces, so a
// daemon that runs as another user can still read the pool after an import
// by root. A caller without the right to chown gets a warning on stderr
// instead of an error, because the install itself can still succeed.
func keepOwner(tmp *os.File, dest string, old fs.FileInfo, stderr io.Writer) error {
	stat, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	uid, gid := int(stat.Uid), int(stat.Gid)
	if uid == os.Geteuid() && gid == os.Getegid() {
		return nil
	}
	err := tmp.Chown(uid, gid)
	if errors.Is(err, fs.ErrPermission) {
		fmt.Fprintf(stderr, "warning: cannot keep owner %d:%d of %s (%v); the installed file belongs to %d:%d, so a daemon running as %d:%d may not be able to read it\n",
			uid, gid, dest, err, os.Geteuid(), os.Getegid(), uid, gid)
		return nil
	}
	if err != nil {
		return fmt.Errorf("setting owner of %s to %d:%d: %w", tmp.Name(), uid, gid, err)
	}
	return nil
}

// fileKind names the type of a file that is not a regular file.
func fileKind(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "a folder"
	case mode&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a block device"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	default:
		return "type " + mode.Type().String()
	}
}
