package metrics

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// EngineHealth tracks whether the Docker engine is reachable, from the
// outcome of each call the daemon makes to it. The zero value is ready to
// use and healthy, and its methods are safe for concurrent use and on a
// nil *EngineHealth.
type EngineHealth struct {
	mu sync.Mutex
	// latest is the time of the newest outcome recorded. Outcomes older
	// than it are ignored, so a slow call that started before a newer
	// one cannot overwrite the newer outcome.
	latest time.Time
	// failingSince is the time of the first failure since the engine was
	// last reached, and zero while it is reachable.
	failingSince time.Time
	lastErr      error
}

// Reached records that a call to the engine succeeded at now.
func (h *EngineHealth) Reached(now time.Time) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if now.Before(h.latest) {
		return
	}
	h.latest = now
	h.failingSince = time.Time{}
	h.lastErr = nil
}

// Failed records that a call to the engine failed at now with err.
func (h *EngineHealth) Failed(now time.Time, err error) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if now.Before(h.latest) {
		return
	}
	h.latest = now
	if h.failingSince.IsZero() {
		h.failingSince = now
	}
	h.lastErr = err
}

// Check returns an error when the calls to the engine have failed, with no
// success in between, for longer than maxOutage before now. The error wraps
// the last failure. Check returns nil while the engine is reachable, before
// any outcome is recorded, and during a shorter outage.
func (h *EngineHealth) Check(now time.Time, maxOutage time.Duration) error {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failingSince.IsZero() {
		return nil
	}
	outage := now.Sub(h.failingSince)
	if outage <= maxOutage {
		return nil
	}
	message := fmt.Sprintf("the Docker engine has been unreachable for %s, since %s, over the %s limit",
		outage.Round(time.Second), h.failingSince.UTC().Format(time.RFC3339), maxOutage)
	if h.lastErr == nil {
		return errors.New(message)
	}
	return fmt.Errorf("%s: %w", message, h.lastErr)
}
