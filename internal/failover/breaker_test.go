package failover

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/llm"
	"github.com/decnet/emailgend/internal/persona"
)

const goodAnswer = "Subject: Q3 budget review\n\nHi Maria,\n\nThe figures are ready.\n\nBest,\nAna Souza"

// clock is a fake clock for Config.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func request(seed uint64) generator.Request {
	return generator.Request{
		Sender: persona.Persona{
			Name: "Ana Souza", Email: "ana.souza@acme-corp.example", Role: "Finance Manager",
			Tone: persona.Formal, Language: "en",
		},
		Recipient: persona.Persona{
			Name: "Maria Pérez", Email: "maria.perez@acme-corp.example", Role: "Procurement Lead",
			Tone: persona.Direct, Language: "en",
		},
		Topic: "budget review",
		Rand:  rand.New(rand.NewPCG(seed, 3)),
	}
}

// ollamaServer starts a loopback server for /api/generate that replies
// with handler, after checking the request is a JSON POST.
func ollamaServer(t *testing.T, handler http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if r.Method != http.MethodPost || r.URL.Path != "/api/generate" {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["stream"] != false {
			http.Error(w, "invalid request", http.StatusBadRequest)
			return
		}
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func answer(text string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"model": "llama3.1", "response": text, "done": true})
	}
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

// hang returns a handler that sends no response until the client gives
// up or the test ends.
func hang(t *testing.T) http.HandlerFunc {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}
}

func ollama(t *testing.T, url string) *llm.Generator {
	t.Helper()
	g, err := llm.New(llm.Config{Kind: llm.KindOllama, BaseURL: url, Timeout: 200 * time.Millisecond}, zap.NewNop())
	if err != nil {
		t.Fatalf("llm.New() error: %v", err)
	}
	return g
}

func generate(t *testing.T, b *Breaker, seed uint64) generator.Content {
	t.Helper()
	got, err := b.Generate(context.Background(), request(seed))
	if err != nil {
		t.Fatalf("Generate() error: %v", err)
	}
	if got.Subject == "" || got.Body == "" {
		t.Fatalf("Generate() = %+v, want a subject and a body", got)
	}
	return got
}

func TestBreakerPrimaryOutcomes(t *testing.T) {
	huge := `{"response":"` + strings.Repeat("a", 10<<20) + `","done":true}`
	tests := []struct {
		name          string
		handler       func(t *testing.T) http.HandlerFunc
		wantGenerator string
		wantSubject   string
	}{
		{name: "success", handler: func(*testing.T) http.HandlerFunc { return answer(goodAnswer) }, wantGenerator: "ollama", wantSubject: "Q3 budget review"},
		{name: "fenced output", handler: func(*testing.T) http.HandlerFunc {
			return answer("Here is the email:\n```\n**Subject:** Q3 budget review\n\nHi Maria,\n\nDone.\n\nAna\n```")
		}, wantGenerator: "ollama", wantSubject: "Q3 budget review"},
		{name: "localized label", handler: func(*testing.T) http.HandlerFunc {
			return answer("Asunto: Revisión del presupuesto\n\nHola Maria,\n\nListo.\n\nAna")
		}, wantGenerator: "ollama", wantSubject: "Revisión del presupuesto"},
		{name: "status 500", handler: func(*testing.T) http.HandlerFunc { return status(500, `{"error":"boom"}`) }, wantGenerator: "template"},
		{name: "timeout", handler: hang, wantGenerator: "template"},
		{name: "malformed JSON", handler: func(*testing.T) http.HandlerFunc { return status(200, `{"response":`) }, wantGenerator: "template"},
		{name: "empty text", handler: func(*testing.T) http.HandlerFunc { return answer("") }, wantGenerator: "template"},
		{name: "10 MB response", handler: func(*testing.T) http.HandlerFunc { return status(200, huge) }, wantGenerator: "template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ollamaServer(t, tt.handler(t))
			b := New(ollama(t, srv.URL), generator.NewTemplate(nil), Config{Now: newClock().Now}, nil)

			got := generate(t, b, 1)
			if got.Generator != tt.wantGenerator {
				t.Errorf("Generator = %q, want %q", got.Generator, tt.wantGenerator)
			}
			if tt.wantSubject != "" && got.Subject != tt.wantSubject {
				t.Errorf("Subject = %q, want %q", got.Subject, tt.wantSubject)
			}
			if s := b.State(); s != "closed" {
				t.Errorf("State() = %q after one call, want closed", s)
			}
		})
	}
}

func TestBreakerOpensProbesAndCloses(t *testing.T) {
	var healthy atomic.Bool
	var calls atomic.Int32
	srv := ollamaServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if healthy.Load() {
			answer(goodAnswer)(w, r)
			return
		}
		status(500, `{"error":"model runner crashed"}`)(w, r)
	})
	core, logs := observer.New(zapcore.DebugLevel)
	clk := newClock()
	b := New(ollama(t, srv.URL), generator.NewTemplate(nil), Config{Now: clk.Now}, zap.New(core))

	// Three failures, each followed by a fallback message, open the breaker.
	for i := range 3 {
		if got := generate(t, b, uint64(i)); got.Generator != "template" {
			t.Fatalf("call %d: Generator = %q, want template", i+1, got.Generator)
		}
		want := "closed"
		if i == 2 {
			want = "open"
		}
		if s := b.State(); s != want {
			t.Fatalf("call %d: State() = %q, want %q", i+1, s, want)
		}
	}
	opened := logs.FilterMessage("primary generator failing, breaker open, using fallback").All()
	if len(opened) != 1 {
		t.Fatalf("open logged %d times, want once", len(opened))
	}
	fields := opened[0].ContextMap()
	if fields["failures"] != int64(3) {
		t.Errorf("open log failures = %v, want 3", fields["failures"])
	}
	if msg, _ := fields["error"].(string); !strings.Contains(msg, "model runner crashed") {
		t.Errorf("open log error = %q, want the last error", msg)
	}

	// While open, calls skip the primary until the cool-down ends.
	clk.Advance(DefaultCooldown - time.Second)
	if got := generate(t, b, 10); got.Generator != "template" {
		t.Errorf("open: Generator = %q, want template", got.Generator)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("open: primary called %d times, want 3", n)
	}

	// After the cool-down one probe fails and reopens the breaker.
	clk.Advance(time.Second)
	if got := generate(t, b, 11); got.Generator != "template" {
		t.Errorf("failed probe: Generator = %q, want template", got.Generator)
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("failed probe: primary called %d times, want 4", n)
	}
	if s := b.State(); s != "open" {
		t.Errorf("failed probe: State() = %q, want open", s)
	}
	if n := logs.FilterMessage("probe of primary generator failed, using fallback again").Len(); n != 1 {
		t.Errorf("failed probe logged %d times, want once", n)
	}
	if got := generate(t, b, 12); got.Generator != "template" || calls.Load() != 4 {
		t.Errorf("reopened: Generator = %q with %d primary calls, want template with 4", got.Generator, calls.Load())
	}

	// A good probe after the next cool-down closes the breaker.
	healthy.Store(true)
	clk.Advance(DefaultCooldown)
	got := generate(t, b, 13)
	if got.Generator != "ollama" {
		t.Errorf("good probe: Generator = %q, want ollama", got.Generator)
	}
	if s := b.State(); s != "closed" {
		t.Errorf("good probe: State() = %q, want closed", s)
	}
	if n := logs.FilterMessage("probing primary generator after cool-down").Len(); n != 2 {
		t.Errorf("probe start logged %d times, want 2", n)
	}
	closedLogs := logs.FilterMessage("primary generator recovered, breaker closed").All()
	if len(closedLogs) != 1 {
		t.Fatalf("close logged %d times, want once", len(closedLogs))
	}
	if f := closedLogs[0].ContextMap()["failures"]; f != int64(4) {
		t.Errorf("close log failures = %v, want 4", f)
	}
	if got := generate(t, b, 14); got.Generator != "ollama" {
		t.Errorf("closed again: Generator = %q, want ollama", got.Generator)
	}
}

func TestBreakerSuccessResetsCount(t *testing.T) {
	var fail atomic.Bool
	srv := ollamaServer(t, func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			status(500, "down")(w, r)
			return
		}
		answer(goodAnswer)(w, r)
	})
	b := New(ollama(t, srv.URL), generator.NewTemplate(nil), Config{Failures: 2, Now: newClock().Now}, nil)

	fail.Store(true)
	generate(t, b, 1)
	fail.Store(false)
	generate(t, b, 2)
	fail.Store(true)
	generate(t, b, 3)
	if s := b.State(); s != "closed" {
		t.Errorf("State() = %q after non-consecutive failures, want closed", s)
	}
	generate(t, b, 4)
	if s := b.State(); s != "open" {
		t.Errorf("State() = %q after 2 consecutive failures, want open", s)
	}
}

// stub is a primary generator whose result the test controls.
type stub struct {
	calls   atomic.Int32
	gate    chan struct{} // when non-nil, Generate waits for it
	entered chan struct{} // when non-nil, receives once per call
	content generator.Content
	err     error
}

func (s *stub) Generate(ctx context.Context, _ generator.Request) (generator.Content, error) {
	s.calls.Add(1)
	if s.entered != nil {
		s.entered <- struct{}{}
	}
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return generator.Content{}, ctx.Err()
		}
	}
	return s.content, s.err
}

func TestBreakerSingleProbe(t *testing.T) {
	primary := &stub{err: errors.New("connection refused")}
	clk := newClock()
	b := New(primary, generator.NewTemplate(nil), Config{Failures: 1, Cooldown: time.Minute, Now: clk.Now}, nil)
	generate(t, b, 1)
	if s := b.State(); s != "open" {
		t.Fatalf("State() = %q, want open", s)
	}

	primary.err = nil
	primary.content = generator.Content{Subject: "Hello", Body: "Hi", Generator: "stub"}
	primary.gate = make(chan struct{})
	primary.entered = make(chan struct{}, 1)
	clk.Advance(time.Minute)

	probeDone := make(chan generator.Content)
	go func() {
		got, _ := b.Generate(context.Background(), request(2))
		probeDone <- got
	}()
	<-primary.entered
	if s := b.State(); s != "half-open" {
		t.Errorf("State() during probe = %q, want half-open", s)
	}
	if got := generate(t, b, 3); got.Generator != "template" {
		t.Errorf("call during probe: Generator = %q, want template", got.Generator)
	}
	if n := primary.calls.Load(); n != 2 {
		t.Errorf("primary called %d times, want 2 (one failure, one probe)", n)
	}
	close(primary.gate)
	if got := <-probeDone; got.Generator != "stub" {
		t.Errorf("probe: Generator = %q, want stub", got.Generator)
	}
	if s := b.State(); s != "closed" {
		t.Errorf("State() after probe = %q, want closed", s)
	}
}

func TestBreakerEmptyContentIsFailure(t *testing.T) {
	primary := &stub{content: generator.Content{Subject: "Hello", Body: " \n", Generator: "stub"}}
	b := New(primary, generator.NewTemplate(nil), Config{Failures: 1, Now: newClock().Now}, nil)
	if got := generate(t, b, 1); got.Generator != "template" {
		t.Errorf("Generator = %q, want template", got.Generator)
	}
	if s := b.State(); s != "open" {
		t.Errorf("State() = %q, want open", s)
	}
}

func TestBreakerCallerCancel(t *testing.T) {
	primary := &stub{gate: make(chan struct{})}
	b := New(primary, generator.NewTemplate(nil), Config{Failures: 1, Now: newClock().Now}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Generate(ctx, request(1)); !errors.Is(err, context.Canceled) {
		t.Errorf("Generate() error = %v, want context.Canceled", err)
	}
	if s := b.State(); s != "closed" {
		t.Errorf("State() = %q after a cancelled call, want closed", s)
	}
}

func TestBreakerFallbackFails(t *testing.T) {
	primary := &stub{err: errors.New("primary down")}
	fallback := &stub{err: errors.New("fallback down")}
	b := New(primary, fallback, Config{Now: newClock().Now}, nil)
	_, err := b.Generate(context.Background(), request(1))
	if err == nil {
		t.Fatal("Generate() succeeded, want an error")
	}
	for _, want := range []string{"primary down", "fallback down"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error = %q, want it to contain %q", err, want)
		}
	}
}

// TestBreakerConcurrent runs many calls at once through a flapping
// primary, for the race detector.
func TestBreakerConcurrent(t *testing.T) {
	var n atomic.Int32
	srv := ollamaServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%3 == 0 {
			answer(goodAnswer)(w, r)
			return
		}
		status(502, "bad gateway")(w, r)
	})
	clk := newClock()
	b := New(ollama(t, srv.URL), generator.NewTemplate(nil), Config{Failures: 2, Cooldown: time.Millisecond, Now: clk.Now}, nil)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for j := range 5 {
				clk.Advance(time.Millisecond)
				if _, err := b.Generate(context.Background(), request(uint64(i*10+j))); err != nil {
					t.Errorf("Generate() error: %v", err)
				}
				_ = b.State()
			}
		})
	}
	wg.Wait()
}
