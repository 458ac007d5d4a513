package metrics

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	start      = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	errRefused = errors.New("dial unix /var/run/docker.sock: connect: connection refused")
)

// event is one outcome recorded on an EngineHealth, at start plus offset.
type event struct {
	offset time.Duration
	err    error // nil records a success
}

func TestEngineHealthCheck(t *testing.T) {
	const maxOutage = 5 * time.Minute
	tests := []struct {
		name    string
		events  []event
		checkAt time.Duration
		wantErr bool
	}{
		{"nothing recorded", nil, time.Hour, false},
		{"reachable", []event{{0, nil}}, time.Hour, false},
		{"short outage", []event{{0, errRefused}, {time.Minute, errRefused}}, 4 * time.Minute, false},
		{"outage at the limit", []event{{0, errRefused}}, maxOutage, false},
		{"outage over the limit", []event{{0, errRefused}}, maxOutage + time.Second, true},
		{"counted from the first failure", []event{{0, errRefused}, {4 * time.Minute, errRefused}}, 6 * time.Minute, true},
		{"recovered", []event{{0, errRefused}, {6 * time.Minute, nil}}, 7 * time.Minute, false},
		{"failing again after recovery", []event{{0, errRefused}, {6 * time.Minute, nil}, {7 * time.Minute, errRefused}}, 8 * time.Minute, false},
		{"older success ignored", []event{{0, errRefused}, {6 * time.Minute, errRefused}, {time.Minute, nil}}, 7 * time.Minute, true},
		{"older failure ignored", []event{{2 * time.Minute, nil}, {0, errRefused}}, time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h EngineHealth
			for _, e := range tt.events {
				if e.err == nil {
					h.Reached(start.Add(e.offset))
				} else {
					h.Failed(start.Add(e.offset), e.err)
				}
			}
			err := h.Check(start.Add(tt.checkAt), maxOutage)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("Check = %v, want an error: %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, errRefused) {
				t.Errorf("Check error %q does not wrap the last failure", err)
			}
		})
	}
}

func TestEngineHealthCheckMessage(t *testing.T) {
	var h EngineHealth
	h.Failed(start, errRefused)

	err := h.Check(start.Add(6*time.Minute), 5*time.Minute)
	if err == nil {
		t.Fatal("Check succeeded after a 6m outage with a 5m limit")
	}
	for _, want := range []string{"6m0s", "2025-03-04T10:00:00Z", "5m0s", errRefused.Error()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Check error %q does not contain %q", err, want)
		}
	}
}

func TestEngineHealthFailedWithoutError(t *testing.T) {
	var h EngineHealth
	h.Failed(start, nil)

	err := h.Check(start.Add(time.Hour), time.Minute)
	if err == nil {
		t.Fatal("Check succeeded after an hour of failures")
	}
	if strings.Contains(err.Error(), "%!") {
		t.Errorf("Check error %q has a formatting mistake", err)
	}
}

func TestEngineHealthNil(t *testing.T) {
	var h *EngineHealth
	h.Failed(start, errRefused)
	h.Reached(start)
	if err := h.Check(start.Add(time.Hour), time.Minute); err != nil {
		t.Errorf("Check on nil EngineHealth = %v, want nil", err)
	}
}

func TestEngineHealthConcurrent(t *testing.T) {
	var h EngineHealth
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 100 {
				at := start.Add(time.Duration(i*100+j) * time.Millisecond)
				if j%2 == 0 {
					h.Failed(at, errRefused)
				} else {
					h.Reached(at)
				}
				_ = h.Check(at, time.Minute)
			}
		})
	}
	wg.Wait()
}
