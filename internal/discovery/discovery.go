// Package discovery finds the running mail deckies on one or more Docker
// engines by the labels DECNET puts on its service containers.
package discovery

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
)

// Source is the origin of a decky, which decides whose personas it uses.
type Source string

// Decky sources.
const (
	// Topology deckies belong to a MazeNET topology and use its personas.
	Topology Source = "topology"
	// Fleet deckies run on the local engine without a topology and use the
	// global persona pool.
	Fleet Source = "fleet"
	// Shard deckies are fleet deckies on a remote engine and also use the
	// global pool.
	Shard Source = "shard"
)

// Container is one mail service container of a decky.
type Container struct {
	ID   string
	Name string
	// Service is the service label in lower case: "imap" or "pop3".
	Service string
	// Engine is the name of the engine that runs the container.
	Engine string
}

// Decky is a mail decky with its running mail containers.
type Decky struct {
	// ID is stable across container restarts: "<topology id>/<decky>"
	// for topology deckies and "<engine>/<decky>" for the others.
	ID         string
	Name       string
	Source     Source
	TopologyID string
	Engine     string
	// Containers are sorted by service, then name.
	Containers []Container
}

// Lister is the part of the Docker client that discovery uses.
type Lister interface {
	ContainerList(ctx context.Context, options container.ListOptions) ([]container.Summary, error)
}

// Engine is one Docker engine to search. Name appears in decky ids and
// errors. Fleet-labeled containers on a Remote engine are shards, while
// topology-labeled ones stay topology deckies on any engine, because their
// topology owns their personas.
type Engine struct {
	Name   string
	Client Lister
	Remote bool
}

// Finder lists mail deckies across engines. It is safe for concurrent use
// when the engines' clients are.
type Finder struct {
	engines []Engine
}

// New returns a finder over the given engines.
func New(engines ...Engine) *Finder {
	return &Finder{engines: slices.Clone(engines)}
}

// labelScheme names the labels of one DECNET container scheme.
type labelScheme struct {
	source   Source
	marker   string
	decky    string
	service  string
	topology string // empty for the fleet scheme, which has no topology
}

var schemes = []labelScheme{
	{
		source:   Topology,
		marker:   "decnet.topology.service",
		decky:    "decnet.topology.decky",
		service:  "decnet.topology.service_name",
		topology: "decnet.topology.id",
	},
	{
		source:  Fleet,
		marker:  "decnet.fleet.service",
		decky:   "decnet.fleet.decky",
		service: "decnet.fleet.service_name",
	},
}

// mailServices are the service names, in lower case, that make a decky a
// mail decky.
var mailServices = map[string]bool{"imap": true, "pop3": true}

// MailDeckies returns the mail deckies whose mail containers are running,
// sorted by ID. When some engines fail, it returns the deckies of the others
// together with an error that names each failed engine.
//
// A container counts when it runs and carries the scheme's marker label set
// to "true", a decky name, a service name of imap or pop3 in any case, and
// for the topology scheme a topology id. Other containers are skipped.
func (f *Finder) MailDeckies(ctx context.Context) ([]Decky, error) {
	byID := map[string]*Decky{}
	var errs []error
	for _, engine := range f.engines {
		if err := collect(ctx, engine, byID); err != nil {
			errs = append(errs, fmt.Errorf("listing containers on engine %q: %w", engine.Name, err))
		}
	}

	deckies := make([]Decky, 0, len(byID))
	for _, d := range byID {
		slices.SortFunc(d.Containers, func(a, b Container) int {
			return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Name, b.Name))
		})
		deckies = append(deckies, *d)
	}
	slices.SortFunc(deckies, func(a, b Decky) int { return cmp.Compare(a.ID, b.ID) })
	return deckies, errors.Join(errs...)
}

// collect adds the engine's mail containers to byID. It lists every scheme
// before adding anything, so a failing engine adds no partial result.
func collect(ctx context.Context, engine Engine, byID map[string]*Decky) error {
	type found struct {
		scheme labelScheme
		list   []container.Summary
	}
	var all []found
	for _, s := range schemes {
		list, err := engine.Client.ContainerList(ctx, container.ListOptions{
			All: true,
			Filters: filters.NewArgs(
				filters.Arg("label", s.marker+"=true"),
				filters.Arg("status", "running"),
			),
		})
		if err != nil {
			return err
		}
		all = append(all, found{s, list})
	}

	// A container carrying both schemes' labels counts once, under the
	// scheme listed first.
	seen := map[string]bool{}
	for _, f := range all {
		for _, summary := range f.list {
			if seen[summary.ID] {
				continue
			}
			if add(engine, f.scheme, summary, byID) {
				seen[summary.ID] = true
			}
		}
	}
	return nil
}

// add files one container under its decky and reports whether it was a
// running mail container of the scheme. The checks repeat the list filters
// because they cost nothing and keep the result right for any Lister.
func add(engine Engine, s labelScheme, summary container.Summary, byID map[string]*Decky) bool {
	labels := summary.Labels
	service := strings.ToLower(labels[s.service])
	name := labels[s.decky]
	topologyID := labels[s.topology]
	switch {
	case summary.State != container.StateRunning,
		labels[s.marker] != "true",
		!mailServices[service],
		name == "",
		s.topology != "" && topologyID == "":
		return false
	}

	d := Decky{Name: name, Source: s.source, TopologyID: topologyID, Engine: engine.Name}
	switch {
	case s.source == Topology:
		d.ID = topologyID + "/" + name
	case engine.Remote:
		d.Source = Shard
		d.ID = engine.Name + "/" + name
	default:
		d.ID = engine.Name + "/" + name
	}
	existing, ok := byID[d.ID]
	if !ok {
		existing = &d
		byID[d.ID] = existing
	}
	existing.Containers = append(existing.Containers, Container{
		ID:      summary.ID,
		Name:    containerName(summary),
		Service: service,
		Engine:  engine.Name,
	})
	return true
}

func containerName(summary container.Summary) string {
	if len(summary.Names) == 0 {
		return ""
	}
	return strings.TrimPrefix(summary.Names[0], "/")
}
