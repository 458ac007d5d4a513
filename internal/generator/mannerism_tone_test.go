package generator

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/persona"
)

// casualMannerismWording matches, per language, mannerism wording that a
// formal sender, who writes "Dear José," and "With best regards", would
// not use: chat abbreviations, the short form of P.S. and casual apologies
// and answers.
var casualMannerismWording = map[string]*regexp.Regexp{
	"en": regexp.MustCompile(`(?i)tl;?dr|short version|^ps$|to do:|sorry|sounds good|got it|will do|^ok\b|send over|flag anything`),
	"es": regexp.MustCompile(`(?i)tl;?dr|^pd:|perdona|vale,|genial|\bte\b|\btu\b`),
	"pt": regexp.MustCompile(`(?i)tl;?dr|^ps:|foi mal|beleza|valeu|deixa comigo`),
	"fr": regexp.MustCompile(`(?i)tl;?dr|^ps\x{00a0}?:|excuse-moi|pardon pour|ça me va|\btop\b|\btu\b|\bte\b`),
	"de": regexp.MustCompile(`(?i)tl;?dr|^ps:|sorry|passt|klingt gut|to-dos|super|\bdu\b|\bdir\b|\bdich\b`),
}

// TestCorpusFormalMannerismWording checks that the mannerism wording of
// the formal tone has no casual wording, in every language.
func TestCorpusFormalMannerismWording(t *testing.T) {
	for language, c := range corpora(t) {
		casual := casualMannerismWording[language]
		for field, lists := range c.Mannerisms.toneLists() {
			for _, entry := range lists["formal"] {
				for _, form := range bothRegisters(entry) {
					if m := casual.FindString(form); m != "" {
						t.Errorf("%s: formal %s entry %q has casual wording %q", language, field, form, m)
					}
				}
			}
		}
	}
}

// labelIn returns the longest of labels that starts a line of text, or "".
func labelIn(text string, labels []string) string {
	best := ""
	for _, line := range strings.Split(text, "\n") {
		for _, label := range labels {
			if len(label) > len(best) && strings.HasPrefix(line, label) {
				best = label
			}
		}
	}
	return best
}

// TestMannerismWordingFitsTone writes messages whose sender shows one
// mannerism, in every language and tone, and checks that the wording the
// mannerism adds comes from the lists of the sender's tone.
func TestMannerismWordingFitsTone(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	tests := []struct {
		description string
		// check reports the mannerism wording of own, the sender's text,
		// that is not from the lists of tone, or "".
		check func(m mannerismText, tone string, reply bool, own string) string
	}{
		{"opens with a short summary line", func(m mannerismText, tone string, _ bool, own string) string {
			if label := labelIn(own, allTones(m.SummaryLabels)); !slices.Contains(m.SummaryLabels[tone], label) {
				return label
			}
			return ""
		}},
		{"adds a P.S.", func(m mannerismText, tone string, _ bool, own string) string {
			if label := labelIn(own, allTones(m.PostscriptLabels)); !slices.Contains(m.PostscriptLabels[tone], label) {
				return label
			}
			return ""
		}},
		{"numbers every action item", func(m mannerismText, tone string, _ bool, own string) string {
			if label := labelIn(own, allTones(m.ListLabels)); !slices.Contains(m.ListLabels[tone], label) {
				return label
			}
			for _, line := range strings.Split(own, "\n") {
				if item, ok := strings.CutPrefix(line, "1. "); ok && !slices.Contains(m.ActionItems[tone], item) {
					return item
				}
			}
			return ""
		}},
		{"apologizes a lot", func(m mannerismText, tone string, reply bool, own string) string {
			list := m.Apologies[tone]
			if reply {
				list = m.ReplyApologies[tone]
			}
			if !containsAnyForm(own, list) {
				return "an apology of another tone"
			}
			return ""
		}},
		{"one-line replies", func(m mannerismText, tone string, reply bool, own string) string {
			if reply && !containsAnyForm(own, m.ShortReplies[tone]) {
				return "a short reply of another tone"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		for _, language := range languages {
			t.Run(tt.description+"/"+language, func(t *testing.T) {
				m := g.corpora[language].Mannerisms
				applied := 0
				for _, req := range mannerismRequests(language, 48) {
					got := generate(t, g, req.with([]string{tt.description}))
					if len(got.Mannerisms) == 0 {
						continue
					}
					applied++
					tone := toneKey(req.Sender.Tone)
					if wrong := tt.check(m, tone, req.Parent != nil, ownPart(got.Body)); wrong != "" {
						t.Errorf("%s sender writes %q:\n%s", tone, wrong, got.Body)
					}
				}
				if applied == 0 {
					t.Errorf("mannerism never shown")
				}
			})
		}
	}
}

// TestReplyMannerismsFollowBorrowedTone checks that a casual German sender
// who answers a parent that says "Sie" writes the mannerism wording of the
// formal tone it borrows, and not "TL;DR:".
func TestReplyMannerismsFollowBorrowedTone(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	c := g.corpora["de"]
	sender := newPersona("Jonas Weber", "jonas.weber@acme-corp.example", persona.Casual, "de")
	sender.Mannerisms = []string{"opens with a short summary line"}
	recipient := newPersona("Katrin Vogel", "katrin.vogel@acme-corp.example", persona.Formal, "de")
	parent := &Parent{
		Subject:  "Budgetreview am Dienstag",
		Body:     "Guten Tag Jonas,\n\nkönnen Sie mir Ihre Zahlen bis Montag schicken?\n\nKatrin Vogel",
		FromName: recipient.Name,
		Date:     time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
	}
	for seed := range uint64(40) {
		req := Request{Sender: sender, Recipient: recipient, Topic: "budget review", Parent: parent, Rand: seeded(seed)}
		w := newComposer(c, req)
		if w.voice == "casual" || c.Tones[w.voice].Register != "formal" {
			t.Fatalf("reply to a formal parent uses the wording of tone %q", w.voice)
		}
		got := generate(t, g, req)
		label := labelIn(ownPart(got.Body), allTones(c.Mannerisms.SummaryLabels))
		if !slices.Contains(c.Mannerisms.SummaryLabels[w.voice], label) {
			t.Errorf("summary label %q is not one of tone %q:\n%s", label, w.voice, got.Body)
		}
	}
}

// TestSummaryNamesThread checks, in every language, that the summary line
// of a new thread names what its thread is about, with the values its
// subject and body use, such as "the Boston trip".
func TestSummaryNamesThread(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, language := range languages {
		t.Run(language, func(t *testing.T) {
			c := g.corpora[language]
			labels := allTones(c.Mannerisms.SummaryLabels)
			for _, sr := range mannerismRequests(language, 96) {
				if sr.Parent != nil {
					continue
				}
				req := sr.with([]string{"opens with a short summary line"})
				req.Sender.Role = "Manager"
				w := newComposer(c, req)
				subject, body := w.compose()
				text := c.Topics[strings.ToLower(req.Topic)]
				thread, _ := text.matchThread(subject)
				if thread == nil {
					t.Fatalf("subject %q matches no thread", subject)
				}

				about := w.ex.fixed["about"]
				values := make(map[string]string)
				for k, v := range w.ex.drawn {
					values[k] = v
				}
				for k, v := range w.ex.fixed {
					values[k] = v
				}
				fromThread := false
				for _, tmpl := range thread.About {
					fromThread = fromThread || newExpander(seeded(1), nil, values).expand(tmpl) == about
				}
				if !fromThread {
					t.Errorf("subject %q: about %q is none of the thread's %q", subject, about, thread.About)
				}

				label := labelIn(body, labels)
				line := ""
				for _, p := range paragraphs(body) {
					if strings.HasPrefix(p, label) {
						line = p
					}
				}
				if label == "" || !namesValue(folded(line), c.contract.apply(about)) {
					t.Errorf("summary %q does not name %q:\n%s", line, about, body)
				}
			}
		})
	}
}

// slangWords matches, per language, words too casual for a formal sender,
// which the reply lists that every tone shares must not contain.
var slangWords = map[string]*regexp.Regexp{
	"en": regexp.MustCompile(`(?i)\b(sounds great|cool|awesome)\b|\bi'm in[,.!]`),
	"es": regexp.MustCompile(`(?i)\b(genial|vale|guay)\b`),
	"pt": regexp.MustCompile(`(?i)\b(valeu|topo|beleza|foi mal)\b`),
	"fr": regexp.MustCompile(`(?i)\b(super|top|sympa)\b`),
	"de": regexp.MustCompile(`(?i)\b(super|sorry|klingt gut|klingt super)\b`),
}

// TestCorpusSharedRepliesNeutral checks that the replies which senders of
// every tone write, those of the topics, threads and questions, use no
// casual words, in their formal form.
func TestCorpusSharedRepliesNeutral(t *testing.T) {
	for language, c := range corpora(t) {
		var shared []string
		for _, text := range c.Topics {
			shared = append(shared, text.Replies...)
			for _, th := range text.Threads {
				shared = append(shared, th.Replies...)
				for _, list := range th.ParagraphReplies {
					shared = append(shared, list...)
				}
			}
		}
		for _, list := range c.Asks.ParagraphReplies {
			shared = append(shared, list...)
		}
		for _, reply := range shared {
			if m := slangWords[language].FindString(bothRegisters(reply)[1]); m != "" {
				t.Errorf("%s: shared reply %q has casual word %q", language, reply, m)
			}
		}
	}
}
