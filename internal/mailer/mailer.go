// Package mailer carries out one tick: it picks a mail decky and two of its
// personas, writes one message (a new thread or a reply), delivers it to
// every mail container of the decky and records it.
package mailer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/discovery"
	"github.com/decnet/emailgend/internal/driver"
	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/persona"
	"github.com/decnet/emailgend/internal/state"
)

// Finder lists the running mail deckies.
type Finder interface {
	MailDeckies(ctx context.Context) ([]discovery.Decky, error)
}

// TopologySource returns the persona list a topology owns.
type TopologySource interface {
	Personas(ctx context.Context, topologyID string) (persona.List, error)
}

// Pool returns the global persona pool in force.
type Pool interface {
	Personas() persona.List
}

// Deliverer writes one message file into one container, and takes it back
// when another container of the same decky could not receive it.
type Deliverer interface {
	Deliver(ctx context.Context, containerID string, del driver.Delivery) error
	Retract(ctx context.Context, containerID string, del driver.Delivery) error
}

// Store is the state the mailer reads threads from and records messages in.
type Store interface {
	Add(ctx context.Context, rec state.Record) (int64, error)
	RecentThreads(ctx context.Context, decky, a, b string, limit int) ([]state.Record, error)
	LastDate(ctx context.Context, decky string) (time.Time, bool, error)
	Prune(ctx context.Context, decky string, keep int) (int64, error)
}

// Config holds a Mailer's collaborators and settings.
type Config struct {
	Finder     Finder
	Topologies TopologySource
	Pool       Pool
	// Deliverers maps an engine name (discovery.Container.Engine) to the
	// driver that reaches it.
	Deliverers map[string]Deliverer
	Store      Store
	Generator  generator.Generator
	Log        *zap.Logger

	// Spool is the folder inside each mail container that holds threads.
	Spool string
	// ReplyProbability is the chance of continuing a thread.
	ReplyProbability float64
	// Lookback is how far before now a new message may be dated; about one
	// tick interval, so Dates fill the time between ticks.
	Lookback time.Duration
	// Keep is the number of records kept per decky.
	Keep int
	// DryRun writes each message to DryRunOutput instead of delivering and
	// recording it.
	DryRun       bool
	DryRunOutput io.Writer

	// Now and Rand default to the wall clock and a random seed; tests
	// replace them.
	Now  func() time.Time
	Rand *rand.Rand
}

// Mailer runs ticks. Tick is not meant to run concurrently with itself; the
// scheduler never overlaps ticks.
type Mailer struct {
	cfg Config
	log *zap.Logger
	mu  sync.Mutex // guards rng, which math/rand/v2 does not lock
	rng *rand.Rand
	// sourceErrors holds the last persona-source error logged per decky.
	sourceErrors map[string]string
}

// New returns a Mailer for cfg.
func New(cfg Config) *Mailer {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	if cfg.Lookback <= 0 {
		cfg.Lookback = 5 * time.Minute
	}
	return &Mailer{cfg: cfg, log: cfg.Log, rng: cfg.Rand, sourceErrors: map[string]string{}}
}

// ErrNothingToDo marks a tick that ended without a message for an ordinary
// reason, such as no mail decky or too few personas at work. The error text
// gives the reason.
var ErrNothingToDo = errors.New("nothing to do")

// Outcome describes the message a tick wrote.
type Outcome struct {
	Decky     string
	Source    discovery.Source
	ThreadID  string
	MessageID string
	Reply     bool
	Date      time.Time
	Language  string
	Generator string   // name of the generator of the text, such as "template"
	Delivered []string // container names that received the message
	// Generation and Delivery are the time spent writing the text and
	// delivering it to all containers; zero when that step did not run.
	Generation time.Duration
	Delivery   time.Duration
}

// Tick runs one tick. It returns an error wrapping ErrNothingToDo when there
// was nothing to write, and another error when writing or delivering failed.
// Canceling ctx stops a tick that is still choosing or writing its message;
// a delivery that has begun runs to its end.
func (m *Mailer) Tick(ctx context.Context) (Outcome, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Now()

	decky, active, err := m.pickDecky(ctx, now)
	if err != nil {
		return Outcome{}, err
	}
	log := m.log.With(zap.String("decky", decky.ID))

	i := m.rng.IntN(len(active))
	j := m.rng.IntN(len(active) - 1)
	if j >= i {
		j++
	}
	sender, recipient := active[i], active[j]

	dr, err := m.plan(ctx, decky, sender, recipient, now)
	if err != nil {
		return Outcome{}, err
	}
	started := time.Now()
	msg, data, err := m.write(ctx, &dr)
	out := Outcome{Decky: decky.ID, Source: decky.Source, Language: dr.sender.Language, Generation: time.Since(started)}
	if err != nil {
		return out, err
	}
	out.ThreadID, out.MessageID, out.Reply, out.Date = dr.threadID, msg.ID, dr.parent != nil, msg.Date
	out.Generator = dr.content.Generator
	dir := path.Join(m.cfg.Spool, dr.threadID)
	name := driver.FileName(msg.ID)
	if err := driver.ValidName(name); err != nil {
		return out, fmt.Errorf("naming the file of message %s: %w", msg.ID, err)
	}
	if m.cfg.DryRun {
		return out, m.printDryRun(decky, path.Join(dir, name), dr.content.Generator, data)
	}

	// From here the message is being delivered: a stop request lets it
	// finish, within the driver's own time limits, so no decky is left
	// with half a change and the state matches the mailboxes.
	ctx = context.WithoutCancel(ctx)

	del := driver.Delivery{Dir: dir, Name: name, Data: data, Date: msg.Date, FolderDate: msg.Date}
	var previous time.Time // the thread folder's date without this message
	if dr.parent != nil {
		previous = dr.parent.Date
	}
	started = time.Now()
	delivered, deliverErr := m.deliver(ctx, decky, del, log)
	out.Delivery = time.Since(started)
	if deliverErr != nil {
		m.retract(ctx, decky, delivered, del, previous, log)
		delivered = nil
	}

	rec := dr.record(decky, msg, path.Join(dir, name))
	rec.Delivered = deliverErr == nil
	if deliverErr != nil {
		rec.Failure = deliverErr.Error()
	}
	if _, err := m.cfg.Store.Add(ctx, rec); err != nil {
		// A message the state does not know could never be replied to and
		// would not bound later Dates, so the mailboxes give it back.
		m.retract(ctx, decky, delivered, del, previous, log)
		return out, errors.Join(deliverErr, err)
	}
	for _, c := range delivered {
		out.Delivered = append(out.Delivered, c.Name)
	}
	if _, err := m.cfg.Store.Prune(ctx, decky.ID, m.cfg.Keep); err != nil {
		log.Warn("pruning old records failed", zap.Error(err))
	}
	if deliverErr != nil {
		return out, deliverErr
	}
	log.Info("message delivered",
		zap.String("thread_id", dr.threadID),
		zap.String("message_id", msg.ID),
		zap.Bool("reply", dr.parent != nil),
		zap.String("from", msg.From.Email),
		zap.String("to", msg.To.Email),
		zap.String("date", msg.Date.Format(time.RFC3339)),
		zap.String("generator", out.Generator),
		zap.Strings("containers", out.Delivered))
	return out, nil
}

// pickDecky chooses at random among the mail deckies that have at least
// two personas at work now, so a decky without personas never costs another
// decky its message. It returns the decky and those personas.
func (m *Mailer) pickDecky(ctx context.Context, now time.Time) (discovery.Decky, persona.List, error) {
	deckies, err := m.cfg.Finder.MailDeckies(ctx)
	if err != nil && len(deckies) == 0 {
		return discovery.Decky{}, nil, fmt.Errorf("listing mail deckies: %w", err)
	}
	if err != nil {
		m.log.Warn("some Docker engines could not be listed", zap.Error(err))
	}
	if len(deckies) == 0 {
		return discovery.Decky{}, nil, fmt.Errorf("%w: no running mail decky", ErrNothingToDo)
	}

	var reasons []string
	for _, i := range m.rng.Perm(len(deckies)) {
		d := deckies[i]
		people, err := m.personas(ctx, d)
		m.noteSourceError(d, err)
		if err != nil {
			reasons = append(reasons, err.Error())
			continue
		}
		active := people.ActiveAt(now)
		if len(active) >= 2 {
			return d, active, nil
		}
		reasons = append(reasons, fmt.Sprintf("decky %s has %d of %d personas at work now", d.ID, len(active), len(people)))
	}
	return discovery.Decky{}, nil, fmt.Errorf("%w: no mail decky has two personas at work now (%s)",
		ErrNothingToDo, strings.Join(reasons, "; "))
}

// noteSourceError logs a decky's persona source failing, once until the
// error changes or the source works again, because a missing topology file
// would otherwise be logged on every tick.
func (m *Mailer) noteSourceError(d discovery.Decky, err error) {
	if err == nil {
		delete(m.sourceErrors, d.ID)
		return
	}
	if m.sourceErrors[d.ID] == err.Error() {
		return
	}
	m.sourceErrors[d.ID] = err.Error()
	m.log.Warn("personas of a decky unavailable, skipping it until they load",
		zap.String("decky", d.ID), zap.Error(err))
}

func (m *Mailer) personas(ctx context.Context, d discovery.Decky) (persona.List, error) {
	if d.Source != discovery.Topology {
		return m.cfg.Pool.Personas(), nil
	}
	if m.cfg.Topologies == nil {
		return nil, fmt.Errorf("%w: decky %s belongs to topology %s and no topology persona source is set",
			ErrNothingToDo, d.ID, d.TopologyID)
	}
	list, err := m.cfg.Topologies.Personas(ctx, d.TopologyID)
	if err != nil {
		return nil, fmt.Errorf("loading personas of topology %s: %w", d.TopologyID, err)
	}
	return list, nil
}

// deliver writes the message into every mail container of the decky, one
// container after another, and stops at the first failure. It returns the
// containers that received the file.
func (m *Mailer) deliver(ctx context.Context, d discovery.Decky, del driver.Delivery, log *zap.Logger) ([]discovery.Container, error) {
	var delivered []discovery.Container
	for _, c := range d.Containers {
		dr, ok := m.cfg.Deliverers[c.Engine]
		if !ok {
			return delivered, fmt.Errorf("delivering to %s: no driver for engine %q", c.Name, c.Engine)
		}
		if err := dr.Deliver(ctx, c.ID, del); err != nil {
			log.Error("delivery failed", zap.String("container", c.Name), zap.Error(err))
			return delivered, fmt.Errorf("delivering to %s: %w", c.Name, err)
		}
		delivered = append(delivered, c)
	}
	return delivered, nil
}

// retract takes a partly delivered message back from the containers that
// received it, so every mail container of a decky shows the same mailbox.
// previous is the Date of the newest message left in the thread folder.
func (m *Mailer) retract(ctx context.Context, d discovery.Decky, delivered []discovery.Container, del driver.Delivery, previous time.Time, log *zap.Logger) {
	del.FolderDate = previous
	for _, c := range delivered {
		if err := m.cfg.Deliverers[c.Engine].Retract(ctx, c.ID, del); err != nil {
			log.Error("taking back a partly delivered message failed; this container's mailbox now differs",
				zap.String("container", c.Name), zap.Error(err))
			continue
		}
		log.Info("partly delivered message taken back", zap.String("container", c.Name),
			zap.String("file", path.Join(del.Dir, del.Name)))
	}
}

func (m *Mailer) printDryRun(d discovery.Decky, file, generator string, data []byte) error {
	w := m.cfg.DryRunOutput
	for _, c := range d.Containers {
		if _, err := fmt.Fprintf(w, "==> %s:%s\n", c.Name, file); err != nil {
			return fmt.Errorf("writing dry-run output: %w", err)
		}
	}
	// Which generator wrote the message shows whether a model answered
	// or the template stood in for it.
	if _, err := fmt.Fprintf(w, "==> written by %s\n", generator); err != nil {
		return fmt.Errorf("writing dry-run output: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("writing dry-run output: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
