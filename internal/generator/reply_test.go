package generator

import (
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/persona"
)

// threadReply is a reply exchange: a new thread and the reply to it.
type threadReply struct {
	topic         string
	parent, reply Content
}

// threadReplies returns new threads between the people of one decky, on
// every topic, each with a reply. The sender is a manager, who owns every
// topic, so each new thread comes from one of the topic's threads.
func threadReplies(t *testing.T, g *Template, language string, seed uint64, count int) []threadReply {
	t.Helper()
	r := seeded(seed)
	people := deckyPersonas(language)
	people[3].Role = "Manager"
	var out []threadReply
	for i := range count {
		sender, recipient := people[3], people[r.IntN(3)]
		topic := Topics[i%len(Topics)]
		root := generate(t, g, Request{Sender: sender, Recipient: recipient, Topic: topic, Rand: r})
		parent := &Parent{Subject: root.Subject, Body: root.Body, FromName: sender.Name, Date: time.Now()}
		reply := generate(t, g, Request{Sender: recipient, Recipient: sender, Topic: topic, Parent: parent, Rand: r})
		out = append(out, threadReply{topic: topic, parent: root, reply: reply})
	}
	return out
}

// TestReplyAnswersOnlyWhatParentSaid checks that a reply answers a later
// paragraph of a thread, such as "Noted on the NDA", only when its parent
// contains that paragraph, and that it makes one thread reply at most, so
// it does not take two stances on the parent.
func TestReplyAnswersOnlyWhatParentSaid(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, language := range languages {
		t.Run(language, func(t *testing.T) {
			c := g.corpora[language]
			answered := 0
			for _, ex := range threadReplies(t, g, language, 41, 1200) {
				text := c.Topics[strings.ToLower(ex.topic)]
				thread, _ := text.matchThread(ex.parent.Subject)
				if thread == nil {
					t.Fatalf("subject %q matches no thread of %q", ex.parent.Subject, ex.topic)
				}
				own := folded(ownPart(ex.reply.Body))
				parent := folded(ex.parent.Body)
				found := 0
				for _, tmpl := range thread.replies {
					// Four words in a row tell the replies of a thread apart,
					// where three can occur in two of them.
					words := literalWords(tmpl.text, 4)
					if words == "" || !strings.Contains(own, words) {
						continue
					}
					found++
					if tmpl.mark == "" {
						continue
					}
					answered++
					if !strings.Contains(parent, tmpl.mark) {
						t.Errorf("reply %q answers a paragraph the parent does not contain:\nparent:\n%s\nreply:\n%s", tmpl.text, ex.parent.Body, ex.reply.Body)
					}
				}
				if found > 1 {
					t.Errorf("reply makes %d thread replies, want at most 1:\n%s", found, ex.reply.Body)
				}
			}
			if answered == 0 {
				t.Errorf("no reply answered a later paragraph of its parent")
			}
		})
	}
}

// TestReplyToQuestionAnswersIt checks replies to questions about a topic,
// which senders whose role does not own the topic write. A reply answers
// one of the parent's questions instead of acknowledging a report, also
// when the replier keeps replies to one line.
func TestReplyToQuestionAnswersIt(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, language := range languages {
		t.Run(language, func(t *testing.T) {
			c := g.corpora[language]
			// reportOpeners are the reply openers, such as "Thanks for
			// the update.", that no answer opener repeats. Those that
			// name a placeholder are left out, since their expansion is
			// not known here.
			var reportOpeners []string
			for _, tone := range tones {
				for _, o := range c.Tones[tone].ReplyOpeners {
					if !strings.Contains(o, "{") && !slices.ContainsFunc(tones, func(t string) bool { return slices.Contains(c.Tones[t].AnswerOpeners, o) }) {
						reportOpeners = append(reportOpeners, o)
					}
				}
			}
			owner := newPersona("Bruno Lima", "bruno.lima@acme-corp.example", persona.Formal, language)
			for seed := range uint64(240) {
				topic := Topics[seed%uint64(len(Topics))]
				role, ok := askingRole(topic)
				if !ok {
					continue
				}
				asker := newPersona("Ana Souza", "ana.souza@acme-corp.example", persona.Casual, language)
				asker.Role = role
				owner.Tone = []persona.Tone{persona.Formal, persona.Direct, persona.Casual, persona.Technical}[seed%4]
				owner.Mannerisms = nil
				if seed%3 == 0 {
					owner.Mannerisms = []string{"one-line replies"}
				}
				root := generate(t, g, Request{Sender: asker, Recipient: owner, Topic: topic, Rand: seeded(seed)})
				parent := &Parent{Subject: root.Subject, Body: root.Body, FromName: asker.Name, Date: time.Now()}
				reply := generate(t, g, Request{Sender: owner, Recipient: asker, Topic: topic, Parent: parent, Rand: seeded(seed)})

				// A replier who keeps replies to one line keeps the first
				// sentence of an answer.
				var answers []string
				for k, p := range c.Asks.Paragraphs {
					if !strings.Contains(folded(root.Body), literalWords(p, 3)) {
						continue
					}
					for _, a := range c.Asks.ParagraphReplies[k] {
						answers = append(answers, sentencesOf(a)[0])
					}
				}
				if len(answers) == 0 {
					t.Fatalf("parent is no question:\n%s", root.Body)
				}
				own := ownPart(reply.Body)
				if !containsAnyForm(own, answers) {
					t.Errorf("reply answers none of the parent's questions:\nparent:\n%s\nreply:\n%s", root.Body, own)
				}
				if containsAnyForm(own, c.Topics[strings.ToLower(topic)].Replies) {
					t.Errorf("reply to a question acknowledges a report:\nparent:\n%s\nreply:\n%s", root.Body, own)
				}
				if containsAnyForm(own, reportOpeners) {
					t.Errorf("reply to a question opens as a reply to a report:\nparent:\n%s\nreply:\n%s", root.Body, own)
				}
			}
		})
	}
}

// TestParagraphMark checks the words that recognize a paragraph in a
// parent message.
func TestParagraphMark(t *testing.T) {
	tests := []struct {
		name, tmpl, want string
	}{
		{"plain", "Please add the invoicing point to the agenda.", " please add the invoicing point to the agenda "},
		{"words next to a placeholder left out", "I need the {dept} section by the end of the week.", " by the end of the week "},
		{"longest run", "The {x} is here. After that there is a short review.", " here after that there is a short review "},
		{"alternatives and register forms skipped", "[Sure|Fine], <tell me|let me know> when the new dates are fixed.", " the new dates are fixed "},
		{"too short", "See {ticket} now.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := paragraphMark(tt.tmpl); got != tt.want {
				t.Errorf("paragraphMark(%q) = %q, want %q", tt.tmpl, got, tt.want)
			}
		})
	}
}

func TestFoldWords(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Noted on the NDA. I'll hold back", "noted on the nda i ll hold back"},
		{"  ¡Perdona la\ntardanza!  ", "perdona la tardanza"},
		{"Pardon pour ma réponse tardive\u00a0!", "pardon pour ma réponse tardive"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := foldWords(tt.in); got != tt.want {
			t.Errorf("foldWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
