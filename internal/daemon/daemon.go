// Package daemon wires the parts of emailgend together from a Config and
// runs them: discovery, personas, generation, delivery, state, the
// schedule, and the service's notifications, metrics and health.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/docker/docker/client"
	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/config"
	"github.com/decnet/emailgend/internal/discovery"
	"github.com/decnet/emailgend/internal/driver"
	"github.com/decnet/emailgend/internal/failover"
	"github.com/decnet/emailgend/internal/mailer"
	"github.com/decnet/emailgend/internal/metrics"
	"github.com/decnet/emailgend/internal/notify"
	"github.com/decnet/emailgend/internal/persona"
	"github.com/decnet/emailgend/internal/pool"
	"github.com/decnet/emailgend/internal/scheduler"
	"github.com/decnet/emailgend/internal/state"
)

// engineRetry is the interval between pings of an unreachable Docker
// engine before the daemon reports itself ready.
const engineRetry = 2 * time.Second

// Daemon is a running emailgend.
type Daemon struct {
	cfg       config.Config
	log       *zap.Logger
	docker    *client.Client
	store     *state.Store
	pool      *pool.Pool
	mailer    *mailer.Mailer
	scheduler *scheduler.Scheduler
	// breaker is the LLM circuit breaker, nil with the template generator.
	breaker *failover.Breaker
	// closeTopologies releases the topology persona source.
	closeTopologies func() error

	metrics  *metrics.Metrics // nil when metrics are off
	notifier *notify.Notifier // nil when not run by systemd
	engine   engineState
	errors   errorLimiter
}

// New builds a Daemon. Dry-run output goes to stdout. Close releases what
// New opened, also after an error from Run.
func New(ctx context.Context, cfg config.Config, log *zap.Logger, stdout io.Writer) (*Daemon, error) {
	d := &Daemon{cfg: cfg, log: log, notifier: notify.New()}
	d.engine.log = log
	d.errors.logger = log
	if cfg.MetricsAddr != "" {
		d.metrics = metrics.New()
	}

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
	d.pool.OnReload(func(ok bool, personas int) {
		d.metrics.PoolReloaded(ok)
		d.metrics.SetPoolSize(personas)
	})

	gen, breaker, err := NewGenerator(cfg, log)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.breaker = breaker

	sched, err := scheduler.New(cfg.Schedule, d.tick, log.Named("scheduler"))
	if err != nil {
		d.Close()
		return nil, err
	}
	d.scheduler = sched

	topologies, _, closeTopologies := TopologySource(cfg, log)
	d.closeTopologies = closeTopologies
	finder := discovery.New(discovery.Engine{Name: LocalEngine, Client: docker}).WithLogger(log.Named("discovery"))
	d.mailer = mailer.New(mailer.Config{
		Finder:           observedFinder{finder: finder, d: d},
		Topologies:       topologies,
		Pool:             d.pool,
		Deliverers:       map[string]mailer.Deliverer{LocalEngine: driver.New(docker, cfg.ExecTimeout)},
		Store:            store,
		Generator:        gen,
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

// Run loads the personas, waits for the Docker engine, notifies systemd that
// it is ready, and runs ticks until ctx is done. With Config.Once it runs a
// single tick and returns its failure as the error. Otherwise failures are
// logged and the daemon goes on.
func (d *Daemon) Run(ctx context.Context) error {
	// A bad file leaves the pool empty until a reload fixes it; Load has
	// logged why.
	_ = d.pool.Load()

	if d.cfg.Once {
		if err := d.pingEngine(ctx); err != nil {
			return fmt.Errorf("reaching the Docker engine at %s: %w", d.docker.DaemonHost(), err)
		}
		_, err := d.mailer.Tick(ctx)
		if errors.Is(err, mailer.ErrNothingToDo) {
			d.log.Info("tick ended without a message", zap.String("reason", err.Error()))
			return nil
		}
		return err
	}

	var wg sync.WaitGroup
	defer wg.Wait()
	// The metrics address is bound before anything else, so a taken port
	// stops the daemon at start instead of leaving it unmonitored, and
	// /healthz already answers while the engine is awaited.
	if d.cfg.MetricsAddr != "" {
		listener, err := metrics.Listen(d.cfg.MetricsAddr)
		if err != nil {
			return err
		}
		wg.Go(func() { d.serveMetrics(ctx, listener) })
	}

	if err := d.waitForEngine(ctx); err != nil {
		return nil // stopped before the engine came up
	}
	d.notifyReady()

	wg.Go(func() {
		<-ctx.Done()
		if err := d.notifier.Stopping(); err != nil {
			d.log.Warn("telling systemd the daemon is stopping failed", zap.Error(err))
		}
	})
	if interval, ok := notify.WatchdogInterval(); ok {
		wg.Go(func() { d.pingWatchdog(ctx, interval/2) })
	}
	wg.Go(func() {
		// Watch loads the file again once its watch is set, so a change
		// made since the load above is not missed.
		if err := d.pool.Watch(ctx); err != nil {
			d.log.Error("watching the persona pool failed, reload it with SIGHUP",
				zap.String("path", d.pool.Path()), zap.Error(err))
		}
	})
	return d.scheduler.Run(ctx)
}

// Reload reads the global persona pool again on SIGHUP, even when the file
// looks unchanged.
func (d *Daemon) Reload() {
	if err := d.notifier.Reloading(); err != nil {
		d.log.Warn("telling systemd about the reload failed", zap.Error(err))
	}
	// ForceLoad logs its own failure and keeps the last good pool in force.
	_ = d.pool.ForceLoad()
	d.notifyReady()
}

// Close releases the state database, the topology source and the Docker
// client. It is safe to call more than once.
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

// tick is the scheduled job: it runs one tick, records its outcome in the
// metrics and logs how it ended, so a failing tick never reaches the
// scheduler.
func (d *Daemon) tick(ctx context.Context) {
	out, err := d.mailer.Tick(ctx)
	d.observe(out, err)
	switch {
	case err == nil:
		d.errors.clear()
	case errors.Is(err, mailer.ErrNothingToDo):
		d.log.Debug("tick ended without a message", zap.String("reason", err.Error()))
	default:
		d.errors.report("tick failed", err)
	}
}

func (d *Daemon) observe(out mailer.Outcome, err error) {
	if d.breaker != nil {
		if err := d.metrics.SetBreakerState(d.breaker.State()); err != nil {
			d.log.Warn("recording the breaker state failed", zap.Error(err))
		}
	}
	if out.MessageID == "" || d.cfg.DryRun {
		return
	}
	result := "delivered"
	if err != nil {
		result = "failed"
	}
	d.metrics.ObserveMessage(string(out.Source), out.Language, out.Generator, result, out.Delivery, out.Generation)
	if err == nil {
		d.metrics.TickSucceeded(time.Now())
	}
}

// health is the /healthz check: the Docker engine must not have been
// unreachable for longer than the configured outage.
func (d *Daemon) health() error {
	return d.engine.health.Check(time.Now(), d.cfg.HealthMaxOutage)
}

func (d *Daemon) serveMetrics(ctx context.Context, listener net.Listener) {
	if err := metrics.Serve(ctx, listener, d.metrics, d.health, d.log.Named("metrics")); err != nil {
		d.log.Error("metrics server failed", zap.String("address", d.cfg.MetricsAddr), zap.Error(err))
	}
}

func (d *Daemon) notifyReady() {
	if err := d.notifier.Ready(); err != nil {
		d.log.Warn("telling systemd the daemon is ready failed", zap.Error(err))
	}
}

func (d *Daemon) pingWatchdog(ctx context.Context, every time.Duration) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if err := d.notifier.Watchdog(); err != nil {
				d.log.Warn("watchdog ping failed", zap.Error(err))
			}
		}
	}
}
