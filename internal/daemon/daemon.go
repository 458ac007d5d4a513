// Package daemon wires the parts of emailgend together from a Config and
// runs them: discovery, personas, generation, delivery, state and the
// schedule.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/docker/docker/client"
	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/config"
	"github.com/decnet/emailgend/internal/discovery"
	"github.com/decnet/emailgend/internal/driver"
	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/mailer"
	"github.com/decnet/emailgend/internal/persona"
	"github.com/decnet/emailgend/internal/pool"
	"github.com/decnet/emailgend/internal/scheduler"
	"github.com/decnet/emailgend/internal/state"
)

// Daemon is a running emailgend.
type Daemon struct {
	cfg       config.Config
	log       *zap.Logger
	docker    *client.Client
	store     *state.Store
	pool      *pool.Pool
	mailer    *mailer.Mailer
	scheduler *scheduler.Scheduler
	// closeTopologies releases the topology persona source.
	closeTopologies func() error
}

// New builds a Daemon. Dry-run output goes to stdout. Close releases what
// New opened, also after an error from Run.
func New(ctx context.Context, cfg config.Config, log *zap.Logger, stdout io.Writer) (*Daemon, error) {
	d := &Daemon{cfg: cfg, log: log}

	docker, err := DockerClient(cfg)
	if err != nil {
		return nil, err
	}
	d.docker = docker

	store, err := state.Open(ctx, cfg.State)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.store = store

	defaults := persona.Defaults{Language: cfg.Language, Location: cfg.Location}
	d.pool = pool.New(cfg.Personas, defaults, log.Named("pool"))

	sched, err := scheduler.New(cfg.Schedule, d.tick, log.Named("scheduler"))
	if err != nil {
		d.Close()
		return nil, err
	}
	d.scheduler = sched

	topologies, _, closeTopologies := TopologySource(cfg, log)
	d.closeTopologies = closeTopologies
	d.mailer = mailer.New(mailer.Config{
		Finder:           discovery.New(discovery.Engine{Name: LocalEngine, Client: docker}),
		Topologies:       topologies,
		Pool:             d.pool,
		Deliverers:       map[string]mailer.Deliverer{LocalEngine: driver.New(docker, cfg.ExecTimeout)},
		Store:            store,
		Generator:        generator.NewTemplate(log.Named("generator")),
		Log:              log.Named("mailer"),
		Spool:            cfg.Spool,
		ReplyProbability: cfg.ReplyProbability,
		Lookback:         sched.Interval(time.Now()),
		Keep:             cfg.Keep,
		DryRun:           cfg.DryRun,
		DryRunOutput:     stdout,
	})
	return d, nil
}

// Run loads the personas and runs ticks until ctx is done, or a single tick
// when the Config says Once. With Once, a failed tick is returned as the
// error; otherwise failures are logged and the daemon goes on.
func (d *Daemon) Run(ctx context.Context) error {
	// A bad file leaves the pool empty until a reload fixes it; Load has
	// logged why.
	_ = d.pool.Load()
	version, err := d.docker.ServerVersion(ctx)
	if err != nil {
		if d.cfg.Once {
			return fmt.Errorf("reaching the Docker engine at %s: %w", d.docker.DaemonHost(), err)
		}
		d.log.Error("Docker engine unreachable, ticks will retry",
			zap.String("docker_host", d.docker.DaemonHost()), zap.Error(err))
	} else {
		d.log.Info("Docker engine reachable", zap.String("docker_host", d.docker.DaemonHost()),
			zap.String("engine_version", version.Version), zap.String("api_version", d.docker.ClientVersion()))
	}

	if d.cfg.Once {
		_, err := d.mailer.Tick(ctx)
		if errors.Is(err, mailer.ErrNothingToDo) {
			d.log.Info("tick ended without a message", zap.String("reason", err.Error()))
			return nil
		}
		return err
	}
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		// Watch loads the file again once its watch is set, so a change
		// made since the load above is not missed.
		if err := d.pool.Watch(ctx); err != nil {
			d.log.Error("watching the persona pool failed, reload it with SIGHUP",
				zap.String("path", d.pool.Path()), zap.Error(err))
		}
	}()
	err = d.scheduler.Run(ctx)
	<-watchDone
	return err
}

// Reload reads the global persona pool again, even when the file looks
// unchanged, as SIGHUP asks.
func (d *Daemon) Reload() {
	// ForceLoad logs its own failure and keeps the last good pool in force.
	_ = d.pool.ForceLoad()
}

// Close releases the state database and the Docker client. It is safe to
// call more than once.
func (d *Daemon) Close() error {
	var errs []error
	if d.closeTopologies != nil {
		errs = append(errs, d.closeTopologies())
		d.closeTopologies = nil
	}
	if d.store != nil {
		errs = append(errs, d.store.Close())
		d.store = nil
	}
	if d.docker != nil {
		errs = append(errs, d.docker.Close())
		d.docker = nil
	}
	return errors.Join(errs...)
}

// tick is the scheduled job: it runs one tick and logs how it ended, so a
// failing tick never reaches the scheduler.
func (d *Daemon) tick(ctx context.Context) {
	if _, err := d.mailer.Tick(ctx); err != nil {
		if errors.Is(err, mailer.ErrNothingToDo) {
			d.log.Debug("tick ended without a message", zap.String("reason", err.Error()))
			return
		}
		d.log.Error("tick failed", zap.Error(err))
	}
}
