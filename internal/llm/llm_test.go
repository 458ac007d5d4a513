package llm

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/decnet/emailgend/internal/generator"
)

const goodAnswer = "Subject: Q3 budget review\n\n" + plainBody

// captured is what a fake server saw of one request.
type captured struct {
	path          string
	contentType   string
	authorization string
	body          map[string]any
}

// fakeServer is a loopback server that records each request and replies
// with reply. It checks that requests are JSON POSTs.
type fakeServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []captured
}

func newFakeServer(t *testing.T, reply http.HandlerFunc) *fakeServer {
	t.Helper()
	s := &fakeServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := captured{
			path:          r.URL.Path,
			contentType:   r.Header.Get("Content-Type"),
			authorization: r.Header.Get("Authorization"),
		}
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&c.body); err != nil {
			http.Error(w, "invalid JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.requests = append(s.requests, c)
		s.mu.Unlock()
		reply(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *fakeServer) last(t *testing.T) captured {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		t.Fatal("server received no request")
	}
	return s.requests[len(s.requests)-1]
}

// ollamaReply responds with text in the Ollama /api/generate format.
func ollamaReply(text string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"model":       "llama3.1",
			"created_at":  "2026-03-03T10:00:00Z",
			"response":    text,
			"done":        true,
			"done_reason": "stop",
		})
	}
}

// openAIReply responds with text in the OpenAI chat-completions format.
func openAIReply(text string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id":     "chatcmpl-1",
			"object": "chat.completion",
			"choices": []any{map[string]any{
				"index":         0,
				"message":       map[string]any{"role": "assistant", "content": text},
				"finish_reason": "stop",
			}},
		})
	}
}

func rawReply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func newGenerator(t *testing.T, cfg Config) *Generator {
	t.Helper()
	g, err := New(cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("New() error: %v", err)
	}
	return g
}

func TestGenerateOllama(t *testing.T) {
	srv := newFakeServer(t, ollamaReply(goodAnswer))
	g := newGenerator(t, Config{Kind: KindOllama, BaseURL: srv.URL})

	req := rootRequest(ana)
	got, err := g.Generate(context.Background(), req)
	if err != nil {
		t.Fatalf("Generate() error: %v", err)
	}
	if got.Generator != "ollama" {
		t.Errorf("Generator = %q, want ollama", got.Generator)
	}
	if got.Subject != "Q3 budget review" {
		t.Errorf("Subject = %q, want Q3 budget review", got.Subject)
	}
	if got.Body != plainBody {
		t.Errorf("Body = %q, want %q", got.Body, plainBody)
	}
	if len(got.Mannerisms) < 1 || len(got.Mannerisms) > 2 {
		t.Errorf("Mannerisms = %q, want one or two", got.Mannerisms)
	}

	sent := srv.last(t)
	if sent.path != "/api/generate" {
		t.Errorf("path = %q, want /api/generate", sent.path)
	}
	if sent.contentType != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", sent.contentType)
	}
	if sent.authorization != "" {
		t.Errorf("Authorization = %q, want none without a key", sent.authorization)
	}
	if sent.body["model"] != "llama3.1" {
		t.Errorf("model = %v, want llama3.1", sent.body["model"])
	}
	if sent.body["stream"] != false {
		t.Errorf("stream = %v, want false", sent.body["stream"])
	}
	prompt, _ := sent.body["prompt"].(string)
	for _, m := range got.Mannerisms {
		if !strings.Contains(prompt, m) {
			t.Errorf("prompt lacks chosen mannerism %q", m)
		}
	}
	if !strings.Contains(prompt, "Topic: budget review.") {
		t.Errorf("prompt lacks the topic:\n%s", prompt)
	}
	if system, _ := sent.body["system"].(string); !strings.Contains(system, "Subject:") {
		t.Errorf("system = %q, want the rules", system)
	}
	if _, ok := sent.body["options"].(map[string]any); !ok {
		t.Errorf("options = %v, want an object", sent.body["options"])
	}
}

func TestGenerateOpenAI(t *testing.T) {
	srv := newFakeServer(t, openAIReply("```\n"+goodAnswer+"\n```"))
	g := newGenerator(t, Config{Kind: KindOpenAI, BaseURL: srv.URL + "/v1/", Model: "qwen2.5-7b", APIKey: "sk-test-123"})

	got, err := g.Generate(context.Background(), replyRequest(ana))
	if err != nil {
		t.Fatalf("Generate() error: %v", err)
	}
	if got.Generator != "openai" {
		t.Errorf("Generator = %q, want openai", got.Generator)
	}
	if got.Subject != "Re: Budget review" {
		t.Errorf("Subject = %q, want Re: Budget review", got.Subject)
	}
	if got.Body != plainBody {
		t.Errorf("Body = %q, want %q", got.Body, plainBody)
	}

	sent := srv.last(t)
	if sent.path != "/v1/chat/completions" {
		t.Errorf("path = %q, want /v1/chat/completions", sent.path)
	}
	if sent.authorization != "Bearer sk-test-123" {
		t.Errorf("Authorization = %q, want the bearer key", sent.authorization)
	}
	if sent.body["model"] != "qwen2.5-7b" {
		t.Errorf("model = %v, want qwen2.5-7b", sent.body["model"])
	}
	if _, ok := sent.body["temperature"].(float64); !ok {
		t.Errorf("temperature = %v, want a number", sent.body["temperature"])
	}
	messages, _ := sent.body["messages"].([]any)
	var roles []string
	for _, m := range messages {
		msg, _ := m.(map[string]any)
		role, _ := msg["role"].(string)
		roles = append(roles, role)
	}
	if !slices.Equal(roles, []string{"system", "user"}) {
		t.Errorf("message roles = %q, want [system user]", roles)
	}
}

func TestGenerateOllamaBearerKey(t *testing.T) {
	srv := newFakeServer(t, ollamaReply(goodAnswer))
	g := newGenerator(t, Config{Kind: KindOllama, BaseURL: srv.URL + "/api", APIKey: "ol-key"})
	if _, err := g.Generate(context.Background(), rootRequest(ana)); err != nil {
		t.Fatalf("Generate() error: %v", err)
	}
	sent := srv.last(t)
	if sent.authorization != "Bearer ol-key" {
		t.Errorf("Authorization = %q, want Bearer ol-key", sent.authorization)
	}
	if sent.path != "/api/generate" {
		t.Errorf("path = %q, want /api/generate", sent.path)
	}
}

func TestGenerateKeyNotInErrors(t *testing.T) {
	const key = "sk-secret-0123456789"
	echo := func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"error": map[string]any{"message": "invalid key " + auth, "type": "invalid_request_error"},
		})
	}
	plain := func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad token: "+r.Header.Get("Authorization"), http.StatusInternalServerError)
	}
	for name, handler := range map[string]http.HandlerFunc{"json": echo, "plain": plain} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, handler)
			g := newGenerator(t, Config{Kind: KindOpenAI, BaseURL: srv.URL, Model: "m", APIKey: key})
			_, err := g.Generate(context.Background(), rootRequest(ana))
			if err == nil {
				t.Fatal("Generate() succeeded, want an error")
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error contains the API key: %v", err)
			}
			if !strings.Contains(err.Error(), "[redacted]") {
				t.Errorf("error %q does not show where the key was masked", err)
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	huge := `{"response":"` + strings.Repeat("a", 10<<20) + `","done":true}`
	tests := []struct {
		name    string
		kind    string
		handler http.HandlerFunc
		want    string
		wantIs  error
	}{
		{name: "ollama status 500", kind: KindOllama, handler: rawReply(500, `{"error":"model runner crashed"}`), want: "status 500 Internal Server Error: model runner crashed"},
		{name: "ollama model not found", kind: KindOllama, handler: rawReply(404, `{"error":"model \"llama3.1\" not found, try pulling it first"}`), want: "status 404"},
		{name: "openai status 503 html", kind: KindOpenAI, handler: rawReply(503, "<html>\n<body>Service Unavailable</body>\n</html>"), want: "status 503 Service Unavailable: <html> <body>Service Unavailable</body> </html>"},
		{name: "ollama malformed JSON", kind: KindOllama, handler: rawReply(200, `{"response": "Subject: x`), want: "decoding JSON"},
		{name: "openai malformed JSON", kind: KindOpenAI, handler: rawReply(200, `not json`), want: "decoding JSON"},
		{name: "ollama empty text", kind: KindOllama, handler: ollamaReply(""), wantIs: ErrUnusable},
		{name: "openai empty text", kind: KindOpenAI, handler: openAIReply("   \n"), wantIs: ErrUnusable},
		{name: "ollama incomplete", kind: KindOllama, handler: rawReply(200, `{"response":"Subject: x\n\nHi","done":false}`), want: "incomplete"},
		{name: "openai no choices", kind: KindOpenAI, handler: rawReply(200, `{"choices":[]}`), want: "no choices"},
		{name: "openai null content", kind: KindOpenAI, handler: rawReply(200, `{"choices":[{"message":{"role":"assistant","content":null}}]}`), want: "no message content"},
		{name: "ollama 10 MB response", kind: KindOllama, handler: rawReply(200, huge), want: "larger than 1048576 bytes"},
		{name: "openai refusal", kind: KindOpenAI, handler: openAIReply("I'm sorry, but I can't help with that."), wantIs: ErrUnusable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, tt.handler)
			g := newGenerator(t, Config{Kind: tt.kind, BaseURL: srv.URL, Model: "m"})
			got, err := g.Generate(context.Background(), rootRequest(ana))
			if err == nil {
				t.Fatalf("Generate() = %+v, want an error", got)
			}
			if tt.want != "" && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error = %v, want errors.Is %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), srv.URL) && tt.wantIs == nil {
				t.Errorf("error = %q, want it to name the URL", err)
			}
		})
	}
}

func TestGenerateTimeout(t *testing.T) {
	stop := make(chan struct{})
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	t.Cleanup(func() { close(stop) })
	g := newGenerator(t, Config{Kind: KindOllama, BaseURL: srv.URL, Timeout: 100 * time.Millisecond})

	start := time.Now()
	_, err := g.Generate(context.Background(), rootRequest(ana))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Generate() error = %v, want a deadline error", err)
	}
	if !strings.Contains(err.Error(), "timed out after 100ms") {
		t.Errorf("error = %q, want it to give the timeout", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Generate() took %s with a 100ms timeout", elapsed)
	}
}

func TestGenerateCallerCancel(t *testing.T) {
	stop := make(chan struct{})
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	t.Cleanup(func() { close(stop) })
	g := newGenerator(t, Config{Kind: KindOllama, BaseURL: srv.URL})

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := g.Generate(ctx, rootRequest(ana))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Generate() error = %v, want context.Canceled", err)
	}
	if strings.Contains(err.Error(), "timed out") {
		t.Errorf("error = %q, want no timeout wording for a cancellation", err)
	}
}

// TestGenerateHugeResponseMemory checks that a 10 MB response is rejected
// without being held in memory. The server's payload is built before the
// measurement starts.
func TestGenerateHugeResponseMemory(t *testing.T) {
	payload := []byte(`{"response":"` + strings.Repeat("a", 10<<20) + `","done":true}`)
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(payload)
	})
	g := newGenerator(t, Config{Kind: KindOllama, BaseURL: srv.URL})

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := g.Generate(context.Background(), rootRequest(ana))
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("Generate() succeeded on a 10 MB response, want an error")
	}
	// The client holds at most 1 MiB plus read buffers, so 6 MiB leaves
	// room for the server side while staying well below the payload.
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 6<<20 {
		t.Errorf("Generate() allocated %d bytes for a 10 MB response", grown)
	}
}

func TestGenerateNoRand(t *testing.T) {
	g := newGenerator(t, Config{Kind: KindOllama, BaseURL: "http://127.0.0.1:1"})
	req := rootRequest(ana)
	req.Rand = nil
	if _, err := g.Generate(context.Background(), req); err == nil {
		t.Fatal("Generate() without Rand succeeded, want an error")
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		wantErr   string
		wantModel string
		wantURL   string
	}{
		{name: "ollama defaults", cfg: Config{Kind: KindOllama, BaseURL: "http://127.0.0.1:11434"}, wantModel: "llama3.1", wantURL: "http://127.0.0.1:11434/api/generate"},
		{name: "ollama api suffix", cfg: Config{Kind: KindOllama, BaseURL: "http://127.0.0.1:11434/api/"}, wantModel: "llama3.1", wantURL: "http://127.0.0.1:11434/api/generate"},
		{name: "openai v1 suffix", cfg: Config{Kind: KindOpenAI, BaseURL: "https://llm.internal.example/v1", Model: "m"}, wantModel: "m", wantURL: "https://llm.internal.example/v1/chat/completions"},
		{name: "openai path prefix", cfg: Config{Kind: KindOpenAI, BaseURL: "http://127.0.0.1:8080/proxy", Model: "m"}, wantModel: "m", wantURL: "http://127.0.0.1:8080/proxy/v1/chat/completions"},
		{name: "openai without model", cfg: Config{Kind: KindOpenAI, BaseURL: "http://127.0.0.1:8080"}, wantErr: "needs a model"},
		{name: "unknown kind", cfg: Config{Kind: "claude", BaseURL: "http://127.0.0.1:8080"}, wantErr: `unknown kind "claude"`},
		{name: "relative URL", cfg: Config{Kind: KindOllama, BaseURL: "/api"}, wantErr: "not an absolute http or https URL"},
		{name: "host without scheme", cfg: Config{Kind: KindOllama, BaseURL: "127.0.0.1:11434"}, wantErr: "parsing base URL"},
		{name: "ftp URL", cfg: Config{Kind: KindOllama, BaseURL: "ftp://127.0.0.1"}, wantErr: "not an absolute http or https URL"},
		{name: "empty URL", cfg: Config{Kind: KindOllama}, wantErr: "not an absolute"},
		{name: "query", cfg: Config{Kind: KindOllama, BaseURL: "http://127.0.0.1:11434/?x=1"}, wantErr: "query or fragment"},
		{name: "password redacted", cfg: Config{Kind: KindOllama, BaseURL: "ftp://user:hunter2@127.0.0.1"}, wantErr: "xxxxx"},
		{name: "key with newline", cfg: Config{Kind: KindOllama, BaseURL: "http://127.0.0.1:1", APIKey: "abc\ndef"}, wantErr: "API key contains white space"},
		{name: "negative timeout", cfg: Config{Kind: KindOllama, BaseURL: "http://127.0.0.1:1", Timeout: -time.Second}, wantErr: "negative timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(tt.cfg, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New() error = %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "def") {
					t.Errorf("error %q leaks a secret", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New() error: %v", err)
			}
			if g.model != tt.wantModel {
				t.Errorf("model = %q, want %q", g.model, tt.wantModel)
			}
			if g.endpoint.String() != tt.wantURL {
				t.Errorf("endpoint = %q, want %q", g.endpoint, tt.wantURL)
			}
			if g.timeout != DefaultTimeout {
				t.Errorf("timeout = %s, want %s", g.timeout, DefaultTimeout)
			}
		})
	}
}

func TestReadKeyFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}

	key, err := ReadKeyFile(write("key", "  sk-abc123\n"))
	if err != nil {
		t.Fatalf("ReadKeyFile() error: %v", err)
	}
	if key != "sk-abc123" {
		t.Errorf("ReadKeyFile() = %q, want sk-abc123", key)
	}

	empty := write("empty", " \n\t\n")
	_, err = ReadKeyFile(empty)
	if err == nil || !strings.Contains(err.Error(), empty) || !strings.Contains(err.Error(), "empty") {
		t.Errorf("ReadKeyFile(empty) error = %v, want one naming %s as empty", err, empty)
	}

	big := write("big", strings.Repeat("sk-secret", 10000))
	_, err = ReadKeyFile(big)
	if err == nil || !strings.Contains(err.Error(), big) {
		t.Errorf("ReadKeyFile(big) error = %v, want one naming %s", err, big)
	}
	if err != nil && strings.Contains(err.Error(), "sk-secret") {
		t.Errorf("ReadKeyFile(big) error leaks the content: %v", err)
	}

	missing := filepath.Join(dir, "missing")
	if _, err := ReadKeyFile(missing); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("ReadKeyFile(missing) error = %v, want a not-exist error naming the path", err)
	}
}

// TestGenerateConcurrent runs parallel requests through one Generator, so
// the race detector can check it.
func TestGenerateConcurrent(t *testing.T) {
	srv := newFakeServer(t, ollamaReply(goodAnswer))
	g := newGenerator(t, Config{Kind: KindOllama, BaseURL: srv.URL})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			req := rootRequest(ana)
			req.Rand = seeded(uint64(i))
			if _, err := g.Generate(context.Background(), req); err != nil {
				t.Errorf("Generate() error: %v", err)
			}
		})
	}
	wg.Wait()
}

var _ generator.Generator = (*Generator)(nil)

func TestGenerateRejectsRedirect(t *testing.T) {
	for _, kind := range []string{KindOllama, KindOpenAI} {
		for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
			t.Run(kind+" "+http.StatusText(status), func(t *testing.T) {
				target := newFakeServer(t, ollamaReply(goodAnswer))
				if kind == KindOpenAI {
					target = newFakeServer(t, openAIReply(goodAnswer))
				}
				origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, target.URL+r.URL.Path, status)
				}))
				t.Cleanup(origin.Close)

				g := newGenerator(t, Config{Kind: kind, BaseURL: origin.URL, Model: "m", APIKey: "sk-secret-key", HTTPClient: &http.Client{}})
				_, err := g.Generate(context.Background(), rootRequest(ana))
				if err == nil {
					t.Fatal("Generate() error = nil, want a redirect error")
				}
				for _, want := range []string{origin.URL, target.URL, "base URL"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not contain %q", err, want)
					}
				}
				if strings.Contains(err.Error(), "sk-secret-key") {
					t.Errorf("error %q contains the API key", err)
				}
				target.mu.Lock()
				got := len(target.requests)
				target.mu.Unlock()
				if got != 0 {
					t.Errorf("redirect target received %d requests, want 0", got)
				}
			})
		}
	}
}

func TestNewKeepsCallerRedirectPolicy(t *testing.T) {
	client := &http.Client{}
	newGenerator(t, Config{Kind: KindOllama, BaseURL: "http://127.0.0.1:11434", HTTPClient: client})
	if client.CheckRedirect != nil {
		t.Error("New() changed the CheckRedirect of the caller's client")
	}
}

func TestGenerateRefusalAfterGreeting(t *testing.T) {
	srv := newFakeServer(t, ollamaReply("Hi Kenji,\n\nI'm sorry, but I can't help with writing this email.\n\nBest,\nMaria"))
	g := newGenerator(t, Config{Kind: KindOllama, BaseURL: srv.URL})
	_, err := g.Generate(context.Background(), rootRequest(ana))
	if !errors.Is(err, ErrUnusable) {
		t.Fatalf("Generate() error = %v, want ErrUnusable", err)
	}
}
