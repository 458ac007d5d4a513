package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestNilMetricsSafe(t *testing.T) {
	var m *Metrics
	m.ObserveMessage("fleet", "en", "template", "delivered", time.Second, time.Millisecond)
	m.SetPoolSize(4)
	m.PoolReloaded(true)
	m.PoolReloaded(false)
	m.SetDeckies(2)
	m.TickSucceeded(time.Now())
	if err := m.SetBreakerState(BreakerHalfOpen); err != nil {
		t.Errorf("SetBreakerState(%q) on nil Metrics: %v", BreakerHalfOpen, err)
	}
	if err := m.SetBreakerState("broken"); err == nil {
		t.Error("SetBreakerState(\"broken\") on nil Metrics succeeded")
	}
}

func TestSetBreakerState(t *testing.T) {
	m := New()
	tests := []struct {
		state string
		want  float64
	}{
		{BreakerOpen, 2},
		{BreakerHalfOpen, 1},
		{BreakerClosed, 0},
	}
	for _, tt := range tests {
		if err := m.SetBreakerState(tt.state); err != nil {
			t.Fatalf("SetBreakerState(%q): %v", tt.state, err)
		}
		if got := testutil.ToFloat64(m.breaker); got != tt.want {
			t.Errorf("after SetBreakerState(%q): gauge = %v, want %v", tt.state, got, tt.want)
		}
	}
}

func TestSetBreakerStateInvalid(t *testing.T) {
	m := New()
	if err := m.SetBreakerState(BreakerOpen); err != nil {
		t.Fatalf("SetBreakerState(%q): %v", BreakerOpen, err)
	}

	err := m.SetBreakerState("half_open")
	if err == nil {
		t.Fatal("SetBreakerState(\"half_open\") succeeded")
	}
	if !strings.Contains(err.Error(), `"half_open"`) {
		t.Errorf("error %q does not name the state", err)
	}
	if got := testutil.ToFloat64(m.breaker); got != 2 {
		t.Errorf("gauge after an invalid state = %v, want 2 (open, unchanged)", got)
	}
}

func TestPoolReloadsStartAtZero(t *testing.T) {
	m := New()
	for _, result := range []string{"ok", "error"} {
		if got := testutil.ToFloat64(m.reloads.WithLabelValues(result)); got != 0 {
			t.Errorf("reloads{result=%q} = %v, want 0 before any reload", result, got)
		}
	}
}

func TestObserveMessageSkipsZeroDurations(t *testing.T) {
	m := New()
	m.ObserveMessage("fleet", "en", "template", "delivered", 0, -time.Second)

	if got := testutil.ToFloat64(m.messages.WithLabelValues("fleet", "en", "template", "delivered")); got != 1 {
		t.Errorf("messages = %v, want 1", got)
	}
	if got := testutil.CollectAndCount(m.delivery); got != 0 {
		t.Errorf("delivery series = %d, want 0 for a zero duration", got)
	}
	if got := testutil.CollectAndCount(m.generation); got != 0 {
		t.Errorf("generation series = %d, want 0 for a negative duration", got)
	}
}
