package discovery

import (
	"context"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/google/go-cmp/cmp"

	"github.com/decnet/emailgend/internal/dockertest"
)

// TestMailDeckiesOnEngine needs a Docker engine: it skips without one
// unless CI is set. Other tests share the engine, so it only looks at the
// deckies it created, whose names carry a random suffix.
func TestMailDeckiesOnEngine(t *testing.T) {
	c := dockertest.Client(t)
	image := dockertest.BusyBoxImage(t, c)
	ctx := context.Background()

	topology := dockertest.UniqueName("topo")
	both := dockertest.UniqueName("both")
	fleet := dockertest.UniqueName("fleet")
	sshOnly := dockertest.UniqueName("sshonly")
	stopped := dockertest.UniqueName("stopped")
	unlabeled := dockertest.UniqueName("unlabeled")

	bothIDs := dockertest.StartDecky(t, c, image, "topology", topology, both, "imap", "pop3", "ssh")
	fleetIDs := dockertest.StartDecky(t, c, image, "fleet", "", fleet, "pop3")
	dockertest.StartDecky(t, c, image, "topology", topology, sshOnly, "ssh")
	stoppedIDs := dockertest.StartDecky(t, c, image, "fleet", "", stopped, "imap")
	dockertest.StartContainer(t, c, dockertest.ContainerSpec{Image: image, Name: unlabeled + "-imap"})

	timeout := 0
	if err := c.ContainerStop(ctx, stoppedIDs["imap"], container.StopOptions{Timeout: &timeout}); err != nil {
		t.Fatalf("stopping container: %v", err)
	}

	got, err := New(Engine{Name: "local", Client: c}).MailDeckies(ctx)
	if err != nil {
		t.Fatalf("MailDeckies: %v", err)
	}
	ours := map[string]bool{both: true, fleet: true, sshOnly: true, stopped: true, unlabeled: true}
	var mine []Decky
	for _, d := range got {
		if ours[d.Name] {
			mine = append(mine, d)
		}
	}

	want := []Decky{
		{ID: "local/" + fleet, Name: fleet, Source: Fleet, Engine: "local", Containers: []Container{
			{ID: fleetIDs["pop3"], Name: fleet + "-pop3", Service: "pop3", Engine: "local"},
		}},
		{ID: topology + "/" + both, Name: both, Source: Topology, TopologyID: topology, Engine: "local", Containers: []Container{
			{ID: bothIDs["imap"], Name: both + "-imap", Service: "imap", Engine: "local"},
			{ID: bothIDs["pop3"], Name: both + "-pop3", Service: "pop3", Engine: "local"},
		}},
	}
	// MailDeckies sorts by ID, and the random suffixes decide this order.
	if want[1].ID < want[0].ID {
		want[0], want[1] = want[1], want[0]
	}
	if diff := cmp.Diff(want, mine); diff != "" {
		t.Errorf("MailDeckies mismatch for this test's deckies (-want +got):\n%s", diff)
	}
}
