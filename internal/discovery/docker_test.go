package discovery

import (
	"context"
	"slices"
	"strings"
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

// TestMailDeckiesOnEnginePartlyDown stops one mail container of a decky and
// pauses one of another, and checks that both deckies are left out until
// every mail container runs again.
func TestMailDeckiesOnEnginePartlyDown(t *testing.T) {
	c := dockertest.Client(t)
	image := dockertest.BusyBoxImage(t, c)
	ctx := context.Background()

	whole := dockertest.UniqueName("whole")
	stopped := dockertest.UniqueName("halfstopped")
	paused := dockertest.UniqueName("halfpaused")
	shared := dockertest.UniqueName("shared")

	wholeIDs := dockertest.StartDecky(t, c, image, "fleet", "", whole, "imap", "pop3")
	stoppedIDs := dockertest.StartDecky(t, c, image, "fleet", "", stopped, "imap", "pop3")
	pausedIDs := dockertest.StartDecky(t, c, image, "topology", dockertest.UniqueName("topo"), paused, "imap", "pop3")
	// A topology named like the engine would give its decky the fleet
	// decky's id, so only the fleet decky is listed.
	sharedIDs := dockertest.StartDecky(t, c, image, "fleet", "", shared, "imap")
	dockertest.StartDecky(t, c, image, "topology", "local", shared, "pop3")

	timeout := 0
	if err := c.ContainerStop(ctx, stoppedIDs["pop3"], container.StopOptions{Timeout: &timeout}); err != nil {
		t.Fatalf("stopping container: %v", err)
	}
	if err := c.ContainerPause(ctx, pausedIDs["imap"]); err != nil {
		t.Fatalf("pausing container: %v", err)
	}
	// Cleanups run last first, so this one unpauses before the container
	// is removed.
	unpaused := false
	t.Cleanup(func() {
		if unpaused {
			return
		}
		if err := c.ContainerUnpause(context.Background(), pausedIDs["imap"]); err != nil {
			t.Errorf("unpausing container: %v", err)
		}
	})

	ours := map[string]bool{whole: true, stopped: true, paused: true, shared: true}
	listOurs := func() []Decky {
		t.Helper()
		got, err := New(Engine{Name: "local", Client: c}).MailDeckies(ctx)
		if err != nil {
			t.Fatalf("MailDeckies: %v", err)
		}
		var mine []Decky
		for _, d := range got {
			if ours[d.Name] {
				mine = append(mine, d)
			}
		}
		return mine
	}

	wholeDecky := Decky{ID: "local/" + whole, Name: whole, Source: Fleet, Engine: "local", Containers: []Container{
		{ID: wholeIDs["imap"], Name: whole + "-imap", Service: "imap", Engine: "local"},
		{ID: wholeIDs["pop3"], Name: whole + "-pop3", Service: "pop3", Engine: "local"},
	}}
	sharedDecky := Decky{ID: "local/" + shared, Name: shared, Source: Fleet, Engine: "local", Containers: []Container{
		{ID: sharedIDs["imap"], Name: shared + "-imap", Service: "imap", Engine: "local"},
	}}
	want := []Decky{wholeDecky, sharedDecky}
	slices.SortFunc(want, func(a, b Decky) int { return strings.Compare(a.ID, b.ID) })
	if diff := cmp.Diff(want, listOurs()); diff != "" {
		t.Errorf("MailDeckies mismatch with containers down (-want +got):\n%s", diff)
	}

	if err := c.ContainerUnpause(ctx, pausedIDs["imap"]); err != nil {
		t.Fatalf("unpausing container: %v", err)
	}
	unpaused = true
	after := listOurs()
	if !slices.ContainsFunc(after, func(d Decky) bool {
		return d.Name == paused && len(d.Containers) == 2 && d.Containers[0].ID == pausedIDs["imap"]
	}) {
		t.Errorf("MailDeckies after unpausing = %+v, want decky %s with both containers", after, paused)
	}
}
