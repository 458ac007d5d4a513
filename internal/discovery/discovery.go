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
	"go.uber.org/zap"
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

// Decky is a mail decky with its mail containers, which all run.
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
	log     *zap.Logger
	notes   notes
}

// New returns a finder over the given engines. It logs nothing until
// WithLogger gives it a logger.
func New(engines ...Engine) *Finder {
	return &Finder{engines: slices.Clone(engines), log: zap.NewNop()}
}

// WithLogger sets the logger that reports left-out deckies and returns f.
// Call it before the first MailDeckies.
func (f *Finder) WithLogger(log *zap.Logger) *Finder {
	f.log = log
	return f
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

// MailDeckies returns the mail deckies whose mail containers all run,
// sorted by ID. When some engines fail, it returns the deckies of the others
// together with an error that names each failed engine.
//
// A container is a mail container when it carries the scheme's marker label
// set to "true", a decky name, a service name of imap or pop3 in any case,
// and for the topology scheme a topology id. Other containers are skipped.
//
// A decky with a mail container in any state but running, paused included,
// is left out. Delivering to only the running containers would make the
// decky's mailboxes differ for good, so the decky waits until all run again.
//
// A topology decky is also left out, with a warning, when its topology id
// could give the id of a fleet decky (see idsOverlap).
func (f *Finder) MailDeckies(ctx context.Context) ([]Decky, error) {
	byID := map[string]*candidate{}
	var conflicts []conflict
	var errs []error
	for _, engine := range f.engines {
		found, err := f.collect(ctx, engine, byID)
		if err != nil {
			errs = append(errs, fmt.Errorf("listing containers on engine %q: %w", engine.Name, err))
		}
		conflicts = append(conflicts, found...)
	}

	deckies := make([]Decky, 0, len(byID))
	var leftOut []*candidate
	for _, c := range byID {
		slices.SortFunc(c.decky.Containers, func(a, b Container) int {
			return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Name, b.Name))
		})
		if len(c.down) > 0 {
			leftOut = append(leftOut, c)
			continue
		}
		deckies = append(deckies, c.decky)
	}
	slices.SortFunc(deckies, func(a, b Decky) int { return cmp.Compare(a.ID, b.ID) })
	f.report(deckies, leftOut, conflicts)
	return deckies, errors.Join(errs...)
}

// candidate is a decky being assembled, with its mail containers that do
// not run.
type candidate struct {
	decky Decky
	down  []downContainer
}

// downContainer is a mail container in a state other than running. Status
// is the engine's text, such as "Exited (0) 3 seconds ago" or
// "Up 2 minutes (Paused)".
type downContainer struct {
	Container
	state  string
	status string
}

// conflict is a topology id that could give the same decky id as a fleet
// decky of the engine.
type conflict struct {
	topologyID string
	engine     string
}

// collect adds the engine's mail containers to byID and returns the
// topology ids it skipped for a conflict. It lists every scheme before
// adding anything, so a failing engine adds no partial result.
func (f *Finder) collect(ctx context.Context, engine Engine, byID map[string]*candidate) ([]conflict, error) {
	type found struct {
		scheme labelScheme
		list   []container.Summary
	}
	var all []found
	for _, s := range schemes {
		// All lists stopped, restarting and paused containers too, which
		// MailDeckies needs to leave out a decky that is only partly up.
		list, err := engine.Client.ContainerList(ctx, container.ListOptions{
			All:     true,
			Filters: filters.NewArgs(filters.Arg("label", s.marker+"=true")),
		})
		if err != nil {
			return nil, err
		}
		all = append(all, found{s, list})
	}

	// A container carrying both schemes' labels counts once, under the
	// scheme listed first.
	seen := map[string]bool{}
	var conflicts []conflict
	for _, fl := range all {
		for _, summary := range fl.list {
			if seen[summary.ID] {
				continue
			}
			c, ok := mailContainer(engine, fl.scheme, summary)
			if !ok {
				continue
			}
			seen[summary.ID] = true
			if clash, ok := f.overlappingEngine(c.TopologyID); ok {
				conflicts = append(conflicts, conflict{topologyID: c.TopologyID, engine: clash})
				continue
			}
			c.add(byID)
		}
	}
	return conflicts, nil
}

// overlappingEngine returns the name of an engine whose fleet decky ids
// could equal ids of the topology, if there is one. An empty topologyID,
// as fleet containers have, never overlaps.
func (f *Finder) overlappingEngine(topologyID string) (string, bool) {
	if topologyID == "" {
		return "", false
	}
	for _, e := range f.engines {
		if idsOverlap(topologyID, e.Name) {
			return e.Name, true
		}
	}
	return "", false
}

// idsOverlap reports whether a topology id and an engine name can produce
// the same decky id. Topology decky ids are "<topology id>/<decky>" and
// fleet and shard ids "<engine>/<decky>", so they can meet exactly when the
// two names are equal or one is the other followed by "/" and more.
//
// Leaving out such topology deckies keeps every other id as it was, which
// matters because the state database stores messages by decky id. Fleet
// ids win because the default engine name, "local", is fixed, while a
// topology can be renamed. Prefixing one kind of id would have changed the
// ids of all existing deckies of that kind.
func idsOverlap(topologyID, engine string) bool {
	return topologyID == engine ||
		strings.HasPrefix(topologyID, engine+"/") ||
		strings.HasPrefix(engine, topologyID+"/")
}

// mailEntry is one mail container with the decky it belongs to.
type mailEntry struct {
	Decky
	container Container
	state     string
	status    string
}

// mailContainer reads one listed container and reports whether it is a
// mail container of the scheme. The label checks repeat the list filter
// because they cost nothing and keep the result right for any Lister.
func mailContainer(engine Engine, s labelScheme, summary container.Summary) (mailEntry, bool) {
	labels := summary.Labels
	service := strings.ToLower(labels[s.service])
	name := labels[s.decky]
	topologyID := labels[s.topology]
	switch {
	case labels[s.marker] != "true",
		!mailServices[service],
		name == "",
		s.topology != "" && topologyID == "":
		return mailEntry{}, false
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
	return mailEntry{
		Decky: d,
		container: Container{
			ID:      summary.ID,
			Name:    containerName(summary),
			Service: service,
			Engine:  engine.Name,
		},
		state:  summary.State,
		status: summary.Status,
	}, true
}

// add files the container under its decky in byID.
func (e mailEntry) add(byID map[string]*candidate) {
	c, ok := byID[e.ID]
	if !ok {
		c = &candidate{decky: e.Decky}
		byID[e.ID] = c
	}
	c.decky.Containers = append(c.decky.Containers, e.container)
	// NOTE: a stopped container left over from an older decky with the
	// same labels also keeps the decky out until it is removed.
	if e.state != container.StateRunning {
		c.down = append(c.down, downContainer{Container: e.container, state: e.state, status: e.status})
	}
}

func containerName(summary container.Summary) string {
	if len(summary.Names) == 0 {
		return ""
	}
	return strings.TrimPrefix(summary.Names[0], "/")
}
