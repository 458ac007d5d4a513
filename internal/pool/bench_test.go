package pool

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/persona"
)

// writeLargePool writes a valid pool of n personas that use every field,
// and returns its path.
func writeLargePool(b *testing.B, n int) string {
	b.Helper()
	tones := []string{"formal", "direct", "casual", "technical", "custom"}
	zones := []string{"Europe/Madrid", "America/Sao_Paulo", "UTC", "Asia/Tokyo"}
	entries := make([]map[string]any, 0, n)
	for i := range n {
		entry := map[string]any{
			"name":              fmt.Sprintf("Employee Number %d", i),
			"email":             fmt.Sprintf("employee.%d@corp%d.example.com", i, i%50),
			"role":              "Accounts Payable Specialist",
			"tone":              tones[i%len(tones)],
			"mannerisms":        []string{"opens with a greeting", "asks one question at the end"},
			"language":          "en",
			"signature":         fmt.Sprintf("Employee Number %d\nAccounts Payable\nExt. %04d", i, i),
			"active_hours":      "08:30-17:30",
			"reply_latency":     "normal",
			"uses_llms_heavily": i%7 == 0,
			"timezone":          zones[i%len(zones)],
			"active_days":       "mon-fri",
		}
		if entry["tone"] == "custom" {
			entry["tone_custom"] = "short sentences, no pleasantries"
		}
		entries = append(entries, entry)
	}
	data, err := json.Marshal(entries)
	if err != nil {
		b.Fatalf("encoding personas: %v", err)
	}
	path := filepath.Join(b.TempDir(), "email_personas.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatalf("writing %s: %v", path, err)
	}
	return path
}

// BenchmarkLoad10000 reads, parses and validates a pool file of 10,000
// personas on each iteration.
func BenchmarkLoad10000(b *testing.B) {
	path := writeLargePool(b, 10_000)
	p := New(path, persona.Defaults{Language: "en", Location: time.UTC}, zap.NewNop())

	b.ReportAllocs()
	for b.Loop() {
		if err := p.ForceLoad(); err != nil {
			b.Fatalf("ForceLoad: %v", err)
		}
	}
	if got := len(p.Personas()); got != 10_000 {
		b.Fatalf("loaded %d personas, want 10000", got)
	}
}

// BenchmarkReloadLatency measures the time from renaming a new pool file
// into place to the new list being in force under a running Watch. The
// quiet period of the watch is part of each measurement.
func BenchmarkReloadLatency(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "email_personas.json")
	if err := os.WriteFile(path, []byte(personasTagged("start")), 0o600); err != nil {
		b.Fatalf("writing %s: %v", path, err)
	}
	p := New(path, persona.Defaults{Language: "en", Location: time.UTC}, zap.NewNop())
	swapped := make(chan struct{}, 1)
	p.swapHook = func(persona.List) {
		select {
		case swapped <- struct{}{}:
		default:
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Watch(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("Watch: %v", err)
		}
	}()
	waitSwap := func() {
		select {
		case <-swapped:
		case <-time.After(hangGuard):
			b.Fatalf("no reload within %v", hangGuard)
		}
	}
	waitSwap() // the first load

	tmp := filepath.Join(dir, ".email_personas.json.tmp")
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		if err := os.WriteFile(tmp, []byte(personasTagged(fmt.Sprintf("v%d", i))), 0o600); err != nil {
			b.Fatalf("writing %s: %v", tmp, err)
		}
		b.StartTimer()

		start := time.Now()
		if err := os.Rename(tmp, path); err != nil {
			b.Fatalf("renaming %s: %v", tmp, err)
		}
		waitSwap()
		latencies = append(latencies, time.Since(start))
	}
	b.StopTimer()

	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2])/float64(time.Millisecond), "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)-1])/float64(time.Millisecond), "max-ms")
}
