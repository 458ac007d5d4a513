// Package llm writes email content with a large language model served over
// HTTP, either by Ollama (/api/generate) or by any server that implements
// the OpenAI chat-completions API (vLLM, llama.cpp server, LM Studio and
// hosted APIs). The model's output is repaired before use, so a message
// never carries code fences, assistant chatter or a wrong reply subject.
package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/generator"
)

// The wire formats that Config.Kind selects. They are also the
// Content.Generator values of the messages each one writes.
const (
	KindOllama = "ollama"
	KindOpenAI = "openai"
)

// Defaults for zero Config fields.
const (
	DefaultTimeout     = 60 * time.Second
	DefaultOllamaModel = "llama3.1"
)

// Config selects an LLM server and model.
type Config struct {
	// Kind is KindOllama or KindOpenAI.
	Kind string
	// BaseURL is the server's absolute http or https address, such as
	// http://127.0.0.1:11434. A trailing "/api" (Ollama) or "/v1"
	// (OpenAI) is accepted and not repeated.
	BaseURL string
	// Model names the model. It defaults to DefaultOllamaModel for Ollama
	// and is required for OpenAI.
	Model string
	// APIKey, when set, is sent as a bearer token. It never appears in
	// errors or logs.
	APIKey string
	// Timeout bounds each request, DefaultTimeout when zero.
	Timeout time.Duration
	// HTTPClient sends the requests. When nil, a client without its own
	// timeout is used, because Timeout already bounds each request. Either
	// way, redirects are not followed.
	HTTPClient *http.Client
}

// Generator writes messages with an LLM. It implements
// generator.Generator and is safe for concurrent use.
type Generator struct {
	kind     string
	endpoint *url.URL
	model    string
	apiKey   string
	timeout  time.Duration
	client   *http.Client
	log      *zap.Logger
}

var _ generator.Generator = (*Generator)(nil)

// New validates cfg and returns a Generator that logs to log, or nowhere
// when log is nil. It sends nothing over the network.
func New(cfg Config, log *zap.Logger) (*Generator, error) {
	if log == nil {
		log = zap.NewNop()
	}

	model := strings.TrimSpace(cfg.Model)
	switch cfg.Kind {
	case KindOllama:
		if model == "" {
			model = DefaultOllamaModel
		}
	case KindOpenAI:
		if model == "" {
			return nil, errors.New("invalid LLM config: openai needs a model name")
		}
	default:
		return nil, fmt.Errorf("invalid LLM config: unknown kind %q: use %q or %q", cfg.Kind, KindOllama, KindOpenAI)
	}

	endpoint, err := endpointURL(cfg.Kind, cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("invalid LLM config: %w", err)
	}
	if strings.ContainsFunc(cfg.APIKey, isSpaceOrControl) {
		// The key itself is left out of the message on purpose.
		return nil, errors.New("invalid LLM config: API key contains white space or control characters")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("invalid LLM config: negative timeout %s", cfg.Timeout)
	}

	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	// A copy of the caller's client is changed, so theirs keeps its own
	// redirect policy.
	client := &http.Client{}
	if cfg.HTTPClient != nil {
		*client = *cfg.HTTPClient
	}
	client.CheckRedirect = rejectRedirect
	return &Generator{
		kind:     cfg.Kind,
		endpoint: endpoint,
		model:    model,
		apiKey:   cfg.APIKey,
		timeout:  timeout,
		client:   client,
		log:      log,
	}, nil
}

// endpointURL checks base and returns the request URL of kind on it.
func endpointURL(kind, base string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil {
		return nil, fmt.Errorf("parsing base URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("base URL %q is not an absolute http or https URL", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %q has a query or fragment: remove it", u.Redacted())
	}
	path := strings.TrimRight(u.Path, "/")
	switch kind {
	case KindOllama:
		path = strings.TrimSuffix(path, "/api") + "/api/generate"
	case KindOpenAI:
		path = strings.TrimSuffix(path, "/v1") + "/v1/chat/completions"
	}
	u.Path = path
	u.RawPath = ""
	return u, nil
}

// rejectRedirect stops every redirect. Following one would send the prompt
// and the bearer key to a host or port that the configuration does not
// name, and for a 307 or 308 the request body is sent again.
func rejectRedirect(req *http.Request, via []*http.Request) error {
	status := "redirect"
	if req.Response != nil {
		status = req.Response.Status
	}
	return fmt.Errorf("server at %s redirected (%s) to %s: redirects are not followed, so set the base URL to the final address",
		via[0].URL.Redacted(), status, req.URL.Redacted())
}

func isSpaceOrControl(r rune) bool {
	return r <= ' ' || r == 0x7f
}

// Generate writes a message for req. It picks one or two of the sender's
// mannerisms with req.Rand, sends one request to the model and repairs
// the output with Repair. A timeout, a non-2xx status, a malformed or oversize
// response, or output that Repair rejects is an error. Nothing is retried.
func (g *Generator) Generate(ctx context.Context, req generator.Request) (generator.Content, error) {
	if req.Rand == nil {
		return generator.Content{}, errors.New("generating message: request has no Rand: set Request.Rand")
	}
	mannerisms := pickMannerisms(req.Sender.Mannerisms, req.Rand)
	system, user := Prompt(req, mannerisms)

	start := time.Now()
	raw, err := g.complete(ctx, system, user)
	if err != nil {
		return generator.Content{}, err
	}
	g.log.Debug("llm response received",
		zap.String("generator", g.kind),
		zap.String("model", g.model),
		zap.Duration("duration", time.Since(start)),
		zap.Int("response_bytes", len(raw)))

	subject, body, err := Repair(raw, req)
	if err != nil {
		return generator.Content{}, fmt.Errorf("%s model %s: %w", g.kind, g.model, err)
	}
	return generator.Content{
		Subject:    subject,
		Body:       body,
		Generator:  g.kind,
		Mannerisms: mannerisms,
	}, nil
}
