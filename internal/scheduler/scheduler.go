// Package scheduler runs the daemon's ticks on a cron schedule, one at a
// time, and lets the tick in progress finish when the daemon stops.
package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
	"go.uber.org/zap"
)

// Scheduler calls a job on a cron schedule. A job still running when the
// next time comes makes the scheduler skip that time, and a job that panics
// is logged and does not stop later ticks.
type Scheduler struct {
	spec     string
	schedule cron.Schedule
	job      func(context.Context)
	log      *zap.Logger
}

// New returns a Scheduler for spec, a five-field cron line or a descriptor
// such as "@every 5m".
func New(spec string, job func(context.Context), log *zap.Logger) (*Scheduler, error) {
	schedule, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("parsing schedule %q: %w", spec, err)
	}
	return &Scheduler{spec: spec, schedule: schedule, job: job, log: log}, nil
}

// Interval returns the time between the two ticks that follow now. For a
// cron line with uneven gaps it is only the next gap.
func (s *Scheduler) Interval(now time.Time) time.Duration {
	next := s.schedule.Next(now)
	return s.schedule.Next(next).Sub(next)
}

// Run calls the job on schedule until ctx is done, then waits for the job in
// progress. The job gets ctx itself and decides what to finish once it is
// canceled: the daemon drops a message still being written but completes
// one being delivered.
func (s *Scheduler) Run(ctx context.Context) error {
	logger := cronLogger{s.log}
	// Recover must sit inside SkipIfStillRunning: a panic that escaped the
	// skip wrapper would keep its "running" token forever and every later
	// tick would be skipped.
	c := cron.New(
		cron.WithLogger(logger),
		cron.WithChain(cron.SkipIfStillRunning(logger), cron.Recover(logger)),
	)
	c.Schedule(s.schedule, cron.FuncJob(func() { s.job(ctx) }))

	c.Start()
	s.log.Info("scheduler started", zap.String("schedule", s.spec),
		zap.Time("next_tick", s.schedule.Next(time.Now())))
	<-ctx.Done()

	s.log.Info("scheduler stopping, waiting for the tick in progress")
	<-c.Stop().Done()
	return nil
}

// cronLogger sends cron's chatter (every wake-up, every skip) to debug and
// its errors, which are recovered panics, to error.
type cronLogger struct{ log *zap.Logger }

func (l cronLogger) Info(msg string, keysAndValues ...any) {
	l.log.Sugar().Debugw("cron: "+msg, keysAndValues...)
}

func (l cronLogger) Error(err error, msg string, keysAndValues ...any) {
	l.log.Sugar().Errorw("cron: "+msg, append(keysAndValues, "error", err)...)
}
