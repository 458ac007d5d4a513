package config

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
)

func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestParseDefaults(t *testing.T) {
	cfg, err := Parse("run", nil, env(nil), "/home/op", io.Discard)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.Schedule != DefaultSchedule {
		t.Errorf("Schedule = %q, want %q", cfg.Schedule, DefaultSchedule)
	}
	if cfg.Spool != DefaultSpool {
		t.Errorf("Spool = %q, want %q", cfg.Spool, DefaultSpool)
	}
	if cfg.State != DefaultState {
		t.Errorf("State = %q, want %q", cfg.State, DefaultState)
	}
	if cfg.ExecTimeout != DefaultExecTimeout {
		t.Errorf("ExecTimeout = %v, want %v", cfg.ExecTimeout, DefaultExecTimeout)
	}
	if cfg.ReplyProbability != DefaultReplyProbability {
		t.Errorf("ReplyProbability = %v, want %v", cfg.ReplyProbability, DefaultReplyProbability)
	}
	if cfg.Keep != DefaultKeep {
		t.Errorf("Keep = %d, want %d", cfg.Keep, DefaultKeep)
	}
	if cfg.LogLevel != zapcore.InfoLevel {
		t.Errorf("LogLevel = %v, want info", cfg.LogLevel)
	}
	if cfg.Location != time.Local {
		t.Errorf("Location = %v, want the host's zone", cfg.Location)
	}
}

func TestParseEnvironmentAndFlags(t *testing.T) {
	vars := map[string]string{
		"DECNET_EMAILGEN_SCHEDULE":     "*/10 * * * *",
		"DECNET_EMAILGEN_SPOOL":        "/srv/spool/",
		"DECNET_EMAILGEN_TIMEZONE":     "Asia/Tokyo",
		"DECNET_EMAILGEN_EXEC_TIMEOUT": "3s",
		"DECNET_EMAILGEN_LOG_LEVEL":    "debug",
		"DECNET_EMAILGEN_PERSONAS":     "/etc/x/personas.json",
	}
	cfg, err := Parse("run", []string{"--exec-timeout", "5s", "--once"}, env(vars), "/home/op", io.Discard)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.Schedule != "*/10 * * * *" {
		t.Errorf("Schedule = %q, want the variable's value", cfg.Schedule)
	}
	if cfg.Spool != "/srv/spool" {
		t.Errorf("Spool = %q, want /srv/spool", cfg.Spool)
	}
	if cfg.Location.String() != "Asia/Tokyo" {
		t.Errorf("Location = %v, want Asia/Tokyo", cfg.Location)
	}
	if cfg.ExecTimeout != 5*time.Second {
		t.Errorf("ExecTimeout = %v, want the flag's 5s over the variable's 3s", cfg.ExecTimeout)
	}
	if cfg.LogLevel != zapcore.DebugLevel {
		t.Errorf("LogLevel = %v, want debug", cfg.LogLevel)
	}
	if cfg.Personas != "/etc/x/personas.json" {
		t.Errorf("Personas = %q, want the variable's path", cfg.Personas)
	}
	if !cfg.Once {
		t.Error("Once = false, want true")
	}
}

func TestParseRejectsBadValues(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"schedule", []string{"--schedule", "every five minutes"}, "DECNET_EMAILGEN_SCHEDULE"},
		{"zero interval", []string{"--schedule", "@every 0s"}, "under one second"},
		{"negative interval", []string{"--schedule", "@every -5m"}, "under one second"},
		{"language", []string{"--language", "english"}, "ISO 639-1"},
		{"relative spool", []string{"--spool", "spool"}, "invalid --spool"},
		{"root spool", []string{"--spool", "/"}, "invalid --spool"},
		{"time zone", []string{"--timezone", "Mars/Olympus"}, "IANA"},
		{"negative timeout", []string{"--exec-timeout", "-1s"}, "at least 3s"},
		{"timeout under the minimum", []string{"--exec-timeout", "1s"}, "at least 3s"},
		{"schedule that never runs", []string{"--schedule", "0 0 30 2 *"}, "never runs"},
		{"probability above one", []string{"--reply-probability", "1.5"}, "from 0 to 1"},
		{"probability not a number", []string{"--reply-probability", "NaN"}, "from 0 to 1"},
		{"keep zero", []string{"--keep", "0"}, "at least 1"},
		{"log level", []string{"--log-level", "loud"}, "debug, info, warn or error"},
		{"log format", []string{"--log-format", "xml"}, "json, console or auto"},
		{"generator", []string{"--generator", "gpt"}, "must be template, ollama or openai"},
		{"openai without model", []string{"--generator", "openai", "--llm-url", "http://127.0.0.1:8000"}, "needs a model name"},
		{"openai without URL", []string{"--generator", "openai", "--model", "m"}, "needs the endpoint's base URL"},
		{"llm timeout", []string{"--llm-timeout", "0s"}, "positive Go duration"},
		{"health outage", []string{"--health-max-outage", "soon"}, "positive Go duration"},
		{"stray argument", []string{"extra"}, "unexpected argument"},
		{"metrics on all interfaces", []string{"--metrics-addr", "0.0.0.0:9464"}, "loopback"},
		{"metrics without host", []string{"--metrics-addr", ":9464"}, "loopback"},
		{"metrics without port", []string{"--metrics-addr", "127.0.0.1"}, "host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("run", tt.args, env(nil), "/home/op", io.Discard)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want an error mentioning %q", tt.args, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error = %q, want it to mention %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestParseResolvesRelativePaths(t *testing.T) {
	cfg, err := Parse("run", []string{"--personas", "cm4/pool.json", "--state", "s.db", "--metrics-addr", "localhost:9464"}, env(nil), "/home/op", io.Discard)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !filepath.IsAbs(cfg.Personas) || !strings.HasSuffix(cfg.Personas, "/cm4/pool.json") {
		t.Errorf("Personas = %q, want an absolute path ending in /cm4/pool.json", cfg.Personas)
	}
	if !filepath.IsAbs(cfg.State) {
		t.Errorf("State = %q, want an absolute path", cfg.State)
	}
}

func TestParseOllamaDefaults(t *testing.T) {
	cfg, err := Parse("run", []string{"--generator", "ollama"}, env(nil), "/home/op", io.Discard)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.Model != DefaultOllamaModel || cfg.LLMURL != DefaultOllamaURL || cfg.LLMTimeout != DefaultLLMTimeout {
		t.Errorf("ollama settings = %q %q %v, want the defaults", cfg.Model, cfg.LLMURL, cfg.LLMTimeout)
	}
}

func TestParseBadVariableNamed(t *testing.T) {
	_, err := Parse("run", nil, env(map[string]string{"DECNET_EMAILGEN_KEEP": "lots"}), "/home/op", io.Discard)
	if err == nil || !strings.Contains(err.Error(), "DECNET_EMAILGEN_KEEP") || !strings.Contains(err.Error(), `"lots"`) {
		t.Fatalf("error = %v, want it to name DECNET_EMAILGEN_KEEP and the value", err)
	}
}
