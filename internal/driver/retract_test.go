package driver

import (
	"context"
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
