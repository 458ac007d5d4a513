package mailer

import (
	"context"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/decnet/emailgend/internal/dates"
	"github.com/decnet/emailgend/internal/discovery"
	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/message"
	"github.com/decnet/emailgend/internal/persona"
	"github.com/decnet/emailgend/internal/state"
)

// draft is a tick's plan for one message: the people, thread, topic and date
// chosen before any text exists.
type draft struct {
	sender, recipient persona.Persona
	threadID          string
	topic             string
	date              time.Time
	parent            *state.Record // nil for a new thread
	content           generator.Content
}

// openThreads is how many of a pair's most recent threads a tick considers
// for a reply. maxWaiting keeps the threads that wait for a reply well
// inside that window.
const openThreads = 8

// maxWaiting is how many threads between two people may wait for a reply
// before they start no new one. Without it a pair that ticks often opens a
// thread on most ticks, and the threads of a slow replier, due only a day
// later, would long have left the window of recent threads.
const maxWaiting = 3

// threadExpiry is how long a thread waits for a reply. Mail that has had
// none for a week has been dropped, as happens in any inbox.
const threadExpiry = 7 * 24 * time.Hour

// threadLengths are the lengths threads end at, each with its weight out of
// 100: most threads between two colleagues are a message and a reply or
// two, and few run past five.
var threadLengths = []struct{ length, weight int }{
	{2, 40}, {3, 25}, {4, 20}, {5, 10}, {6, 5},
}

// threadLength returns the number of messages thread id ends at. It comes
// from a hash of the id, so it needs no column in the state and stays the
// same across restarts.
func threadLength(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	n := int(h.Sum32() % 100)
	for _, l := range threadLengths {
		if n < l.weight {
			return l.length
		}
		n -= l.weight
	}
	return threadLengths[len(threadLengths)-1].length
}

// waiting reports whether the thread whose newest message is last still
// expects a reply at now.
func waiting(last state.Record, now time.Time) bool {
	return len(last.References)+1 < threadLength(last.ThreadID) && now.Sub(last.Date) < threadExpiry
}

// plan chooses between a reply and a new thread and dates the message.
//
// A reply continues the most recent thread between the two people that
// still waits for a reply and whose reply is due under the replier's
// reply_latency, newest thread first. The reply comes from the person who
// did not write the thread's last message, so the sender and recipient
// chosen for the tick swap when needed, and nobody replies to their own
// mail. Looking past the newest thread matters when ticks come faster than
// replies: each new thread would otherwise become the newest and put every
// reply off again. A pair with maxWaiting threads waiting starts no other
// one, and the tick ends with ErrNothingToDo.
func (m *Mailer) plan(ctx context.Context, d discovery.Decky, sender, recipient persona.Persona, now time.Time) (draft, error) {
	after, _, err := m.cfg.Store.LastDate(ctx, d.ID)
	if err != nil {
		return draft{}, fmt.Errorf("reading the newest date on decky %s: %w", d.ID, err)
	}
	threads, err := m.cfg.Store.RecentThreads(ctx, d.ID, sender.Email, recipient.Email, openThreads)
	if err != nil {
		return draft{}, fmt.Errorf("finding the threads between %s and %s: %w", sender.Email, recipient.Email, err)
	}
	var open []state.Record
	for _, last := range threads {
		if waiting(last, now) {
			open = append(open, last)
		}
	}

	if m.rng.Float64() < m.cfg.ReplyProbability {
		for _, last := range open {
			replier, other := sender, recipient
			if strings.EqualFold(last.From, sender.Email) {
				replier, other = recipient, sender
			}
			date, ready := dates.PickReply(now, replier.Schedule, last.Date, after, string(replier.ReplyLatency), m.cfg.Lookback, m.rng)
			if !ready {
				continue
			}
			return draft{
				sender:    replier,
				recipient: other,
				parent:    &last,
				threadID:  last.ThreadID,
				topic:     last.Topic,
				date:      date,
			}, nil
		}
	}
	if len(open) >= maxWaiting {
		return draft{}, fmt.Errorf("%w: %s and %s have %d threads waiting for a reply on decky %s, none due yet",
			ErrNothingToDo, sender.Email, recipient.Email, len(open), d.ID)
	}

	dr := draft{sender: sender, recipient: recipient}
	date, ok := dates.PickNew(now, sender.Schedule, after, m.cfg.Lookback, m.rng)
	if !ok {
		return draft{}, fmt.Errorf("%w: no free time for %s on decky %s since the last message at %s",
			ErrNothingToDo, sender.Email, d.ID, after.Format(time.RFC3339))
	}
	dr.threadID = m.newThreadID()
	dr.topic = generator.RandomTopicFor(m.rng, sender.Role)
	dr.date = date
	return dr, nil
}

// write requests the text from the generator and builds the message around
// it.
func (m *Mailer) write(ctx context.Context, dr *draft) (message.Message, []byte, error) {
	req := generator.Request{Sender: dr.sender, Recipient: dr.recipient, Topic: dr.topic, Date: dr.date, Rand: m.rng}
	if dr.parent != nil {
		req.Parent = &generator.Parent{
			Subject:  dr.parent.Subject,
			Body:     dr.parent.Body,
			FromName: dr.parent.FromName,
			Date:     dr.parent.Date,
		}
	}
	content, err := m.cfg.Generator.Generate(ctx, req)
	if err != nil {
		return message.Message{}, nil, fmt.Errorf("generating a message from %s: %w", dr.sender.Email, err)
	}
	dr.content = content

	msg := message.Message{
		From:    message.Address{Name: dr.sender.Name, Email: dr.sender.Email},
		To:      message.Address{Name: dr.recipient.Name, Email: dr.recipient.Email},
		Subject: content.Subject,
		Date:    dr.date,
		ID:      message.NewID(message.IDDomain(dr.sender.Email), m.rng),
		Body:    content.Body,
	}
	if dr.parent != nil {
		msg.Subject = message.ReplySubject(dr.parent.Subject)
		msg.InReplyTo = dr.parent.MessageID
		msg.References = message.References(dr.parent.References, dr.parent.MessageID)
	}
	data, err := msg.Encode()
	if err != nil {
		return message.Message{}, nil, fmt.Errorf("encoding message %s: %w", msg.ID, err)
	}
	return msg, data, nil
}

func (dr *draft) record(d discovery.Decky, msg message.Message, file string) state.Record {
	names := make([]string, len(d.Containers))
	for i, c := range d.Containers {
		names[i] = c.Name
	}
	return state.Record{
		Decky:      d.ID,
		Containers: names,
		ThreadID:   dr.threadID,
		MessageID:  msg.ID,
		InReplyTo:  msg.InReplyTo,
		References: msg.References,
		From:       msg.From.Email,
		FromName:   msg.From.Name,
		To:         msg.To.Email,
		ToName:     msg.To.Name,
		Subject:    msg.Subject,
		Language:   dr.sender.Language,
		Topic:      dr.topic,
		Date:       msg.Date,
		Path:       file,
		Generator:  dr.content.Generator,
		Mannerisms: dr.content.Mannerisms,
		Body:       msg.Body,
	}
}

func (m *Mailer) newThreadID() string {
	var b [8]byte
	for i := range b {
		b[i] = byte(m.rng.Uint32())
	}
	return hex.EncodeToString(b[:])
}
