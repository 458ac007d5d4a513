package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/config"
	"github.com/decnet/emailgend/internal/daemon"
	"github.com/decnet/emailgend/internal/discovery"
	"github.com/decnet/emailgend/internal/logging"
	"github.com/decnet/emailgend/internal/persona"
	"github.com/decnet/emailgend/internal/pool"
)

// runDeckies prints the mail deckies the daemon would see now, with their
// containers, where their personas come from, and how many of those are
// valid and at work.
func runDeckies(args []string, stdout io.Writer, stderr *os.File) int {
	cfg, err := config.Parse("deckies", args, os.Getenv, config.Home(), stderr)
	if errors.Is(err, config.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 2
	}
	// Problems in persona files are worth seeing here, as plain text.
	log, err := newCommandLogger(stderr, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 2
	}
	defer log.Sync() //nolint:errcheck // nothing useful to do when the final flush fails

	docker, err := daemon.DockerClient(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 1
	}
	defer docker.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	finder := discovery.New(discovery.Engine{Name: daemon.LocalEngine, Client: docker}).WithLogger(log.Named("discovery"))
	deckies, err := finder.MailDeckies(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: listing mail deckies at %s: %v\n", docker.DaemonHost(), err)
		if len(deckies) == 0 {
			return 1
		}
	}
	global := pool.New(cfg.Personas, persona.Defaults{Language: cfg.Language, Location: cfg.Location}, log.Named("pool"))
	if err := global.Load(); err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
	}
	topologies, topologyDesc, closeTopologies := daemon.TopologySource(cfg, log)
	defer closeTopologies() //nolint:errcheck // read-only source, nothing to lose

	now := time.Now()
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "DECKY\tSOURCE\tCONTAINERS\tPERSONAS FROM\tVALID\tAT WORK")
	for _, d := range deckies {
		names := make([]string, len(d.Containers))
		for i, c := range d.Containers {
			names[i] = c.Name
		}
		from := "pool " + global.Path()
		valid, active := "-", "-"
		var list persona.List
		var listErr error
		if d.Source == discovery.Topology {
			from = "topology " + d.TopologyID + " (" + topologyDesc + ")"
			list, listErr = topologies.Personas(ctx, d.TopologyID)
		} else {
			list = global.Personas()
		}
		if listErr != nil {
			from += ": " + listErr.Error()
		} else {
			valid = strconv.Itoa(len(list))
			active = strconv.Itoa(len(list.ActiveAt(now)))
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Source, strings.Join(names, ","), from, valid, active)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 1
	}
	if len(deckies) == 0 {
		fmt.Fprintf(stderr, "no running mail decky found at %s\n", docker.DaemonHost())
	}
	return 0
}

// newCommandLogger logs warnings and errors of one-shot commands as text.
func newCommandLogger(stderr *os.File, cfg config.Config) (*zap.Logger, error) {
	level := cfg.LogLevel
	if level < zap.WarnLevel {
		level = zap.WarnLevel
	}
	return logging.New(stderr, level, "console")
}
