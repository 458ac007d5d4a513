// Package logging builds the daemon's zap logger: JSON lines for journald
// and other collectors, readable text when a person watches a terminal.
package logging

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// New returns a logger that writes to w at level. Format is "json",
// "console", or "auto", which picks console when w is a terminal.
func New(w *os.File, level zapcore.Level, format string) (*zap.Logger, error) {
	if format == "auto" {
		format = "json"
		if isTerminal(w) {
			format = "console"
		}
	}

	var enc zapcore.Encoder
	switch format {
	case "json":
		cfg := zap.NewProductionEncoderConfig()
		cfg.TimeKey = "time"
		cfg.EncodeTime = zapcore.RFC3339NanoTimeEncoder
		enc = zapcore.NewJSONEncoder(cfg)
	case "console":
		cfg := zap.NewDevelopmentEncoderConfig()
		cfg.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
		enc = zapcore.NewConsoleEncoder(cfg)
	default:
		return nil, fmt.Errorf("unknown log format %q: use json, console or auto", format)
	}

	core := zapcore.NewCore(enc, zapcore.Lock(syncIgnoringPipes{w}), level)
	return zap.New(core, zap.ErrorOutput(zapcore.Lock(os.Stderr))), nil
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// syncIgnoringPipes drops the errors fsync returns for pipes, sockets and
// terminals (EINVAL, ENOTTY). journald and shells give the daemon these as
// standard error, and there is nothing to flush on them.
type syncIgnoringPipes struct{ *os.File }

func (s syncIgnoringPipes) Sync() error {
	err := s.File.Sync()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTTY) {
		return nil
	}
	return err
}
