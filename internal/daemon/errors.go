package daemon

import (
	"sync"
	"time"

	"go.uber.org/zap"
)

// errorRepeatInterval is how often an error that keeps coming back is
// logged again, with the number of times it was left out.
const errorRepeatInterval = 10 * time.Minute

// errorLimiter logs an error once and then leaves out identical ones, so an
// engine that stays down does not write one line per tick.
type errorLimiter struct {
	logger *zap.Logger

	mu         sync.Mutex
	last       string
	lastLogged time.Time
	repeated   int
}

func (l *errorLimiter) report(msg string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	text := err.Error()
	if text == l.last && now.Sub(l.lastLogged) < errorRepeatInterval {
		l.repeated++
		return
	}
	fields := []zap.Field{zap.Error(err)}
	if text == l.last && l.repeated > 0 {
		fields = append(fields, zap.Int("repeated", l.repeated))
	}
	l.logger.Error(msg, fields...)
	l.last, l.lastLogged, l.repeated = text, now, 0
}

// clear resets the last error, so that it is logged again if it returns.
func (l *errorLimiter) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last, l.repeated = "", 0
}
