package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"testing"
)

func TestPreview(t *testing.T) {
	personas := writeFile(t, "personas.json", twoPersonas)
	env := []string{"DECNET_EMAILGEN_PERSONAS=" + personas}

	code, stdout, stderr := emailgend(t, env, "preview", "--from", "obrien@example-corp.com", "--to", "ana@example-corp.com")
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	msg, err := mail.ReadMessage(strings.NewReader(stdout))
	if err != nil {
		t.Fatalf("preview output is not a message: %v\n%s", err, stdout)
	}
	if from, _ := mail.ParseAddress(msg.Header.Get("From")); from == nil || from.Name != "O'Brien; $(reboot) `id`" {
		t.Errorf("From = %q, want the sending persona", msg.Header.Get("From"))
	}

	code, stdout, stderr = emailgend(t, env, "preview", "--from", "ana@example-corp.com", "--to", "obrien@example-corp.com", "--reply")
	if code != 0 {
		t.Fatalf("--reply exit code %d: %s", code, stderr)
	}
	msg, err = mail.ReadMessage(strings.NewReader(stdout))
	if err != nil {
		t.Fatalf("reply preview is not a message: %v", err)
	}
	if msg.Header.Get("In-Reply-To") == "" || !strings.HasPrefix(msg.Header.Get("Subject"), "Re: ") {
		t.Errorf("reply headers In-Reply-To %q, Subject %q; want a reply", msg.Header.Get("In-Reply-To"), msg.Header.Get("Subject"))
	}
}

func TestPreviewRejects(t *testing.T) {
	personas := writeFile(t, "personas.json", twoPersonas)
	env := []string{"DECNET_EMAILGEN_PERSONAS=" + personas}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"missing flags", []string{"preview"}, 2, "needs --from and --to"},
		{"same persona twice", []string{"preview", "--from", "ana@example-corp.com", "--to", "ANA@example-corp.com"}, 2, "two different personas"},
		{"unknown persona", []string{"preview", "--from", "nobody@example.com", "--to", "ana@example-corp.com"}, 1, `no valid persona with email "nobody@example.com"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := emailgend(t, env, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.want)
			}
		})
	}
}

// TestPreviewWithOpenAIServer runs the openai generator end to end against
// a local server speaking the chat-completions wire format.
func TestPreviewWithOpenAIServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer test-key" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"choices": []map[string]any{{"message": map[string]string{
				"role":    "assistant",
				"content": "Here is the email:\n```\nSubject: Badge readers on the 3rd floor\n\nHi Ana,\n\nThe badge readers on the third floor are back online. Facilities replaced the controller this morning.\n\nBest,\nO'Brien\n```",
			}}},
		})
	}))
	defer srv.Close()
	personas := writeFile(t, "personas.json", twoPersonas)
	key := writeFile(t, "key", "test-key\n")
	env := []string{
		"DECNET_EMAILGEN_PERSONAS=" + personas,
		"DECNET_EMAILGEN_GENERATOR=openai",
		"DECNET_EMAILGEN_MODEL=local-model",
		"DECNET_EMAILGEN_LLM_URL=" + srv.URL,
		"DECNET_EMAILGEN_LLM_KEY_FILE=" + key,
	}
	code, stdout, stderr := emailgend(t, env, "preview", "--from", "obrien@example-corp.com", "--to", "ana@example-corp.com")
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	msg, err := mail.ReadMessage(strings.NewReader(stdout))
	if err != nil {
		t.Fatalf("output is not a message: %v\n%s", err, stdout)
	}
	if got := msg.Header.Get("Subject"); got != "Badge readers on the 3rd floor" {
		t.Errorf("Subject = %q, want the model's subject with the preamble and fence removed", got)
	}
	if strings.Contains(stdout, "```") || strings.Contains(stdout, "Here is the email") {
		t.Errorf("output keeps the model's wrapping:\n%s", stdout)
	}
	if strings.Contains(stderr, "test-key") {
		t.Error("the API key appears in the log")
	}
}

func TestPreviewReportsFailingModel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "model not loaded", http.StatusInternalServerError)
	}))
	defer srv.Close()
	personas := writeFile(t, "personas.json", twoPersonas)
	env := []string{
		"DECNET_EMAILGEN_PERSONAS=" + personas,
		"DECNET_EMAILGEN_GENERATOR=ollama",
		"DECNET_EMAILGEN_LLM_URL=" + srv.URL,
	}
	code, stdout, stderr := emailgend(t, env, "preview", "--from", "obrien@example-corp.com", "--to", "ana@example-corp.com")
	if code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want no message when the model fails", stdout)
	}
	if !strings.Contains(stderr, "500") {
		t.Errorf("stderr = %q, want the model's failure", stderr)
	}
}
