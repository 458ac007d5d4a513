package metrics

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// startServer runs Serve on 127.0.0.1 with a free port and returns the
// server's base URL. The server is stopped, and Serve's result checked,
// when the test ends.
func startServer(t *testing.T, m *Metrics, health func() error) string {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	listener, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- Serve(ctx, listener, m, health, zap.New(core))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("Serve after cancel: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return within 10s of its context ending")
		}
	})

	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, entry := range logs.FilterMessage("metrics server listening").All() {
			return "http://" + entry.ContextMap()["address"].(string)
		}
		select {
		case err := <-served:
			t.Fatalf("Serve returned before listening: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("Serve did not log its address within 5s")
	return ""
}

// get requests url and returns the status code and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body of %s: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

// scrape fetches baseURL/metrics and parses the text exposition format.
func scrape(t *testing.T, baseURL string) map[string]*dto.MetricFamily {
	t.Helper()
	status, body := get(t, baseURL+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics: status %d, body %q", status, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return families
}

// series returns the metric of family name whose labels include labels, or
// fails the test.
func series(t *testing.T, families map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	family, ok := families[name]
	if !ok {
		t.Fatalf("metric %s missing from /metrics", name)
	}
	for _, metric := range family.GetMetric() {
		got := map[string]string{}
		for _, pair := range metric.GetLabel() {
			got[pair.GetName()] = pair.GetValue()
		}
		matches := true
		for key, value := range labels {
			if got[key] != value {
				matches = false
			}
		}
		if matches {
			return metric
		}
	}
	t.Fatalf("metric %s has no series with labels %v", name, labels)
	return nil
}

func TestServeMetricsAfterCalls(t *testing.T) {
	m := New()
	m.ObserveMessage("topology", "es", "template", "delivered", 200*time.Millisecond, time.Millisecond)
	m.ObserveMessage("topology", "es", "template", "delivered", 300*time.Millisecond, 2*time.Millisecond)
	m.ObserveMessage("fleet", "en", "template", "failed", 8*time.Second, time.Millisecond)
	m.ObserveMessage("shard", "en", "template", "delivered", 0, time.Millisecond)
	m.SetPoolSize(12)
	m.PoolReloaded(true)
	m.PoolReloaded(true)
	m.PoolReloaded(false)
	m.SetDeckies(3)
	m.TickSucceeded(time.Unix(1_700_000_000, 500_000_000))
	if err := m.SetBreakerState(BreakerOpen); err != nil {
		t.Fatalf("SetBreakerState(%q): %v", BreakerOpen, err)
	}

	families := scrape(t, startServer(t, m, nil))

	counters := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"emailgend_messages_total", map[string]string{"source": "topology", "language": "es", "generator": "template", "result": "delivered"}, 2},
		{"emailgend_messages_total", map[string]string{"source": "fleet", "language": "en", "generator": "template", "result": "failed"}, 1},
		{"emailgend_messages_total", map[string]string{"source": "shard", "language": "en", "generator": "template", "result": "delivered"}, 1},
		{"emailgend_persona_pool_reloads_total", map[string]string{"result": "ok"}, 2},
		{"emailgend_persona_pool_reloads_total", map[string]string{"result": "error"}, 1},
	}
	for _, c := range counters {
		if got := series(t, families, c.name, c.labels).GetCounter().GetValue(); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}

	gauges := []struct {
		name string
		want float64
	}{
		{"emailgend_persona_pool_size", 12},
		{"emailgend_mail_deckies", 3},
		{"emailgend_last_successful_tick_timestamp_seconds", 1_700_000_000.5},
		{"emailgend_llm_breaker_state", 2},
	}
	for _, g := range gauges {
		if got := series(t, families, g.name, nil).GetGauge().GetValue(); got != g.want {
			t.Errorf("%s = %v, want %v", g.name, got, g.want)
		}
	}

	// The shard message had no delivery time, so only three deliveries
	// are recorded, but all four generations are.
	delivered := series(t, families, "emailgend_delivery_duration_seconds", map[string]string{"result": "delivered"}).GetHistogram()
	if got := delivered.GetSampleCount(); got != 2 {
		t.Errorf("delivered delivery count = %d, want 2", got)
	}
	if got := delivered.GetSampleSum(); got < 0.499 || got > 0.501 {
		t.Errorf("delivered delivery sum = %v s, want 0.5", got)
	}
	failed := series(t, families, "emailgend_delivery_duration_seconds", map[string]string{"result": "failed"}).GetHistogram()
	if got := failed.GetSampleCount(); got != 1 {
		t.Errorf("failed delivery count = %d, want 1", got)
	}
	generated := series(t, families, "emailgend_generation_duration_seconds", map[string]string{"generator": "template"}).GetHistogram()
	if got := generated.GetSampleCount(); got != 4 {
		t.Errorf("generation count = %d, want 4", got)
	}

	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "go_build_info"} {
		if _, ok := families[name]; !ok {
			t.Errorf("metric %s missing from /metrics", name)
		}
	}
}

func TestServeHealthz(t *testing.T) {
	var failure atomic.Pointer[string]
	baseURL := startServer(t, New(), func() error {
		if reason := failure.Load(); reason != nil {
			return errors.New(*reason)
		}
		return nil
	})

	status, body := get(t, baseURL+"/healthz")
	if status != http.StatusOK {
		t.Errorf("healthy: status = %d, want 200", status)
	}
	if strings.TrimSpace(body) != "ok" {
		t.Errorf("healthy: body = %q, want ok", body)
	}

	reason := "the Docker engine has been unreachable for 6m0s"
	failure.Store(&reason)
	status, body = get(t, baseURL+"/healthz")
	if status != http.StatusServiceUnavailable {
		t.Errorf("unhealthy: status = %d, want 503", status)
	}
	if strings.TrimSpace(body) != reason {
		t.Errorf("unhealthy: body = %q, want %q", body, reason)
	}
}

func TestServeNilMetrics(t *testing.T) {
	baseURL := startServer(t, nil, nil)

	if status, _ := get(t, baseURL+"/metrics"); status != http.StatusNotFound {
		t.Errorf("/metrics with nil Metrics: status = %d, want 404", status)
	}
	if status, _ := get(t, baseURL+"/healthz"); status != http.StatusOK {
		t.Errorf("/healthz with nil health: status = %d, want 200", status)
	}
}

func TestListenRejectsNonLoopback(t *testing.T) {
	// None of these is bound: Listen rejects them before listening.
	addresses := []string{
		"0.0.0.0:9464",
		":9464",
		"[::]:9464",
		"192.0.2.10:9464",
		"[2001:db8::1]:9464",
		"[fe80::1%lo]:9464",
		"[::1%lo]:9464",
		"example.com:9464",
		"127.0.0.1",
		"",
	}
	for _, addr := range addresses {
		t.Run(addr, func(t *testing.T) {
			listener, err := Listen(addr)
			if err == nil {
				listener.Close()
				t.Fatalf("Listen(%q) succeeded", addr)
			}
			if !strings.Contains(err.Error(), `"`+addr+`"`) {
				t.Errorf("error %q does not name the address", err)
			}
		})
	}
}

func TestCheckLoopbackAccepts(t *testing.T) {
	addresses := []string{
		"127.0.0.1:9464",
		"127.10.20.30:0",
		"[::1]:9464",
		"[::ffff:127.0.0.1]:9464",
		"localhost:9464",
	}
	for _, addr := range addresses {
		if err := checkLoopback(addr); err != nil {
			t.Errorf("checkLoopback(%q): %v", addr, err)
		}
	}
}

func TestListenPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on 127.0.0.1:0: %v", err)
	}
	defer busy.Close()
	addr := busy.Addr().String()

	listener, err := Listen(addr)
	if err == nil {
		listener.Close()
		t.Fatalf("Listen(%q) succeeded on a port in use", addr)
	}
	for _, want := range []string{addr, "--metrics-addr"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}
