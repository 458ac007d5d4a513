// Package driver delivers messages into mail containers through the Docker
// exec API. Each delivery is one exec of a fixed shell script that writes
// the message beside its final name, checks its size, sets its mtime to the
// message's Date and renames it into place.
package driver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
)

// DefaultTimeout is the daemon's default limit for one delivery exec.
const DefaultTimeout = 8 * time.Second

// maxReason caps the container's stderr quoted in an error.
const maxReason = 512

// maxOutput caps the standard output kept from an exec. The script prints
// one short line, and an attacker with root in a decoy can make sh print
// without end, so nothing an exec prints may grow the daemon's memory.
const maxOutput = 4096

// maxDiscarded is how much output beyond what is kept run reads before it
// gives up on the exec, so a container that floods its output costs the
// daemon neither memory nor a CPU spent copying until the time limit.
const maxDiscarded = 1 << 20

// errOutputFlood ends the reading of an exec's output once more than
// maxDiscarded bytes were dropped.
var errOutputFlood = fmt.Errorf("the exec printed more than %d bytes, far more than the delivery script does; "+
	"check the container's sh and core commands", maxDiscarded)

// Delivery is one message file to write into a container.
type Delivery struct {
	// Dir is the absolute thread folder, such as
	// /var/spool/decnet-emails/<thread id>. It is created when missing.
	Dir string
	// Name is the file name inside Dir; see FileName and ValidName.
	Name string
	// Data is the whole RFC 5322 message.
	Data []byte
	// Date is the message's Date header, which becomes the file's mtime.
	Date time.Time
	// FolderDate is the Date of the newest message in Dir, which becomes
	// the folder's mtime. A zero or earlier value is replaced by Date,
	// because the folder contains this message too.
	FolderDate time.Time
}

// Exec is the part of the Docker client that the driver uses.
type Exec interface {
	ContainerExecCreate(ctx context.Context, container string, options container.ExecOptions) (container.ExecCreateResponse, error)
	ContainerExecAttach(ctx context.Context, execID string, config container.ExecAttachOptions) (types.HijackedResponse, error)
	ContainerExecInspect(ctx context.Context, execID string) (container.ExecInspect, error)
}

// Driver delivers messages with one exec each. It is safe for concurrent
// use.
type Driver struct {
	client  Exec
	timeout time.Duration
}

// New returns a driver that gives each exec at most timeout, from its
// creation until its exit code is known. A timeout of zero or less means
// DefaultTimeout.
func New(c Exec, timeout time.Duration) *Driver {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Driver{client: c, timeout: timeout}
}

// Deliver writes del into the container and checks that the file's mtime
// equals del.Date to the second. On any failure it returns an error naming
// the container and the reason, and removes the temporary and final files
// when the container can still run commands.
func (d *Driver) Deliver(ctx context.Context, containerID string, del Delivery) error {
	return d.deliver(ctx, containerID, del, len(del.Data))
}

// deliver takes the size the script checks as a separate argument, so tests
// can make it disagree with the data actually sent.
func (d *Driver) deliver(ctx context.Context, containerID string, del Delivery, size int) error {
	if err := validate(del); err != nil {
		return fmt.Errorf("delivering to container %s: %w", containerID, err)
	}
	dir := path.Clean(del.Dir)
	final := path.Join(dir, del.Name)
	folderDate := del.FolderDate
	if folderDate.Before(del.Date) {
		folderDate = del.Date
	}
	deadline := time.Now().Add(d.timeout - renameMargin(d.timeout))
	cmd := []string{
		"sh", "-c", deliverScript, "emailgend",
		dir, del.Name, strconv.Itoa(size),
		del.Date.UTC().Format(stampLayout), folderDate.UTC().Format(stampLayout),
		strconv.FormatInt(deadline.Unix(), 10),
	}

	// NOTE: the engine has no call to kill an exec, so after a timeout the
	// script keeps running. Its deadline stops it from renaming the file
	// into place. A rename just before the deadline whose output arrives
	// after the time limit still leaves the file to the cleanup below, and
	// that cleanup can fail on a container too slow to run it.
	fail := func(reason error, cleanup bool) error {
		err := fmt.Errorf("delivering %s to container %s: %w", final, containerID, reason)
		if cleanup {
			tmp := path.Join(dir, "."+del.Name+".tmp")
			if rmErr := d.remove(ctx, containerID, tmp, final); rmErr != nil {
				err = errors.Join(err, rmErr)
			}
		}
		return err
	}

	runCtx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	res, err := d.run(runCtx, containerID, cmd, del.Data, deliveredPrefix)
	if err != nil {
		return fail(err, res.started)
	}
	switch res.exitCode {
	case 0:
	case scriptFailed:
		return fail(fmt.Errorf("exit code %d: %s", res.exitCode, res.stderr), false)
	case 126, 127:
		// The runtime exits 126 or 127 when it cannot start sh, and the
		// script itself never does, so nothing was written.
		return fail(fmt.Errorf("starting sh: exit code %d, the container has no usable shell: %s",
			res.exitCode, res.stderr), false)
	default:
		return fail(fmt.Errorf("exit code %d: %s", res.exitCode, res.stderr), true)
	}

	out := strings.TrimSpace(res.stdout)
	mtime, err := strconv.ParseInt(strings.TrimPrefix(out, deliveredPrefix), 10, 64)
	if err != nil {
		return fail(fmt.Errorf("reading file mtime from output %q: %w", out, err), true)
	}
	if want := del.Date.Unix(); mtime != want {
		got := time.Unix(mtime, 0).UTC().Format(time.RFC3339)
		return fail(fmt.Errorf("file mtime is %s, want %s", got, del.Date.UTC().Format(time.RFC3339)), true)
	}
	return nil
}

// renameMargin is how long before the daemon's time limit the script stops
// being allowed to rename: a quarter of the limit, at most two seconds.
func renameMargin(timeout time.Duration) time.Duration {
	return min(timeout/4, 2*time.Second)
}

func validate(del Delivery) error {
	if !path.IsAbs(del.Dir) || strings.Contains(del.Dir, "\x00") {
		return fmt.Errorf("invalid folder %q: want an absolute path without NUL", del.Dir)
	}
	if err := ValidName(del.Name); err != nil {
		return err
	}
	if del.Date.IsZero() {
		return fmt.Errorf("invalid delivery of %s: missing date", del.Name)
	}
	return nil
}

// remove deletes paths with rm run directly, without a shell, so it works
// where the delivery failed for want of one. It runs under its own timeout
// because the delivery's may already be spent.
func (d *Driver) remove(ctx context.Context, containerID string, paths ...string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.timeout)
	defer cancel()

	cmd := append([]string{"rm", "-f", "--"}, paths...)
	res, err := d.run(ctx, containerID, cmd, nil, "")
	if err == nil && res.exitCode != 0 {
		err = fmt.Errorf("exit code %d: %s", res.exitCode, res.stderr)
	}
	if err != nil {
		return fmt.Errorf("removing leftover files %q from container %s: %w", paths, containerID, err)
	}
	return nil
}

// execResult is the outcome of one exec. started reports whether the
// command may have run, which decides whether there is anything to clean.
type execResult struct {
	started  bool
	stdout   string
	stderr   string
	exitCode int
}

// run executes cmd with stdin as its standard input and waits for its exit
// code. It returns an error when the exec could not be created, attached or
// inspected, or when ctx ends first. A non-zero exit is not an error here.
// A first line of output that starts with a non-empty successPrefix means
// the command has succeeded. run then returns as soon as that line is
// complete, so it neither waits for the engine to close the stream nor
// asks it for the exit code.
func (d *Driver) run(ctx context.Context, containerID string, cmd []string, stdin []byte, successPrefix string) (execResult, error) {
	var res execResult
	created, err := d.client.ContainerExecCreate(ctx, containerID, container.ExecOptions{
		Cmd:          cmd,
		Env:          []string{"TZ=UTC0"},
		AttachStdin:  stdin != nil,
		AttachStdout: true,
		AttachStderr: true,
	})
	if err != nil {
		return res, fmt.Errorf("creating exec: %w", err)
	}
	// Attaching starts the exec, so from here on files may exist.
	res.started = true
	hijack, err := d.client.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return res, fmt.Errorf("starting exec: %w", err)
	}
	defer hijack.Close()

	stdout := newSuccessWatch(successPrefix)
	stderr := &cappedBuffer{limit: maxReason}
	if err := stream(ctx, hijack, stdin, stdout, stderr, stdout.seen); err != nil {
		return res, err
	}
	res.stdout = stdout.String()
	res.stderr = stderr.reason()
	if stdout.succeeded() {
		return res, nil
	}

	code, err := d.exitCode(ctx, created.ID)
	if err != nil {
		return res, err
	}
	res.exitCode = code
	return res, nil
}

// stream sends stdin and copies the multiplexed output until the command
// closes it or done is closed. When ctx ends first it closes the
// connection, which is the only way to interrupt a hijacked stream, and
// returns ctx's error.
func stream(ctx context.Context, hijack types.HijackedResponse, stdin []byte, stdout, stderr io.Writer, done <-chan struct{}) error {
	if stdin != nil {
		// A write error needs no report, because a command that stopped
		// reading early fails on its own and its exit code shows it.
		go func() {
			if _, err := hijack.Conn.Write(stdin); err == nil {
				_ = hijack.CloseWrite()
			}
		}()
	}

	copied := make(chan error, 1)
	go func() {
		_, err := stdcopy.StdCopy(stdout, stderr, hijack.Reader)
		copied <- err
	}()
	select {
	case err := <-copied:
		if err != nil {
			return fmt.Errorf("reading exec output: %w", err)
		}
		return nil
	case <-done:
		// The rest of the stream can only be the command's exit, and
		// closing the connection does not stop the command.
		hijack.Close()
		<-copied
		return nil
	case <-ctx.Done():
		hijack.Close()
		<-copied
		return fmt.Errorf("waiting for exec output: %w", ctx.Err())
	}
}

// successWatch keeps the first maxOutput bytes of standard output and
// closes seen once the output's first line is complete and starts with
// prefix. An empty prefix never matches.
type successWatch struct {
	out    cappedBuffer
	prefix string
	seen   chan struct{}
	closed bool
}

func newSuccessWatch(prefix string) *successWatch {
	return &successWatch{out: cappedBuffer{limit: maxOutput}, prefix: prefix, seen: make(chan struct{})}
}

func (w *successWatch) Write(p []byte) (int, error) {
	n, err := w.out.Write(p)
	if !w.closed && w.succeeded() {
		w.closed = true
		close(w.seen)
	}
	return n, err
}

// String returns the kept output.
func (w *successWatch) String() string {
	return w.out.buf.String()
}

// succeeded reports whether the output so far starts with a whole line
// that starts with the prefix.
func (w *successWatch) succeeded() bool {
	line, _, complete := bytes.Cut(w.out.buf.Bytes(), []byte("\n"))
	return w.prefix != "" && complete && bytes.HasPrefix(line, []byte(w.prefix))
}

// exitCode polls the exec until the engine records its exit, because the
// output stream can close a moment before the exit code is set.
func (d *Driver) exitCode(ctx context.Context, execID string) (int, error) {
	delay := time.Millisecond
	for {
		inspect, err := d.client.ContainerExecInspect(ctx, execID)
		if err != nil {
			return 0, fmt.Errorf("inspecting exec: %w", err)
		}
		if !inspect.Running {
			return inspect.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("waiting for exec exit code: %w", ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// cappedBuffer keeps the first limit bytes written to it and counts the
// rest. Once more than maxDiscarded bytes were dropped, Write fails with
// errOutputFlood, which ends the copy of the exec's output.
type cappedBuffer struct {
	buf     bytes.Buffer
	limit   int
	dropped int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	room := max(b.limit-b.buf.Len(), 0)
	if room >= len(p) {
		b.buf.Write(p)
		return len(p), nil
	}
	b.buf.Write(p[:room])
	b.dropped += len(p) - room
	if b.dropped > maxDiscarded {
		return room, errOutputFlood
	}
	return len(p), nil
}

// reason returns the kept text trimmed, marking a cut with the number of
// bytes left out.
func (b *cappedBuffer) reason() string {
	text := strings.TrimSpace(strings.ToValidUTF8(b.buf.String(), "?"))
	if text == "" {
		text = "no error output"
	}
	if b.dropped > 0 {
		text += fmt.Sprintf(" ... (%d more bytes)", b.dropped)
	}
	return text
}
