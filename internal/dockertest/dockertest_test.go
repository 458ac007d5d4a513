package dockertest

import (
	"context"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
)

func TestImagesRunFileCommands(t *testing.T) {
	c := Client(t)
	tests := []struct {
		name      string
		image     func(testing.TB) string
		touchHelp string
	}{
		{"busybox", func(tb testing.TB) string { return BusyBoxImage(tb, c) }, "BusyBox"},
		{"coreutils", func(tb testing.TB) string { return CoreutilsImage(tb, c) }, "GNU coreutils"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id := StartContainer(t, c, ContainerSpec{Image: tt.image(t), Env: []string{"TZ=Asia/Tokyo"}})

			// BusyBox prints the help on stderr and exits 1, so the shell
			// merges the streams and exits 0.
			help := Exec(t, c, id, "sh", "-c", "touch --help 2>&1; exit 0")
			if !strings.Contains(help, tt.touchHelp) {
				t.Errorf("touch --help output %q does not mention %q", help, tt.touchHelp)
			}
			zone := Exec(t, c, id, "date", "+%z")
			if got, want := strings.TrimSpace(zone), "+0900"; got != want {
				t.Errorf("date +%%z with TZ=Asia/Tokyo = %q, want %q", got, want)
			}
			Exec(t, c, id, "sh", "-c", "mkdir -p /var/spool/x && echo hi > /tmp/f && mv /tmp/f /var/spool/x/f && wc -c < /var/spool/x/f && ls /var/spool/x && rm /var/spool/x/f && chmod 700 /var/spool/x && stat -c %Y /var/spool/x && cat /etc/passwd")
		})
	}
}

func TestStartDeckyLabels(t *testing.T) {
	c := Client(t)
	img := BusyBoxImage(t, c)
	decky := UniqueName("labels")
	ids := StartDecky(t, c, img, "topology", "topo-1", decky, "imap")

	ctx := context.Background()
	inspect, err := c.ContainerInspect(ctx, ids["imap"])
	if err != nil {
		t.Fatalf("inspecting imap container: %v", err)
	}
	want := map[string]string{
		"decnet.topology.service":      "true",
		"decnet.topology.decky":        decky,
		"decnet.topology.service_name": "imap",
		"decnet.topology.id":           "topo-1",
		TestLabel:                      "true",
	}
	for k, v := range want {
		if got := inspect.Config.Labels[k]; got != v {
			t.Errorf("label %s = %q, want %q", k, got, v)
		}
	}
	if got, want := inspect.Name, "/"+decky+"-imap"; got != want {
		t.Errorf("container name = %q, want %q", got, want)
	}
}

func TestExecFailsOnNonZeroExit(t *testing.T) {
	c := Client(t)
	id := StartContainer(t, c, ContainerSpec{Image: BusyBoxImage(t, c)})
	ctx := context.Background()
	_, stderr, code, err := execOutput(ctx, c, id, []string{"sh", "-c", "echo oops >&2; exit 3"})
	if err != nil {
		t.Fatalf("execOutput: %v", err)
	}
	if code != 3 {
		t.Errorf("exit code = %d, want 3", code)
	}
	if strings.TrimSpace(stderr) != "oops" {
		t.Errorf("stderr = %q, want %q", stderr, "oops")
	}
}

func TestRemoveContainersByLabel(t *testing.T) {
	c := Client(t)
	img := BusyBoxImage(t, c)
	// RemoveTestContainers itself would also remove the containers of test
	// binaries running at the same time, so this narrows the same removal
	// to one run label.
	run := UniqueName("run")
	ids := []string{
		StartContainer(t, c, ContainerSpec{Image: img, Labels: map[string]string{"emailgend.test.run": run}}),
		StartContainer(t, c, ContainerSpec{Image: img, Labels: map[string]string{"emailgend.test.run": run}}),
	}
	other := StartContainer(t, c, ContainerSpec{Image: img})

	ctx := context.Background()
	match := filters.NewArgs(
		filters.Arg("label", TestLabel+"=true"),
		filters.Arg("label", "emailgend.test.run="+run),
	)
	if err := removeContainers(ctx, c, match); err != nil {
		t.Fatalf("removeContainers: %v", err)
	}
	for _, id := range ids {
		if exists(t, c, id) {
			t.Errorf("container %s still exists after removal", id)
		}
	}
	if !exists(t, c, other) {
		t.Errorf("container %s without the run label was removed", other)
	}
}

func exists(t *testing.T, c *client.Client, id string) bool {
	t.Helper()
	list, err := c.ContainerList(context.Background(), container.ListOptions{
		All:     true,
		Filters: filters.NewArgs(filters.Arg("id", id)),
	})
	if err != nil {
		t.Fatalf("listing containers: %v", err)
	}
	return len(list) > 0
}
