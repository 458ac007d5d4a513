package driver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/google/go-cmp/cmp"

	"github.com/decnet/emailgend/internal/dockertest"
)

// These tests need a Docker engine. They skip without one unless CI is set,
// and run every case against a BusyBox image and a GNU coreutils image.

type testImage struct {
	name  string
	build func(testing.TB, *client.Client) string
	// hang makes the script block before it writes the message to path.
	hang func(t *testing.T, c *client.Client, id, path string)
	// canReplaceCommands is false for BusyBox, whose shell runs its
	// built-in applets in preference to files on PATH.
	canReplaceCommands bool
}

var testImages = []testImage{
	{
		name:  "busybox",
		build: dockertest.BusyBoxImage,
		hang: func(t *testing.T, c *client.Client, id, path string) {
			// Opening a FIFO for writing blocks until a reader comes,
			// and none does.
			dockertest.Exec(t, c, id, "sh", "-c",
				`busybox mkdir -p "${1%/*}" && busybox mkfifo "$1"`, "sh", path)
		},
	},
	{
		name:  "coreutils",
		build: dockertest.CoreutilsImage,
		hang: func(t *testing.T, c *client.Client, id, _ string) {
			replaceCommand(t, c, id, "head", "exec sleep 30")
		},
		canReplaceCommands: true,
	},
}

const spool = "/var/spool/decnet-emails"

func sampleDelivery(thread, messageID string) Delivery {
	date := time.Date(2024, 3, 5, 14, 7, 9, 0, time.FixedZone("-0300", -3*3600))
	return Delivery{
		Dir:        spool + "/" + thread,
		Name:       FileName(messageID),
		Data:       []byte("From: a@acme.example\r\nSubject: hi\r\n\r\nbody\r\n"),
		Date:       date,
		FolderDate: date.Add(26 * time.Hour),
	}
}

// listDir returns the names in dir, hidden ones included, or "" when dir
// does not exist.
func listDir(t *testing.T, c *client.Client, id, dir string) string {
	t.Helper()
	return dockertest.Exec(t, c, id, "sh", "-c", `ls -A "$1" 2>/dev/null; true`, "sh", dir)
}

func mtime(t *testing.T, c *client.Client, id, file string) int64 {
	t.Helper()
	out := strings.TrimSpace(dockertest.Exec(t, c, id, "stat", "-c", "%Y", file))
	n, err := strconv.ParseInt(out, 10, 64)
	if err != nil {
		t.Fatalf("parsing mtime of %s from %q: %v", file, out, err)
	}
	return n
}

func TestDeliverSetsMtimes(t *testing.T) {
	c := dockertest.Client(t)
	for _, img := range testImages {
		for _, tz := range []string{"", "Asia/Tokyo"} {
			t.Run(img.name+"/TZ="+tz, func(t *testing.T) {
				t.Parallel()
				var env []string
				if tz != "" {
					env = []string{"TZ=" + tz}
				}
				id := dockertest.StartContainer(t, c, dockertest.ContainerSpec{Image: img.build(t, c), Env: env})
				d := New(c, DefaultTimeout)
				del := sampleDelivery("thread-1", "<m1@acme.example>")

				if err := d.Deliver(context.Background(), id, del); err != nil {
					t.Fatalf("Deliver: %v", err)
				}
				file := del.Dir + "/" + del.Name
				if got, want := mtime(t, c, id, file), del.Date.Unix(); got != want {
					t.Errorf("file mtime = %d, want %d (%s)", got, want, del.Date)
				}
				if got, want := mtime(t, c, id, del.Dir), del.FolderDate.Unix(); got != want {
					t.Errorf("folder mtime = %d, want %d (%s)", got, want, del.FolderDate)
				}
				if got, want := mtime(t, c, id, spool), del.FolderDate.Unix(); got != want {
					t.Errorf("spool mtime after a new thread = %d, want the folder date %d", got, want)
				}
				if got, want := listDir(t, c, id, del.Dir), del.Name+"\n"; got != want {
					t.Errorf("folder contents = %q, want %q", got, want)
				}
			})
		}
	}
}

func TestDeliverFolderDateNotBeforeDate(t *testing.T) {
	c := dockertest.Client(t)
	id := dockertest.StartContainer(t, c, dockertest.ContainerSpec{Image: dockertest.BusyBoxImage(t, c)})
	del := sampleDelivery("thread-2", "<m2@acme.example>")
	del.FolderDate = time.Time{}

	if err := New(c, DefaultTimeout).Deliver(context.Background(), id, del); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if got, want := mtime(t, c, id, del.Dir), del.Date.Unix(); got != want {
		t.Errorf("folder mtime with zero FolderDate = %d, want Date %d", got, want)
	}
}

func TestDeliverKeepsBytes(t *testing.T) {
	c := dockertest.Client(t)
	persona := "O'Brien; $(reboot) `id`"
	var body bytes.Buffer
	fmt.Fprintf(&body, "From: %s <obrien@acme.example>\r\n", persona)
	body.WriteString("Subject: Presupuesto Q3 — Ñandú, 日本語, emoji 📬\r\n\r\n")
	body.WriteString("Línea con \"comillas\", 'apóstrofos', $HOME, \\n, %s, * and ?\r\n")
	body.Write([]byte{0x00, 0x01, 0xff, '\n'})
	body.WriteString("no trailing newline")

	for _, img := range testImages {
		t.Run(img.name, func(t *testing.T) {
			t.Parallel()
			id := dockertest.StartContainer(t, c, dockertest.ContainerSpec{Image: img.build(t, c)})
			del := sampleDelivery("thread '$(id)' ;x", "<"+persona+"@acme.example>")
			del.Data = body.Bytes()
			if err := ValidName(del.Name); err != nil {
				t.Fatalf("ValidName(%q): %v", del.Name, err)
			}

			if err := New(c, DefaultTimeout).Deliver(context.Background(), id, del); err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			got := dockertest.Exec(t, c, id, "cat", del.Dir+"/"+del.Name)
			if diff := cmp.Diff(body.String(), got); diff != "" {
				t.Errorf("file content mismatch (-want +got):\n%s", diff)
			}
			if got := listDir(t, c, id, "/"); strings.Contains(got, "reboot") {
				t.Errorf("root folder lists %q after delivery, want no file named from the message", got)
			}
		})
	}
}

func TestDeliverConcurrent(t *testing.T) {
	c := dockertest.Client(t)
	id := dockertest.StartContainer(t, c, dockertest.ContainerSpec{Image: dockertest.BusyBoxImage(t, c)})
	d := New(c, DefaultTimeout)

	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			del := sampleDelivery("thread-c", fmt.Sprintf("<m%d@acme.example>", i))
			del.Date = del.Date.Add(time.Duration(i) * time.Minute)
			errs[i] = d.Deliver(context.Background(), id, del)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("delivery %d: %v", i, err)
		}
	}
	got := strings.Fields(listDir(t, c, id, spool+"/thread-c"))
	if len(got) != n {
		t.Errorf("folder contains %d files %q, want %d", len(got), got, n)
	}
}

func TestDeliverFailures(t *testing.T) {
	c := dockertest.Client(t)
	for _, img := range testImages {
		t.Run(img.name, func(t *testing.T) {
			t.Parallel()
			image := img.build(t, c)

			t.Run("stopped container", func(t *testing.T) {
				t.Parallel()
				id := dockertest.StartContainer(t, c, dockertest.ContainerSpec{Image: image})
				ctx := context.Background()
				timeout := 0
				if err := c.ContainerStop(ctx, id, container.StopOptions{Timeout: &timeout}); err != nil {
					t.Fatalf("stopping container: %v", err)
				}
				del := sampleDelivery("thread-s", "<s@acme.example>")

				err := New(c, DefaultTimeout).Deliver(ctx, id, del)
				wantError(t, err, id, "not running")

				if err := c.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
					t.Fatalf("restarting container: %v", err)
				}
				if got := listDir(t, c, id, "/var/spool"); got != "" {
					t.Errorf("spool after restart contains %q, want nothing", got)
				}
			})

			t.Run("cut stream", func(t *testing.T) {
				t.Parallel()
				id := dockertest.StartContainer(t, c, dockertest.ContainerSpec{Image: image})
				del := sampleDelivery("thread-cut", "<cut@acme.example>")

				err := New(c, DefaultTimeout).deliver(context.Background(), id, del, len(del.Data)+7)
				wantError(t, err, id, "size mismatch")
				if got := listDir(t, c, id, spool); got != "" {
					t.Errorf("spool contains %q after a cut stream, want nothing", got)
				}
			})

			t.Run("cut stream into existing folder", func(t *testing.T) {
				t.Parallel()
				id := dockertest.StartContainer(t, c, dockertest.ContainerSpec{Image: image})
				d := New(c, DefaultTimeout)
				first := sampleDelivery("thread-cut2", "<first@acme.example>")
				if err := d.Deliver(context.Background(), id, first); err != nil {
					t.Fatalf("Deliver of the first message: %v", err)
				}
				del := sampleDelivery("thread-cut2", "<cut@acme.example>")

				err := d.deliver(context.Background(), id, del, len(del.Data)+7)
				wantError(t, err, id, "size mismatch")
				if got, want := listDir(t, c, id, del.Dir), first.Name+"\n"; got != want {
					t.Errorf("folder contains %q after a cut stream, want %q", got, want)
				}
			})

			t.Run("full disk", func(t *testing.T) {
				t.Parallel()
				id := dockertest.StartContainer(t, c, dockertest.ContainerSpec{
					Image: image,
					Tmpfs: map[string]string{"/var/spool": "size=64k"},
				})
				del := sampleDelivery("thread-full", "<full@acme.example>")
				del.Data = bytes.Repeat([]byte("x"), 256<<10)

				err := New(c, DefaultTimeout).Deliver(context.Background(), id, del)
				wantError(t, err, id, "writing temporary file failed")
				if got := listDir(t, c, id, spool); got != "" {
					t.Errorf("spool contains %q after a full disk, want nothing", got)
				}
			})

			t.Run("mtime mismatch", func(t *testing.T) {
				if !img.canReplaceCommands {
					t.Skip("stat cannot be replaced in this image; TestDeliverOutcomes covers the check")
				}
				t.Parallel()
				id := dockertest.StartContainer(t, c, dockertest.ContainerSpec{Image: image})
				// The script calls stat -c '%s %Y %Z' -- FILE; the stand-in
				// reports the true size, a wrong mtime and the current time.
				replaceCommand(t, c, id, "stat", `echo "$(wc -c <"$4") 12345 $(date +%s)"`)
				del := sampleDelivery("thread-mtime", "<mtime@acme.example>")

				err := New(c, DefaultTimeout).Deliver(context.Background(), id, del)
				wantError(t, err, id, "file mtime is 1970-01-01T03:25:45Z")
				if got := listDir(t, c, id, del.Dir); got != "" {
					t.Errorf("folder contains %q after an mtime mismatch, want nothing", got)
				}
			})

			t.Run("timeout", func(t *testing.T) {
				t.Parallel()
				id := dockertest.StartContainer(t, c, dockertest.ContainerSpec{Image: image})
				del := sampleDelivery("thread-slow", "<slow@acme.example>")
				img.hang(t, c, id, del.Dir+"/."+del.Name+".tmp")

				// NOTE: the cleanup exec must run after the script has
				// opened its temporary file, which one second leaves ample
				// room for on an idle engine.
				err := New(c, time.Second).Deliver(context.Background(), id, del)
				wantError(t, err, id, "deadline exceeded")
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("Deliver error %v does not wrap context.DeadlineExceeded", err)
				}
				if got := listDir(t, c, id, del.Dir); got != "" {
					t.Errorf("folder contains %q after a timeout, want nothing", got)
				}
			})
		})
	}
}

func TestDeliverWithoutShell(t *testing.T) {
	c := dockertest.Client(t)
	id := dockertest.StartContainer(t, c, dockertest.ContainerSpec{Image: dockertest.NoShellImage(t, c)})
	del := sampleDelivery("thread-nosh", "<nosh@acme.example>")

	err := New(c, DefaultTimeout).Deliver(context.Background(), id, del)
	wantError(t, err, id, "no usable shell")
	if strings.Contains(err.Error(), "removing leftover") {
		t.Errorf("error %q reports a cleanup, want none without a shell", err)
	}
}

func TestDeliverRejectsInvalidDelivery(t *testing.T) {
	valid := sampleDelivery("thread-v", "<v@acme.example>")
	tests := []struct {
		name   string
		modify func(*Delivery)
		want   string
	}{
		{"relative folder", func(d *Delivery) { d.Dir = "var/spool/x" }, "invalid folder"},
		{"empty folder", func(d *Delivery) { d.Dir = "" }, "invalid folder"},
		{"nul in folder", func(d *Delivery) { d.Dir = "/var/spool/\x00x" }, "invalid folder"},
		{"slash in name", func(d *Delivery) { d.Name = "../x.eml" }, "invalid file name"},
		{"dot dot name", func(d *Delivery) { d.Name = ".." }, "invalid file name"},
		{"zero date", func(d *Delivery) { d.Date = time.Time{} }, "missing date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			del := valid
			tt.modify(&del)
			err := New(unusedClient{t: t}, DefaultTimeout).Deliver(context.Background(), "c1", del)
			wantError(t, err, "c1", tt.want)
		})
	}
}

// unusedClient fails the test on any call, for deliveries that must be
// rejected before reaching the engine.
type unusedClient struct {
	Exec
	t *testing.T
}

func (u unusedClient) ContainerExecCreate(context.Context, string, container.ExecOptions) (container.ExecCreateResponse, error) {
	u.t.Errorf("ContainerExecCreate called for an invalid delivery")
	return container.ExecCreateResponse{}, errors.New("unexpected call")
}

// replaceCommand swaps /bin/<name> in the container for a shell script.
func replaceCommand(t *testing.T, c *client.Client, id, name, script string) {
	t.Helper()
	dockertest.Exec(t, c, id, "sh", "-c",
		`rm -f "/bin/$1" && printf '#!/bin/sh\n%s\n' "$2" >"/bin/$1" && chmod 755 "/bin/$1"`,
		"sh", name, script)
}

func wantError(t *testing.T, err error, containerID, reason string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Deliver returned nil, want an error containing %q", reason)
	}
	if !strings.Contains(err.Error(), containerID) {
		t.Errorf("error %q does not name container %s", err, containerID)
	}
	if !strings.Contains(err.Error(), reason) {
		t.Errorf("error %q does not contain %q", err, reason)
	}
}
