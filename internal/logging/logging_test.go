package logging

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func TestNewJSONWhenNotTerminal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	log, err := New(f, zapcore.InfoLevel, "auto")
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("hidden")
	log.Info("tick ended", zap.String("decky", "local/mail01"))
	if err := log.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1 (debug filtered):\n%s", len(lines), data)
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatalf("line is not JSON: %v: %s", err, lines[0])
	}
	if entry["msg"] != "tick ended" || entry["decky"] != "local/mail01" {
		t.Errorf("entry = %v, want msg and decky fields", entry)
	}
}

func TestSyncOnPipeSucceeds(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	log, err := New(w, zapcore.InfoLevel, "json")
	if err != nil {
		t.Fatal(err)
	}
	if err := log.Sync(); err != nil {
		t.Errorf("Sync on a pipe = %v, want nil", err)
	}
}

func TestNewRejectsUnknownFormat(t *testing.T) {
	if _, err := New(os.Stderr, zapcore.InfoLevel, "xml"); err == nil {
		t.Error("New accepted format xml")
	}
}
