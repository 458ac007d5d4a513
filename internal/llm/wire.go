package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

const (
	// maxResponseBytes caps how much of a response body is read. A normal
	// response is a few kilobytes of JSON, so anything larger is an error
	// rather than a large allocation.
	maxResponseBytes = 1 << 20
	// maxErrorDetail caps the part of an error response quoted in the
	// returned error.
	maxErrorDetail = 300
	// temperature gives varied but coherent text on common chat models.
	temperature = 0.8
	// maxOutputTokens bounds the length of Ollama's output, so a model
	// that rambles is stopped well before the timeout.
	maxOutputTokens = 1024
)

// ollamaRequest is the body of POST /api/generate. System is an Ollama
// field that replaces the model's default system prompt.
type ollamaRequest struct {
	Model   string         `json:"model"`
	System  string         `json:"system,omitempty"`
	Prompt  string         `json:"prompt"`
	Stream  bool           `json:"stream"`
	Options map[string]any `json:"options,omitempty"`
}

type ollamaResponse struct {
	Response string `json:"response"`
	// Done is false only for a partial response.
	Done *bool `json:"done"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// openAIRequest is the body of POST /v1/chat/completions.
type openAIRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	Temperature float64       `json:"temperature"`
}

type openAIResponse struct {
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
}

// complete sends one request and returns the model's text, which may be
// empty. Errors name the kind and URL but never the API key.
func (g *Generator) complete(ctx context.Context, system, user string) (string, error) {
	var payload any
	switch g.kind {
	case KindOllama:
		payload = ollamaRequest{
			Model:  g.model,
			System: system,
			Prompt: user,
			Options: map[string]any{
				"temperature": temperature,
				"num_predict": maxOutputTokens,
			},
		}
	default:
		payload = openAIRequest{
			Model: g.model,
			Messages: []chatMessage{
				{Role: "system", Content: system},
				{Role: "user", Content: user},
			},
			Temperature: temperature,
		}
	}
	data, err := g.post(ctx, payload)
	if err != nil {
		return "", err
	}
	text, err := g.decode(data)
	if err != nil {
		return "", fmt.Errorf("%s response from %s: %w", g.kind, g.endpoint.Redacted(), err)
	}
	return text, nil
}

// post sends payload as JSON and returns the body of a 2xx response.
func (g *Generator) post(ctx context.Context, payload any) ([]byte, error) {
	where := g.kind + " request to " + g.endpoint.Redacted()
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("%s: encoding request: %w", where, err)
	}

	callCtx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(callCtx, http.MethodPost, g.endpoint.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if g.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+g.apiKey)
	}

	resp, err := g.client.Do(req)
	if err != nil {
		return nil, g.transportError(ctx, callCtx, where, err)
	}
	defer resp.Body.Close()

	data, err := readCapped(resp.Body, maxResponseBytes)
	if err != nil {
		if callCtx.Err() != nil {
			return nil, g.transportError(ctx, callCtx, where, err)
		}
		return nil, fmt.Errorf("%s: reading response: %w", where, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("%s: status %s: %s", where, resp.Status, g.errorDetail(data))
	}
	return data, nil
}

// transportError words a failed exchange, telling a timeout of this
// request apart from the caller's own cancellation.
func (g *Generator) transportError(ctx, callCtx context.Context, where string, err error) error {
	if ctx.Err() == nil && errors.Is(callCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s: timed out after %s: %w", where, g.timeout, context.DeadlineExceeded)
	}
	return fmt.Errorf("%s: %w", where, err)
}

// readCapped reads r to the end, failing once more than limit bytes
// arrive, so no more than limit+1 bytes are ever held.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// decode returns the model's text from a 2xx response body.
func (g *Generator) decode(data []byte) (string, error) {
	switch g.kind {
	case KindOllama:
		var resp ollamaResponse
		if err := json.Unmarshal(data, &resp); err != nil {
			return "", fmt.Errorf("decoding JSON: %w", err)
		}
		if resp.Done != nil && !*resp.Done {
			return "", errors.New("response is incomplete (done is false)")
		}
		return resp.Response, nil
	default:
		var resp openAIResponse
		if err := json.Unmarshal(data, &resp); err != nil {
			return "", fmt.Errorf("decoding JSON: %w", err)
		}
		if len(resp.Choices) == 0 {
			return "", errors.New("response has no choices")
		}
		content := resp.Choices[0].Message.Content
		if content == nil {
			return "", errors.New("response has no message content")
		}
		return *content, nil
	}
}

// errorDetail returns a short, printable description of an error response
// body: the "error" message when the body is JSON in the Ollama or OpenAI
// form, otherwise the start of the body. The API key is masked in case the
// server echoes the request back.
func (g *Generator) errorDetail(data []byte) string {
	var detail string
	var withString struct {
		Error string `json:"error"`
	}
	var withObject struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	switch {
	case json.Unmarshal(data, &withString) == nil && withString.Error != "":
		detail = withString.Error
	case json.Unmarshal(data, &withObject) == nil && withObject.Error.Message != "":
		detail = withObject.Error.Message
	default:
		detail = string(data)
	}
	if g.apiKey != "" {
		detail = strings.ReplaceAll(detail, g.apiKey, "[redacted]")
	}
	detail = strings.Join(strings.FieldsFunc(detail, isSpaceOrControl), " ")
	if detail == "" {
		return "empty body"
	}
	return truncate(detail, maxErrorDetail)
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
