package driver

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/decnet/emailgend/internal/dockertest"
)

func TestRetract(t *testing.T) {
	c := dockertest.Client(t)
	for _, img := range testImages {
		t.Run(img.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			image := img.build(t, c)
			id := dockertest.StartContainer(t, c, dockertest.ContainerSpec{Image: image})
			d := New(c, DefaultTimeout)

			root := sampleDelivery("thread-retract", "<root@acme.example>")
			root.FolderDate = root.Date
			reply := sampleDelivery("thread-retract", "<reply@acme.example>")
			reply.Date = root.Date.Add(3 * time.Hour)
			reply.FolderDate = reply.Date
			for _, del := range []Delivery{root, reply} {
				if err := d.Deliver(ctx, id, del); err != nil {
					t.Fatalf("Deliver %s: %v", del.Name, err)
				}
			}

			// Taking the reply back leaves the root, and the folder's
			// mtime returns to the root's Date.
			reply.FolderDate = root.Date
			if err := d.Retract(ctx, id, reply); err != nil {
				t.Fatalf("Retract reply: %v", err)
			}
			if got := strings.TrimSpace(listDir(t, c, id, root.Dir)); got != root.Name {
				t.Errorf("folder after retracting the reply = %q, want only %q", got, root.Name)
			}
			if got := mtime(t, c, id, root.Dir); got != root.Date.Unix() {
				t.Errorf("folder mtime = %d, want the root's Date %d", got, root.Date.Unix())
			}

			// Taking the root back empties the folder, which goes too.
			if err := d.Retract(ctx, id, root); err != nil {
				t.Fatalf("Retract root: %v", err)
			}
			if got := listDir(t, c, id, spool); got != "" {
				t.Errorf("spool after retracting the whole thread = %q, want nothing", got)
			}
		})
	}
}

// TestScriptStopsAtDeadline runs the delivery script with a deadline that
// has passed, as a script slowed past the daemon's time limit finds it, and
// checks that it renames nothing into place.
func TestScriptStopsAtDeadline(t *testing.T) {
	c := dockertest.Client(t)
	for _, img := range testImages {
		t.Run(img.name, func(t *testing.T) {
			t.Parallel()
			id := dockertest.StartContainer(t, c, dockertest.ContainerSpec{Image: img.build(t, c)})
			del := sampleDelivery("thread-late", "<late@acme.example>")
			stamp := del.Date.UTC().Format(stampLayout)
			cmd := []string{"sh", "-c", deliverScript, "emailgend", del.Dir, del.Name,
				strconv.Itoa(len(del.Data)), stamp, stamp, strconv.FormatInt(time.Now().Add(-time.Second).Unix(), 10)}

			res, err := New(c, DefaultTimeout).run(context.Background(), id, cmd, del.Data, deliveredPrefix)
			if err != nil {
				t.Fatal(err)
			}
			if res.exitCode != scriptFailed || !strings.Contains(res.stderr, "time limit reached before the rename") {
				t.Errorf("script exit %d, stderr %q; want exit %d and the time limit reason", res.exitCode, res.stderr, scriptFailed)
			}
			if got := listDir(t, c, id, spool); got != "" {
				t.Errorf("spool after a late script = %q, want nothing", got)
			}
		})
	}
}
