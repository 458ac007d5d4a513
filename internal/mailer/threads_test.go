package mailer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/discovery"
	"github.com/decnet/emailgend/internal/driver"
	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/state"
)

// acceptAll is a Deliverer that accepts every message, for tests that look
// at threads rather than at files.
type acceptAll struct{}

func (acceptAll) Deliver(context.Context, string, driver.Delivery) error { return nil }
func (acceptAll) Retract(context.Context, string, driver.Delivery) error { return nil }

// simulate runs one tick per step from start with a clock that moves on by
// step, and returns every record of the decky, oldest first.
func simulate(t *testing.T, personas string, replyProbability float64, start time.Time, step time.Duration, ticks int, seed uint64) []state.Record {
	t.Helper()
	p, store := poolAndStore(t, personas)
	decky := discovery.Decky{ID: "local/mail01", Name: "mail01", Source: discovery.Fleet, Engine: "local",
		Containers: []discovery.Container{{ID: "c1", Name: "mail01-imap", Service: "imap", Engine: "local"}}}
	now := start
	m := New(Config{
		Finder:           staticFinder{decky},
		Pool:             p,
		Deliverers:       map[string]Deliverer{"local": acceptAll{}},
		Store:            store,
		Generator:        generator.NewTemplate(zap.NewNop()),
		Spool:            spool,
		ReplyProbability: replyProbability,
		Lookback:         step,
		Keep:             10000,
		Now:              func() time.Time { return now },
		Rand:             rand.New(rand.NewPCG(seed, seed+1)),
	})
	ctx := context.Background()
	for range ticks {
		if _, err := m.Tick(ctx); err != nil && !errors.Is(err, ErrNothingToDo) {
			t.Fatalf("Tick at %s: %v", now.Format(time.RFC3339), err)
		}
		now = now.Add(step)
	}

	var all []state.Record
	seen := make(map[string]bool)
	threads, err := store.RecentThreads(ctx, decky.ID, "jose.nunez@example-corp.com", "ana.mueller@example-corp.com", ticks)
	if err != nil {
		t.Fatal(err)
	}
	for _, last := range threads {
		if seen[last.ThreadID] {
			continue
		}
		seen[last.ThreadID] = true
		records, err := store.Thread(ctx, last.ThreadID)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, records...)
	}
	return all
}

// TestTickRepliesWhenTicksOutpaceReplies runs a tick a minute for half a
// day between two people who reply within minutes. Every tick's newest
// thread is younger than any reply delay, yet replies must come, in the
// older threads that are due.
func TestTickRepliesWhenTicksOutpaceReplies(t *testing.T) {
	fast := strings.ReplaceAll(personasJSON, `"active_days": "mon-sun",`, `"active_days": "mon-sun", "reply_latency": "fast",`)
	start := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	records := simulate(t, fast, 0.6, start, time.Minute, 720, 7)

	// Looking only at the newest thread gives no reply at all, because it
	// is always younger than the reply delay.
	if replies := countReplies(records); replies < len(records)/3 {
		t.Errorf("%d of %d messages are replies, want at least a third", replies, len(records))
	}
	if len(records) < 100 {
		t.Errorf("recorded %d messages in 720 ticks, want at least 100", len(records))
	}
}

// TestTickSlowRepliersReply runs the default schedule for a week on a
// decky of two people who answer a day or more later. Their threads must
// still get answers.
func TestTickSlowRepliersReply(t *testing.T) {
	slow := strings.ReplaceAll(personasJSON, `"active_days": "mon-sun",`, `"active_days": "mon-sun", "reply_latency": "slow",`)
	start := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	records := simulate(t, slow, 0.6, start, 5*time.Minute, 7*24*12, 5)
	if replies := countReplies(records); replies < 5 {
		t.Errorf("%d of %d messages are replies in a week, want at least 5", replies, len(records))
	}
}

func countReplies(records []state.Record) int {
	n := 0
	for _, r := range records {
		if r.InReplyTo != "" {
			n++
		}
	}
	return n
}

// TestTickReplyComesFromTheOtherPerson checks every reply over a simulated
// week: its author is the recipient of the message it answers, it is dated
// after it, and no thread grows beyond the length it ends at.
func TestTickReplyComesFromTheOtherPerson(t *testing.T) {
	start := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	records := simulate(t, personasJSON, 0.8, start, 20*time.Minute, 7*24*3, 11)

	byID := make(map[string]state.Record, len(records))
	length := make(map[string]int)
	for _, r := range records {
		byID[r.MessageID] = r
		length[r.ThreadID]++
	}
	replies := 0
	for _, r := range records {
		if r.InReplyTo == "" {
			continue
		}
		replies++
		parent, ok := byID[r.InReplyTo]
		if !ok {
			t.Errorf("reply %s answers %s, which is not in the state", r.MessageID, r.InReplyTo)
			continue
		}
		if !strings.EqualFold(r.From, parent.To) || !strings.EqualFold(r.To, parent.From) {
			t.Errorf("reply %s is from %s to %s, but answers a message from %s to %s",
				r.MessageID, r.From, r.To, parent.From, parent.To)
		}
		if !r.Date.After(parent.Date) {
			t.Errorf("reply %s dated %s, not after its parent's %s", r.MessageID, r.Date, parent.Date)
		}
	}
	if replies == 0 {
		t.Fatal("no replies in a simulated week")
	}
	for thread, n := range length {
		if want := threadLength(thread); n > want {
			t.Errorf("thread %s has %d messages, want at most %d", thread, n, want)
		}
	}
}

func TestThreadLengthSpread(t *testing.T) {
	counts := make(map[int]int)
	for i := range 10000 {
		counts[threadLength(fmt.Sprintf("%016x", i*7919))]++
	}
	for _, l := range threadLengths {
		got := float64(counts[l.length]) / 100
		if got < float64(l.weight)-3 || got > float64(l.weight)+3 {
			t.Errorf("threads of length %d: %.1f%%, want about %d%%", l.length, got, l.weight)
		}
	}
}
