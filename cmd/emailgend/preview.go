package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/decnet/emailgend/internal/config"
	"github.com/decnet/emailgend/internal/daemon"
	"github.com/decnet/emailgend/internal/dates"
	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/message"
	"github.com/decnet/emailgend/internal/persona"
	"github.com/decnet/emailgend/internal/pool"
)

// previewFlags are the flags of `emailgend preview` beyond the shared ones.
type previewFlags struct {
	from, to, topic string
	reply           bool
}

// runPreview writes one message between two personas of a persona file
// with the configured generator and prints it, without Docker or state.
func runPreview(args []string, stdout io.Writer, stderr *os.File) int {
	var pf previewFlags
	cfg, err := config.ParseWith("preview", args, os.Getenv, config.Home(), stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&pf.from, "from", "", "`email` of the sending persona (required)")
		fs.StringVar(&pf.to, "to", "", "`email` of the receiving persona (required)")
		fs.StringVar(&pf.topic, "topic", "", "`topic` of a new thread (default: a random one)")
		fs.BoolVar(&pf.reply, "reply", false, "print a reply from --from to a message --to wrote first")
	})
	if errors.Is(err, config.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 2
	}
	if pf.from == "" || pf.to == "" || strings.EqualFold(pf.from, pf.to) {
		fmt.Fprintln(stderr, "emailgend: preview needs --from and --to, the emails of two different personas in the persona file")
		return 2
	}
	log, err := newCommandLogger(stderr, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 2
	}
	defer log.Sync() //nolint:errcheck // nothing useful to do when the final flush fails

	personas := pool.New(cfg.Personas, persona.Defaults{Language: cfg.Language, Location: cfg.Location}, log.Named("pool"))
	if err := personas.Load(); err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 1
	}
	sender, ok := personas.Personas().ByEmail(pf.from)
	if !ok {
		fmt.Fprintf(stderr, "emailgend: no valid persona with email %q in %s\n", pf.from, cfg.Personas)
		return 1
	}
	recipient, ok := personas.Personas().ByEmail(pf.to)
	if !ok {
		fmt.Fprintf(stderr, "emailgend: no valid persona with email %q in %s\n", pf.to, cfg.Personas)
		return 1
	}
	// An operator previews to check a generator setting, so an LLM is used
	// without the breaker: a failing model is reported, not hidden behind
	// a template message.
	var gen generator.Generator = generator.NewTemplate(log.Named("generator"))
	if cfg.Generator != config.DefaultGenerator {
		model, err := daemon.NewModel(cfg, log)
		if err != nil {
			fmt.Fprintf(stderr, "emailgend: %v\n", err)
			return 1
		}
		gen = model
	}

	ctx, cancel := context.WithTimeout(context.Background(), cfg.LLMTimeout+10*time.Second)
	defer cancel()
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	now := time.Now()
	topic := pf.topic
	if topic == "" {
		topic = generator.RandomTopicFor(rng, sender.Role)
	}

	var parent *message.Message
	if pf.reply {
		root, err := writePreview(ctx, gen, recipient, sender, topic, nil, previewDate(now.Add(-24*time.Hour), recipient, rng), rng)
		if err != nil {
			fmt.Fprintf(stderr, "emailgend: %v\n", err)
			return 1
		}
		parent = &root
	}
	date := previewDate(now, sender, rng)
	if parent != nil {
		date = parent.Date.Add(dates.ReplyDelay(string(sender.ReplyLatency), rng)).In(sender.Location)
	}
	msg, err := writePreview(ctx, gen, sender, recipient, topic, parent, date, rng)
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 1
	}
	data, err := msg.Encode()
	if err != nil {
		fmt.Fprintf(stderr, "emailgend: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(data); err != nil {
		fmt.Fprintf(stderr, "emailgend: writing the message: %v\n", err)
		return 1
	}
	return 0
}

// previewDate dates a message at a moment the sender works, not after at:
// within the last hour when they are at work, else at their last working
// moment in the week before.
func previewDate(at time.Time, p persona.Persona, rng *rand.Rand) time.Time {
	if d, ok := dates.PickNew(at, p.Schedule, time.Time{}, time.Hour, rng); ok {
		return d
	}
	for t := at.Add(-time.Hour); t.After(at.Add(-7 * 24 * time.Hour)); t = t.Add(-time.Hour) {
		if d, ok := dates.PickNew(t, p.Schedule, time.Time{}, time.Hour, rng); ok {
			return d
		}
	}
	return at.In(p.Location).Truncate(time.Second)
}

func writePreview(ctx context.Context, gen generator.Generator, from, to persona.Persona, topic string,
	parent *message.Message, date time.Time, rng *rand.Rand) (message.Message, error) {
	req := generator.Request{Sender: from, Recipient: to, Topic: topic, Date: date, Rand: rng}
	if parent != nil {
		req.Parent = &generator.Parent{Subject: parent.Subject, Body: parent.Body, FromName: parent.From.Name, Date: parent.Date}
	}
	content, err := gen.Generate(ctx, req)
	if err != nil {
		return message.Message{}, fmt.Errorf("generating a message from %s: %w", from.Email, err)
	}
	msg := message.Message{
		From:    message.Address{Name: from.Name, Email: from.Email},
		To:      message.Address{Name: to.Name, Email: to.Email},
		Subject: content.Subject,
		Date:    date,
		ID:      message.NewID(message.IDDomain(from.Email), rng),
		Body:    content.Body,
	}
	if parent != nil {
		msg.Subject = message.ReplySubject(parent.Subject)
		msg.InReplyTo = parent.ID
		msg.References = message.References(parent.References, parent.ID)
	}
	return msg, nil
}
