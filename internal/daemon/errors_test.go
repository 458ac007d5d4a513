package daemon

import (
	"errors"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestErrorLimiterLogsRepeatsOnce(t *testing.T) {
	core, logs := observer.New(zap.ErrorLevel)
	l := errorLimiter{logger: zap.New(core)}
	down := errors.New("listing mail deckies: Cannot connect to the Docker daemon")

	for range 5 {
		l.report("tick failed", down)
	}
	if n := logs.Len(); n != 1 {
		t.Fatalf("five identical errors logged %d times, want once", n)
	}
	l.report("tick failed", errors.New("delivering to mail01-imap: exit code 1"))
	if n := logs.Len(); n != 2 {
		t.Errorf("a different error logged %d lines in all, want 2", n)
	}
	l.clear()
	l.report("tick failed", down)
	if n := logs.Len(); n != 3 {
		t.Errorf("an error after a success logged %d lines in all, want 3", n)
	}
}
