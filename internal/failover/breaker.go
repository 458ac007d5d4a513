// Package failover switches message generation from a primary generator,
// typically an LLM client, to a fallback such as the built-in template
// generator while the primary keeps failing, so no tick goes without a
// message.
package failover

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/generator"
)

// Defaults for zero Config fields.
const (
	DefaultFailures = 3
	DefaultCooldown = 60 * time.Second
)

// Config tunes a Breaker.
type Config struct {
	// Failures is how many consecutive primary failures open the breaker,
	// DefaultFailures when zero or negative.
	Failures int
	// Cooldown is how long an open breaker sends every call to the
	// fallback before it probes the primary again, DefaultCooldown when
	// zero or negative.
	Cooldown time.Duration
	// Now returns the current time, time.Now when nil. Tests set a fake
	// clock here.
	Now func() time.Time
}

type state int

const (
	closed state = iota
	open
	halfOpen
)

func (s state) String() string {
	switch s {
	case open:
		return "open"
	case halfOpen:
		return "half-open"
	default:
		return "closed"
	}
}

// errEmptyContent reports a primary result without a subject or body.
var errEmptyContent = errors.New("generator returned an empty subject or body")

// Breaker is a circuit breaker in front of a primary generator. It
// implements generator.Generator and is safe for concurrent use.
//
// While closed, calls go to the primary. When a call fails (an error,
// including a timeout, or content with an empty subject or body), the
// fallback writes the message instead, and Failures consecutive failures
// open the breaker. While open, calls go straight to the fallback. The first call
// after Cooldown is a probe: it alone goes to the primary while the
// breaker is half-open and other calls use the fallback. A successful
// probe closes the breaker and a failed one opens it for another
// Cooldown.
//
// A call cancelled by its caller's context counts neither as a failure
// nor as a success.
type Breaker struct {
	primary  generator.Generator
	fallback generator.Generator
	failures int
	cooldown time.Duration
	now      func() time.Time
	log      *zap.Logger

	mu sync.Mutex
	// state, consecutive, lastErr, openUntil and probing are guarded by mu.
	state       state
	consecutive int
	lastErr     error
	openUntil   time.Time
	probing     bool
}

var _ generator.Generator = (*Breaker)(nil)

// New returns a closed Breaker that logs its state changes to log, or
// nowhere when log is nil. It panics if primary or fallback is nil.
func New(primary, fallback generator.Generator, cfg Config, log *zap.Logger) *Breaker {
	if primary == nil || fallback == nil {
		panic("failover: New needs both a primary and a fallback generator")
	}
	if cfg.Failures <= 0 {
		cfg.Failures = DefaultFailures
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = DefaultCooldown
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Breaker{
		primary:  primary,
		fallback: fallback,
		failures: cfg.Failures,
		cooldown: cfg.Cooldown,
		now:      cfg.Now,
		log:      log,
	}
}

// State returns "closed", "open" or "half-open". An open breaker whose
// cool-down has passed stays "open" until the next call probes.
func (b *Breaker) State() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state.String()
}

// Generate writes a message with the primary when the breaker allows it,
// and with the fallback otherwise or when the primary fails. The error is
// non-nil only when the fallback fails too, or the caller's context ends.
func (b *Breaker) Generate(ctx context.Context, req generator.Request) (generator.Content, error) {
	usePrimary, probe := b.admit()
	if !usePrimary {
		return b.useFallback(ctx, req, nil)
	}

	content, err := b.primary.Generate(ctx, req)
	if err == nil && (strings.TrimSpace(content.Subject) == "" || strings.TrimSpace(content.Body) == "") {
		err = errEmptyContent
	}
	if err != nil && ctx.Err() != nil {
		// A cancelled caller is no evidence about the primary.
		b.abandon(probe)
		return generator.Content{}, fmt.Errorf("generating message: %w", err)
	}
	b.record(probe, err)
	if err != nil {
		return b.useFallback(ctx, req, err)
	}
	return content, nil
}

// admit decides where a call goes. It returns probe true for the one call
// that tests the primary after a cool-down.
func (b *Breaker) admit() (usePrimary, probe bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case closed:
		return true, false
	case open:
		if b.now().Before(b.openUntil) {
			return false, false
		}
		b.state = halfOpen
	}
	if b.probing {
		return false, false
	}
	b.probing = true
	b.log.Info("probing primary generator after cool-down",
		zap.String("state", b.state.String()),
		zap.Int("failures", b.consecutive),
		zap.Error(b.lastErr))
	return true, true
}

// record updates the state with the outcome of a primary call.
func (b *Breaker) record(probe bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if probe {
		b.probing = false
	}
	if err == nil {
		if probe {
			b.log.Info("primary generator recovered, breaker closed",
				zap.String("state", closed.String()),
				zap.Int("failures", b.consecutive),
				zap.Error(b.lastErr))
			b.state = closed
			b.consecutive = 0
			b.lastErr = nil
		} else if b.state == closed {
			b.consecutive = 0
			b.lastErr = nil
		}
		// A success that started before the breaker opened does not
		// close it. Only a probe does.
		return
	}

	b.consecutive++
	b.lastErr = err
	switch {
	case probe:
		b.state = open
		b.openUntil = b.now().Add(b.cooldown)
		b.log.Warn("probe of primary generator failed, using fallback again",
			zap.String("state", open.String()),
			zap.Int("failures", b.consecutive),
			zap.Duration("cooldown", b.cooldown),
			zap.Error(err))
	case b.state == closed && b.consecutive >= b.failures:
		b.state = open
		b.openUntil = b.now().Add(b.cooldown)
		b.log.Warn("primary generator failing, breaker open, using fallback",
			zap.String("state", open.String()),
			zap.Int("failures", b.consecutive),
			zap.Duration("cooldown", b.cooldown),
			zap.Error(err))
	case b.state == closed:
		// Warn, not debug: a single --once run meets no more than this
		// failure, and an operator checking the model's settings must
		// see that the message came from the fallback.
		b.log.Warn("primary generator failed, using fallback for this message",
			zap.Int("failures", b.consecutive),
			zap.Error(err))
	}
}

// abandon releases the probe slot of a call that its caller cancelled,
// so the next call probes instead.
func (b *Breaker) abandon(probe bool) {
	if !probe {
		return
	}
	b.mu.Lock()
	b.probing = false
	b.mu.Unlock()
}

// useFallback writes the message with the fallback. primaryErr, when not
// nil, is the primary's failure and is joined to a fallback error.
func (b *Breaker) useFallback(ctx context.Context, req generator.Request, primaryErr error) (generator.Content, error) {
	content, err := b.fallback.Generate(ctx, req)
	if err == nil {
		return content, nil
	}
	if primaryErr != nil {
		err = errors.Join(fmt.Errorf("primary: %w", primaryErr), fmt.Errorf("fallback: %w", err))
	}
	return generator.Content{}, fmt.Errorf("generating message with fallback: %w", err)
}
