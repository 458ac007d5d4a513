package scheduler

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestNewRejectsBadSpec(t *testing.T) {
	if _, err := New("every so often", func(context.Context) {}, zap.NewNop()); err == nil {
		t.Fatal("New accepted an invalid cron spec")
	}
}

func TestInterval(t *testing.T) {
	tests := []struct {
		spec string
		want time.Duration
	}{
		{"@every 5m", 5 * time.Minute},
		{"*/10 * * * *", 10 * time.Minute},
		{"@hourly", time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := New(tt.spec, func(context.Context) {}, zap.NewNop())
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Interval(time.Date(2026, 3, 4, 10, 2, 0, 0, time.UTC)); got != tt.want {
				t.Errorf("Interval = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRunSurvivesPanicsAndWaitsForJob runs a real one-second schedule: the
// first call panics, the second blocks until Run is asked to stop, and Run
// must return only after that call has finished.
func TestRunSurvivesPanicsAndWaitsForJob(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	var calls atomic.Int32
	var finished atomic.Bool
	second := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())

	job := func(jobCtx context.Context) {
		switch calls.Add(1) {
		case 1:
			panic("tick exploded")
		case 2:
			close(second)
			<-jobCtx.Done() // the daemon is stopping
			time.Sleep(100 * time.Millisecond)
			finished.Store(true)
		}
	}
	s, err := New("@every 1s", job, zap.New(core))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	select {
	case <-second:
	case <-time.After(10 * time.Second):
		// A panic that leaves the skip wrapper's token taken makes every
		// later tick a skip.
		cancel()
		t.Fatal("no tick ran after the one that panicked")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !finished.Load() {
		t.Error("Run returned before the job in progress finished")
	}
	if logs.FilterMessage("cron: panic").Len() != 1 {
		t.Errorf("recovered panic logged %d times, want once", logs.FilterMessage("cron: panic").Len())
	}
}
