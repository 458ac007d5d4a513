package dockertest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
)

// ContainerSpec describes a test container. An empty Name gets a unique one.
type ContainerSpec struct {
	Image  string
	Name   string
	Labels map[string]string
	Env    []string

	// Tmpfs maps a container path to tmpfs mount options such as
	// "size=64k", which lets a test fill a small disk.
	Tmpfs map[string]string
}

// UniqueName returns prefix followed by a random suffix, so that tests
// running at the same time on one engine never share a container name.
func UniqueName(prefix string) string {
	return fmt.Sprintf("%s-%08x", prefix, rand.Uint32())
}

// StartContainer creates and starts a container labeled emailgend.test=true
// and returns its id. A leftover container with the same name is removed
// first, and the new one is force-removed when the test ends.
func StartContainer(t testing.TB, c *client.Client, spec ContainerSpec) string {
	t.Helper()
	name := spec.Name
	if name == "" {
		name = UniqueName("emailgend-test")
	}
	labels := map[string]string{TestLabel: "true"}
	for k, v := range spec.Labels {
		labels[k] = v
	}

	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()

	err := c.ContainerRemove(ctx, name, container.RemoveOptions{Force: true})
	if err != nil && !cerrdefs.IsNotFound(err) {
		t.Fatalf("removing leftover container %s: %v", name, err)
	}
	created, err := c.ContainerCreate(ctx, &container.Config{
		Image:  spec.Image,
		Labels: labels,
		Env:    spec.Env,
	}, &container.HostConfig{Tmpfs: spec.Tmpfs}, nil, nil, name)
	if err != nil {
		t.Fatalf("creating container %s from image %s: %v", name, spec.Image, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		err := c.ContainerRemove(ctx, created.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !cerrdefs.IsNotFound(err) {
			t.Errorf("removing container %s: %v", name, err)
		}
	})
	if err := c.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		t.Fatalf("starting container %s: %v", name, err)
	}
	return created.ID
}

// StartDecky starts one container per service, named <decky>-<service> and
// labeled the way DECNET labels its service containers. The scheme is
// "topology" or "fleet", and topologyID is used only by "topology". It
// returns the container id of each service.
func StartDecky(t testing.TB, c *client.Client, image, scheme, topologyID, decky string, services ...string) map[string]string {
	t.Helper()
	ids := make(map[string]string, len(services))
	for _, service := range services {
		var labels map[string]string
		switch scheme {
		case "topology":
			labels = map[string]string{
				"decnet.topology.service":      "true",
				"decnet.topology.decky":        decky,
				"decnet.topology.service_name": service,
				"decnet.topology.id":           topologyID,
			}
		case "fleet":
			labels = map[string]string{
				"decnet.fleet.service":      "true",
				"decnet.fleet.decky":        decky,
				"decnet.fleet.service_name": service,
			}
		default:
			t.Fatalf("starting decky %s: unknown scheme %q, want \"topology\" or \"fleet\"", decky, scheme)
		}
		ids[service] = StartContainer(t, c, ContainerSpec{
			Image:  image,
			Name:   decky + "-" + service,
			Labels: labels,
		})
	}
	return ids
}
