package discovery

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/google/go-cmp/cmp"
)

// fakeLister applies the label and status filters of a list request to a
// fixed set of containers, as the engine would.
type fakeLister struct {
	containers []container.Summary
	err        error
}

func (f *fakeLister) ContainerList(_ context.Context, opts container.ListOptions) ([]container.Summary, error) {
	if f.err != nil {
		return nil, f.err
	}
	var out []container.Summary
	for _, c := range f.containers {
		if matches(c, opts) {
			out = append(out, c)
		}
	}
	return out, nil
}

func matches(c container.Summary, opts container.ListOptions) bool {
	for _, label := range opts.Filters.Get("label") {
		k, v, _ := strings.Cut(label, "=")
		if c.Labels[k] != v {
			return false
		}
	}
	for _, status := range opts.Filters.Get("status") {
		if string(c.State) != status {
			return false
		}
	}
	return true
}

func topologyContainer(id, topology, decky, service string) container.Summary {
	return container.Summary{
		ID:    id,
		Names: []string{"/" + decky + "-" + strings.ToLower(service)},
		State: container.StateRunning,
		Labels: map[string]string{
			"decnet.topology.service":      "true",
			"decnet.topology.decky":        decky,
			"decnet.topology.service_name": service,
			"decnet.topology.id":           topology,
		},
	}
}

func fleetContainer(id, decky, service string) container.Summary {
	return container.Summary{
		ID:    id,
		Names: []string{"/" + decky + "-" + strings.ToLower(service)},
		State: container.StateRunning,
		Labels: map[string]string{
			"decnet.fleet.service":      "true",
			"decnet.fleet.decky":        decky,
			"decnet.fleet.service_name": service,
		},
	}
}

func with(c container.Summary, modify func(*container.Summary)) container.Summary {
	c.Labels = maps.Clone(c.Labels)
	modify(&c)
	return c
}

func TestMailDeckies(t *testing.T) {
	local := &fakeLister{containers: []container.Summary{
		topologyContainer("c2", "topo-a", "mail01", "pop3"),
		topologyContainer("c1", "topo-a", "mail01", "imap"),
		topologyContainer("c3", "topo-a", "mail01", "ssh"),
		topologyContainer("c4", "topo-b", "mail02", "IMAP"),
		fleetContainer("c5", "edge", "imap"),
		fleetContainer("c6", "web", "http"),
		with(fleetContainer("c7", "stopped", "imap"), func(c *container.Summary) { c.State = container.StateExited }),
		with(fleetContainer("c8", "paused", "imap"), func(c *container.Summary) { c.State = container.StatePaused }),
		with(fleetContainer("c9", "unmarked", "imap"), func(c *container.Summary) { delete(c.Labels, "decnet.fleet.service") }),
		fleetContainer("c10", "", "imap"),
		topologyContainer("c11", "", "lost", "imap"),
		with(fleetContainer("c12", "off", "pop3"), func(c *container.Summary) { c.Labels["decnet.fleet.service"] = "false" }),
		{ID: "c13", Names: []string{"/plain-imap"}, State: container.StateRunning},
	}}
	remote := &fakeLister{containers: []container.Summary{
		fleetContainer("r1", "edge", "pop3"),
		topologyContainer("r2", "topo-c", "mail03", "imap"),
	}}

	f := New(
		Engine{Name: "local", Client: local},
		Engine{Name: "worker1", Client: remote, Remote: true},
	)
	got, err := f.MailDeckies(context.Background())
	if err != nil {
		t.Fatalf("MailDeckies: %v", err)
	}

	want := []Decky{
		{ID: "local/edge", Name: "edge", Source: Fleet, Engine: "local", Containers: []Container{
			{ID: "c5", Name: "edge-imap", Service: "imap", Engine: "local"},
		}},
		{ID: "topo-a/mail01", Name: "mail01", Source: Topology, TopologyID: "topo-a", Engine: "local", Containers: []Container{
			{ID: "c1", Name: "mail01-imap", Service: "imap", Engine: "local"},
			{ID: "c2", Name: "mail01-pop3", Service: "pop3", Engine: "local"},
		}},
		{ID: "topo-b/mail02", Name: "mail02", Source: Topology, TopologyID: "topo-b", Engine: "local", Containers: []Container{
			{ID: "c4", Name: "mail02-imap", Service: "imap", Engine: "local"},
		}},
		{ID: "topo-c/mail03", Name: "mail03", Source: Topology, TopologyID: "topo-c", Engine: "worker1", Containers: []Container{
			{ID: "r2", Name: "mail03-imap", Service: "imap", Engine: "worker1"},
		}},
		{ID: "worker1/edge", Name: "edge", Source: Shard, Engine: "worker1", Containers: []Container{
			{ID: "r1", Name: "edge-pop3", Service: "pop3", Engine: "worker1"},
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MailDeckies mismatch (-want +got):\n%s", diff)
	}
}

func TestMailDeckiesContainerOrder(t *testing.T) {
	lister := &fakeLister{containers: []container.Summary{
		with(fleetContainer("b", "m", "pop3"), func(c *container.Summary) { c.Names = []string{"/m-pop3-b"} }),
		with(fleetContainer("a", "m", "pop3"), func(c *container.Summary) { c.Names = []string{"/m-pop3-a"} }),
		fleetContainer("c", "m", "Imap"),
	}}
	got, err := New(Engine{Name: "local", Client: lister}).MailDeckies(context.Background())
	if err != nil {
		t.Fatalf("MailDeckies: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("MailDeckies returned %d deckies, want 1: %+v", len(got), got)
	}
	var names []string
	for _, c := range got[0].Containers {
		names = append(names, c.Name)
	}
	if diff := cmp.Diff([]string{"m-imap", "m-pop3-a", "m-pop3-b"}, names); diff != "" {
		t.Errorf("container order mismatch (-want +got):\n%s", diff)
	}
}

func TestMailDeckiesContainerWithBothSchemes(t *testing.T) {
	both := topologyContainer("x1", "topo-a", "dual", "imap")
	for k, v := range fleetContainer("x1", "dual", "imap").Labels {
		both.Labels[k] = v
	}
	lister := &fakeLister{containers: []container.Summary{both}}
	got, err := New(Engine{Name: "local", Client: lister}).MailDeckies(context.Background())
	if err != nil {
		t.Fatalf("MailDeckies: %v", err)
	}
	var ids []string
	for _, d := range got {
		ids = append(ids, d.ID)
	}
	if diff := cmp.Diff([]string{"topo-a/dual"}, ids); diff != "" {
		t.Errorf("decky ids mismatch (-want +got):\n%s", diff)
	}
}

func TestMailDeckiesEngineFailure(t *testing.T) {
	refused := errors.New("connection refused")
	good := &fakeLister{containers: []container.Summary{fleetContainer("c1", "edge", "imap")}}
	f := New(
		Engine{Name: "worker1", Client: &fakeLister{err: refused}, Remote: true},
		Engine{Name: "local", Client: good},
	)

	got, err := f.MailDeckies(context.Background())
	if err == nil {
		t.Fatal("MailDeckies returned no error with a failing engine")
	}
	if !errors.Is(err, refused) {
		t.Errorf("error %v does not wrap the engine's error", err)
	}
	if !strings.Contains(err.Error(), `engine "worker1"`) {
		t.Errorf("error %q does not name engine worker1", err)
	}
	if len(got) != 1 || got[0].ID != "local/edge" {
		t.Errorf("MailDeckies = %+v, want the local/edge decky of the working engine", got)
	}
}

func TestMailDeckiesNoEngines(t *testing.T) {
	got, err := New().MailDeckies(context.Background())
	if err != nil {
		t.Fatalf("MailDeckies: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("MailDeckies = %+v, want none", got)
	}
}
