package discovery

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
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

func TestMailDeckiesPartlyRunningDecky(t *testing.T) {
	for _, state := range []container.ContainerState{
		container.StateExited, container.StatePaused, container.StateRestarting, container.StateCreated,
	} {
		t.Run(state, func(t *testing.T) {
			lister := &fakeLister{containers: []container.Summary{
				fleetContainer("c1", "half", "imap"),
				with(fleetContainer("c2", "half", "pop3"), func(c *container.Summary) {
					c.State = state
					c.Status = "status text"
				}),
				fleetContainer("c3", "whole", "imap"),
				fleetContainer("c4", "whole", "pop3"),
			}}
			core, logs := observer.New(zapcore.DebugLevel)
			f := New(Engine{Name: "local", Client: lister}).WithLogger(zap.New(core))

			for range 2 {
				got, err := f.MailDeckies(context.Background())
				if err != nil {
					t.Fatalf("MailDeckies: %v", err)
				}
				if diff := cmp.Diff([]string{"local/whole"}, deckyIDs(got)); diff != "" {
					t.Errorf("decky ids mismatch (-want +got):\n%s", diff)
				}
			}

			entries := logs.TakeAll()
			if len(entries) != 1 {
				t.Fatalf("two listings logged %d entries, want 1: %+v", len(entries), entries)
			}
			entry := entries[0]
			if entry.Level != zapcore.InfoLevel {
				t.Errorf("log level = %v, want info", entry.Level)
			}
			wantFields := map[string]any{
				"decky": "local/half", "container": "half-pop3", "state": state,
				"status": "status text", "engine": "local",
			}
			if diff := cmp.Diff(wantFields, entry.ContextMap()); diff != "" {
				t.Errorf("log fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMailDeckiesDeckyRunningAgain(t *testing.T) {
	paused := with(fleetContainer("c2", "mail01", "pop3"), func(c *container.Summary) { c.State = container.StatePaused })
	lister := &fakeLister{containers: []container.Summary{fleetContainer("c1", "mail01", "imap"), paused}}
	core, logs := observer.New(zapcore.DebugLevel)
	f := New(Engine{Name: "local", Client: lister}).WithLogger(zap.New(core))

	got, err := f.MailDeckies(context.Background())
	if err != nil {
		t.Fatalf("MailDeckies: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("MailDeckies with a paused container = %v, want no decky", deckyIDs(got))
	}

	lister.containers[1] = fleetContainer("c2", "mail01", "pop3")
	got, err = f.MailDeckies(context.Background())
	if err != nil {
		t.Fatalf("MailDeckies: %v", err)
	}
	if diff := cmp.Diff([]string{"local/mail01"}, deckyIDs(got)); diff != "" {
		t.Errorf("decky ids after unpausing mismatch (-want +got):\n%s", diff)
	}
	if n := logs.FilterMessageSnippet("included again").FilterField(zap.String("decky", "local/mail01")).Len(); n != 1 {
		t.Errorf("logged %d entries for the decky included again, want 1", n)
	}

	// A second pause is a new condition and is logged again.
	lister.containers[1] = paused
	if _, err := f.MailDeckies(context.Background()); err != nil {
		t.Fatalf("MailDeckies: %v", err)
	}
	if n := logs.FilterMessageSnippet("left out").Len(); n != 2 {
		t.Errorf("logged %d left-out entries over two pauses, want 2", n)
	}
}

func TestMailDeckiesAllContainersDown(t *testing.T) {
	lister := &fakeLister{containers: []container.Summary{
		with(fleetContainer("c1", "off", "imap"), func(c *container.Summary) { c.State = container.StateExited }),
	}}
	core, logs := observer.New(zapcore.DebugLevel)
	got, err := New(Engine{Name: "local", Client: lister}).WithLogger(zap.New(core)).MailDeckies(context.Background())
	if err != nil {
		t.Fatalf("MailDeckies: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("MailDeckies = %v, want no decky", deckyIDs(got))
	}
	if n := logs.FilterLevelExact(zapcore.DebugLevel).Len(); n != 1 {
		t.Errorf("logged %d debug entries for a switched-off decky, want 1", n)
	}
	if n := logs.FilterLevelExact(zapcore.InfoLevel).Len(); n != 0 {
		t.Errorf("logged %d info entries for a switched-off decky, want 0", n)
	}
}

func TestMailDeckiesTopologyNamedLikeEngine(t *testing.T) {
	local := &fakeLister{containers: []container.Summary{
		fleetContainer("f1", "mail01", "imap"),
		topologyContainer("t1", "local", "mail01", "pop3"),
		topologyContainer("t2", "local", "mail02", "imap"),
		topologyContainer("t3", "worker1/north", "mail03", "imap"),
		topologyContainer("t4", "localnet", "mail04", "imap"),
	}}
	remote := &fakeLister{containers: []container.Summary{fleetContainer("r1", "mail05", "imap")}}
	core, logs := observer.New(zapcore.DebugLevel)
	f := New(
		Engine{Name: "local", Client: local},
		Engine{Name: "worker1", Client: remote, Remote: true},
	).WithLogger(zap.New(core))

	for range 2 {
		got, err := f.MailDeckies(context.Background())
		if err != nil {
			t.Fatalf("MailDeckies: %v", err)
		}
		want := []Decky{
			{ID: "local/mail01", Name: "mail01", Source: Fleet, Engine: "local", Containers: []Container{
				{ID: "f1", Name: "mail01-imap", Service: "imap", Engine: "local"},
			}},
			{ID: "localnet/mail04", Name: "mail04", Source: Topology, TopologyID: "localnet", Engine: "local", Containers: []Container{
				{ID: "t4", Name: "mail04-imap", Service: "imap", Engine: "local"},
			}},
			{ID: "worker1/mail05", Name: "mail05", Source: Shard, Engine: "worker1", Containers: []Container{
				{ID: "r1", Name: "mail05-imap", Service: "imap", Engine: "worker1"},
			}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("MailDeckies mismatch (-want +got):\n%s", diff)
		}
	}

	warnings := logs.FilterLevelExact(zapcore.WarnLevel).AllUntimed()
	var pairs []string
	for _, w := range warnings {
		fields := w.ContextMap()
		pairs = append(pairs, fmt.Sprint(fields["topology"], " ", fields["engine"]))
	}
	if diff := cmp.Diff([]string{"local local", "worker1/north worker1"}, pairs); diff != "" {
		t.Errorf("warned topology and engine pairs mismatch (-want +got):\n%s", diff)
	}
}

func TestIDsOverlap(t *testing.T) {
	tests := []struct {
		topology, engine string
		want             bool
	}{
		{"local", "local", true},
		{"local/a", "local", true},
		{"site", "site/b", true},
		{"localnet", "local", false},
		{"local", "localnet", false},
		{"topo-a", "local", false},
	}
	for _, tt := range tests {
		if got := idsOverlap(tt.topology, tt.engine); got != tt.want {
			t.Errorf("idsOverlap(%q, %q) = %v, want %v", tt.topology, tt.engine, got, tt.want)
		}
	}
}

func deckyIDs(deckies []Decky) []string {
	var ids []string
	for _, d := range deckies {
		ids = append(ids, d.ID)
	}
	return ids
}
