package driver

// deliverScript runs as `sh -c deliverScript emailgend DIR NAME SIZE STAMP
// FOLDER_STAMP DEADLINE` with the message on standard input. It is a
// constant: every value reaches it as a positional parameter, so nothing
// from a persona, a subject or an LLM is ever parsed as shell code.
//
// The message is written to a hidden name beside the final one and renamed
// only after its size matches, so a reader never sees a partial file and a
// cut stream never becomes one. head -c reads exactly SIZE bytes, so the
// script goes on as soon as the message is in rather than at the end of
// standard input, which the engine passes on through containerd and the
// shim a few ms later. Stamps are UTC "YYYY-MM-DD HH:MM:SS" and the exec
// sets TZ=UTC0, a form that GNU and BusyBox touch -d both read as UTC.
//
// On success the script's only output is "delivered <mtime>", the file's
// mtime in Unix seconds read before the rename (which keeps it), so the
// driver can trust that line without asking the engine for the exit code.
// One stat reads both the size and the mtime. Every failure removes the
// files it wrote and the thread folder when it created it, prints a reason
// on stderr and exits 1. Parent folders that mkdir -p created stay.
//
// The engine cannot stop an exec, so a script that is merely slow would
// rename its file into place after the daemon gave up on it and recorded a
// failure. DEADLINE, in Unix seconds and a little before the daemon's own
// time limit, makes the script give up first; containers share the host's
// clock. The file's change time, which touch has just set to the current
// time, serves as the clock. So the stat that reads the size and mtime also
// reads the time, without another process.
//
// Replies go to a folder that exists, and the -d test spares them the
// mkdir process. A new thread folder changes the spool folder's mtime too,
// so the spool gets the folder stamp as well: the message is the newest in
// the spool. Failing that is not worth failing the delivery over.
const deliverScript = `dir=$1 name=$2 size=$3 stamp=$4 folder_stamp=$5 deadline=$6
tmp=$dir/.$name.tmp
final=$dir/$name
created=
fail() {
	rm -f -- "$tmp"
	[ -z "$created" ] || rmdir -- "$dir" 2>/dev/null
	echo "emailgend: $1" >&2
	exit 1
}
if [ ! -d "$dir" ]; then
	mkdir -p -- "$dir" || fail "creating folder failed"
	created=1
fi
head -c "$size" >"$tmp" || fail "writing temporary file failed"
touch -d "$stamp" -- "$tmp" || fail "setting file time failed"
info=$(stat -c '%s %Y %Z' -- "$tmp") || fail "reading temporary file failed"
set -- $info
[ "$1" -eq "$size" ] || fail "size mismatch: wrote $1 bytes, expected $size"
[ "$3" -lt "$deadline" ] || fail "time limit reached before the rename"
mv -f -- "$tmp" "$final" || fail "renaming into place failed"
if ! touch -d "$folder_stamp" -- "$dir"; then
	rm -f -- "$final"
	fail "setting folder time failed"
fi
if [ -n "$created" ]; then
	touch -d "$folder_stamp" -- "${dir%/*}" 2>/dev/null
fi
echo "delivered $2"
`

// deliveredPrefix starts the script's output when, and only when, it has
// finished without error.
const deliveredPrefix = "delivered "

// scriptFailed is the exit code of a failure the script has cleaned up
// after itself.
const scriptFailed = 1

// stampLayout is the time form passed to touch -d.
const stampLayout = "2006-01-02 15:04:05"
