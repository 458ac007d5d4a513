// Package generator writes the content of an email, its subject and body,
// in the sender's language and voice, for a new thread or a reply.
//
// Template, the built-in generator, composes messages offline from an
// embedded corpus. Other generators, such as LLM clients, implement the
// same Generator interface.
package generator

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/decnet/emailgend/internal/persona"
)

// Request describes the message to write.
type Request struct {
	Sender    persona.Persona
	Recipient persona.Persona
	// Topic is one of Topics for a new thread. Other text is accepted and
	// written about in general terms.
	Topic string
	// Parent is the message being replied to, or nil for a new thread.
	Parent *Parent
	// Date is the date the message will carry. Month, quarter and weekday
	// words in the text are chosen to fit it, read in the sender's
	// Location when set. The zero value means the time of the call.
	Date time.Time
	// Rand is the only source of randomness, so a seeded Rand gives the
	// same message again. It must not be nil.
	Rand *rand.Rand
}

// Parent is the message a reply is written to.
type Parent struct {
	Subject  string
	Body     string
	FromName string
	Date     time.Time
}

// Content is a written message.
type Content struct {
	Subject string
	Body    string
	// Generator names what wrote the message, such as "template".
	Generator string
	// Mannerisms lists the sender's mannerisms used in the message. It may
	// be empty.
	Mannerisms []string
}

// Generator writes messages.
type Generator interface {
	Generate(ctx context.Context, req Request) (Content, error)
}

// Topics lists the ordinary business topics that new threads are about, as
// English keys. Every corpus covers each of them.
var Topics = []string{
	"budget review",
	"vendor onboarding",
	"security audit findings",
	"office move",
	"travel policy",
	"quarterly planning",
	"hiring",
	"IT maintenance window",
	"expense reports",
	"customer escalation",
	"contract renewal",
	"team offsite",
	"performance reviews",
	"software license renewal",
	"compliance training",
	"project kickoff",
	"invoice discrepancy",
	"board meeting preparation",
	"password policy change",
	"new employee onboarding",
	"marketing campaign",
	"product launch",
	"supplier delay",
	"holiday schedule",
}

// RandomTopic returns one of Topics, chosen uniformly with r.
func RandomTopic(r *rand.Rand) string {
	return Topics[r.IntN(len(Topics))]
}
