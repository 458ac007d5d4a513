package daemon

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/discovery"
	"github.com/decnet/emailgend/internal/mailer"
	"github.com/decnet/emailgend/internal/metrics"
)

// engineState tracks whether the Docker engine is reachable. /healthz reads
// it, and an outage is logged once when it starts and once when it ends.
type engineState struct {
	log    *zap.Logger
	health metrics.EngineHealth

	mu   sync.Mutex
	down bool
}

func (e *engineState) reached(now time.Time) {
	e.health.Reached(now)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.down {
		e.down = false
		e.log.Info("Docker engine reachable again")
	}
}

func (e *engineState) failed(now time.Time, err error) {
	e.health.Failed(now, err)
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.down {
		e.down = true
		e.log.Error("Docker engine unreachable, ticks will retry", zap.Error(err))
	}
}

// observedFinder reports each listing to the engine state and the metrics.
type observedFinder struct {
	finder mailer.Finder
	d      *Daemon
}

func (o observedFinder) MailDeckies(ctx context.Context) ([]discovery.Decky, error) {
	deckies, err := o.finder.MailDeckies(ctx)
	if err != nil && len(deckies) == 0 {
		o.d.engine.failed(time.Now(), err)
		return nil, err
	}
	o.d.engine.reached(time.Now())
	o.d.metrics.SetDeckies(len(deckies))
	return deckies, err
}

// pingEngine requests the engine's version once and logs the engine found.
func (d *Daemon) pingEngine(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	version, err := d.docker.ServerVersion(ctx)
	if err != nil {
		return err
	}
	d.engine.reached(time.Now())
	d.log.Info("Docker engine reachable", zap.String("docker_host", d.docker.DaemonHost()),
		zap.String("engine_version", version.Version), zap.String("api_version", d.docker.ClientVersion()))
	return nil
}

// waitForEngine pings the engine until it is reachable or ctx ends, and logs
// the outage once. The daemon thus reports ready only when it can deliver.
func (d *Daemon) waitForEngine(ctx context.Context) error {
	for {
		err := d.pingEngine(ctx)
		if err == nil {
			return nil
		}
		d.engine.failed(time.Now(), err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(engineRetry):
		}
	}
}
