package generator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/persona"
)

// folded returns text in lower case with every run of characters other
// than letters and digits turned into one space, and a space at each end,
// so that wrapping, punctuation and case do not affect a comparison.
func folded(text string) string {
	var b strings.Builder
	b.WriteByte(' ')
	gap := false
	for _, r := range text {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			gap = true
			continue
		}
		if gap && b.Len() > 1 {
			b.WriteByte(' ')
		}
		gap = false
		b.WriteRune(unicode.ToLower(r))
	}
	b.WriteByte(' ')
	return b.String()
}

// literalWords returns the longest run of at least minWords words in tmpl
// outside placeholders, alternatives and register forms, folded, without
// the words that touch a placeholder, where a contraction may change them.
// It returns "" when no run is long enough.
func literalWords(tmpl string, minWords int) string {
	best := ""
	depth, start := 0, 0
	take := func(run string, afterSlot, beforeSlot bool) {
		words := strings.Fields(folded(run))
		if afterSlot && len(words) > 0 {
			words = words[1:]
		}
		if beforeSlot && len(words) > 0 {
			words = words[:len(words)-1]
		}
		if s := " " + strings.Join(words, " ") + " "; len(words) >= minWords && len(s) > len(best) {
			best = s
		}
	}
	for i := 0; i < len(tmpl); i++ {
		switch tmpl[i] {
		case '{', '[', '<':
			if depth == 0 {
				take(tmpl[start:i], start > 0, true)
			}
			depth++
		case '}', ']', '>':
			if depth--; depth == 0 {
				start = i + 1
			}
		}
	}
	take(tmpl[start:], start > 0, false)
	return best
}

// subjectValues returns the placeholder values of subject, an expansion
// of the subject template that pattern was made from, in template order.
func subjectValues(pattern []string, subject string) []string {
	if len(pattern) < 2 {
		return nil
	}
	rest := subject[len(pattern[0]) : len(subject)-len(pattern[len(pattern)-1])]
	var values []string
	for _, part := range pattern[1 : len(pattern)-1] {
		i := strings.Index(rest, part)
		values = append(values, rest[:i])
		rest = rest[i+len(part):]
	}
	return append(values, rest)
}

// firstSentence returns the first sentence of tmpl. Unlike sentencesOf it
// also ends a sentence before a placeholder, which most values start with
// a capital, as in "The plan is ready. {dept} is on the fifth floor."
func firstSentence(tmpl string) string {
	for i := 0; i+2 < len(tmpl); i++ {
		if strings.IndexByte(".?!", tmpl[i]) >= 0 && tmpl[i+1] == ' ' &&
			(tmpl[i+2] == '{' || startsSentence(tmpl[i+2:])) && !abbreviated(tmpl[:i]) {
			return tmpl[:i+1]
		}
	}
	return tmpl
}

// namesValue reports whether body, folded, names value. A value of more
// than one word may lose its first word, an article, to a contraction, as
// Portuguese "o atraso" in "do atraso".
func namesValue(body, value string) bool {
	if strings.Contains(body, folded(value)) {
		return true
	}
	words := strings.Fields(folded(value))
	return len(words) > 1 && strings.Contains(body, " "+strings.Join(words[1:], " ")+" ")
}

// bestPattern returns the pattern of subjects that matches subject with
// the most literal text, or nil.
func bestPattern(subjects []string, subject string) []string {
	var best []string
	for _, s := range subjects {
		p := subjectPattern(s)
		if matchPattern(p, subject) && (best == nil || patternLength(p) > patternLength(best)) {
			best = p
		}
	}
	return best
}

// newThreadCase is a kind of new thread: the subjects it is written with
// and the paragraphs that may open it.
type newThreadCase struct {
	name     string
	subjects []string
	// leads are the paragraphs that can open the message. The others,
	// later, must come after the lead.
	leads, later []string
}

// newThreadCases returns every kind of new thread of c that subject
// leads to: the topic's threads, or the generic thread for a topic outside
// Topics, and the questions to the owning team when ask is set.
func newThreadCases(c *corpus, topic string, ask bool) []newThreadCase {
	if ask {
		return []newThreadCase{{name: "ask", subjects: c.Asks.Subjects, leads: c.Asks.Paragraphs}}
	}
	text, ok := c.Topics[strings.ToLower(topic)]
	if !ok {
		text = c.Generic
	}
	var out []newThreadCase
	for i, th := range text.Threads {
		out = append(out, newThreadCase{
			name:     fmt.Sprintf("thread %d", i),
			subjects: th.Subjects,
			leads:    th.Paragraphs[:1],
			later:    th.Paragraphs[1:],
		})
	}
	return out
}

// matchNewThread returns the case of cases whose subjects match subject
// best, and that subject pattern.
func matchNewThread(cases []newThreadCase, subject string) (newThreadCase, []string, bool) {
	var best newThreadCase
	var bestPat []string
	for _, tc := range cases {
		if p := bestPattern(tc.subjects, subject); p != nil && (bestPat == nil || patternLength(p) > patternLength(bestPat)) {
			best, bestPat = tc, p
		}
	}
	return best, bestPat, bestPat != nil
}

// checkNewThread checks a new thread's content against the kinds of
// thread it can come from. When leadFirst is set, the first paragraph
// after the greeting must contain a paragraph that may open the thread.
func checkNewThread(t *testing.T, cases []newThreadCase, got Content, leadFirst bool) {
	t.Helper()
	tc, pattern, ok := matchNewThread(cases, got.Subject)
	if !ok {
		t.Errorf("subject %q matches no thread", got.Subject)
		return
	}
	body := folded(ownPart(got.Body))
	for _, value := range subjectValues(pattern, got.Subject) {
		if !namesValue(body, value) {
			t.Errorf("%s: subject %q names %q, which the body does not:\n%s", tc.name, got.Subject, value, got.Body)
		}
	}

	lead, identifiable := -1, leadFirst
	for _, p := range tc.leads {
		// A terse sender keeps only the first sentence of the lead, which
		// may have two words in a row outside placeholders and no more.
		first := literalWords(firstSentence(p), 2)
		identifiable = identifiable || first != ""
		for _, words := range []string{literalWords(p, 3), first} {
			if i := strings.Index(body, words); words != "" && i >= 0 && (lead < 0 || i < lead) {
				lead = i
			}
		}
	}
	if lead < 0 && identifiable {
		t.Errorf("%s: no paragraph that can open the thread in:\n%s", tc.name, got.Body)
	}
	if lead < 0 {
		return
	}
	for _, p := range tc.later {
		if words := literalWords(p, 3); words != "" && strings.Contains(body[:lead], words) {
			t.Errorf("%s: later paragraph %q comes before the lead:\n%s", tc.name, p, got.Body)
		}
	}
	if !leadFirst {
		return
	}
	paras := paragraphs(got.Body)
	if len(paras) < 2 {
		t.Errorf("%s: no paragraph after the greeting:\n%s", tc.name, got.Body)
		return
	}
	opens := false
	for _, p := range tc.leads {
		opens = opens || strings.Contains(folded(paras[1]), literalWords(p, 3))
	}
	if !opens {
		t.Errorf("%s: first paragraph %q is not one that can open the thread", tc.name, paras[1])
	}
}

// askingRole returns a job title that does not own topic, so that its
// holder asks about it, or false for topics that every title owns.
func askingRole(topic string) (string, bool) {
	for _, role := range []string{"IT Administrator", "Finance Manager", "Marketing Analyst"} {
		if !roleOwns(role, topic) {
			return role, true
		}
	}
	return "", false
}

// newThreadRequests returns requests for new threads on topic from a
// sender in language, over seeds, in every tone. The sender owns topic,
// or, with ask set, does not and asks about it instead (see askingRole).
func newThreadRequests(language, topic string, ask bool, seeds uint64) []seededRequest {
	sender := newPersona("Ana Souza", "ana.souza@acme-corp.example", persona.Formal, language)
	sender.Role = "Manager"
	if ask {
		sender.Role, _ = askingRole(topic)
	}
	recipient := newPersona("Bruno Lima", "bruno.lima@acme-corp.example", persona.Casual, language)
	var out []seededRequest
	for seed := range seeds {
		s := sender
		s.Tone = []persona.Tone{persona.Formal, persona.Direct, persona.Casual, persona.Technical}[seed%4]
		s.Email = fmt.Sprintf("ana%d@acme-corp.example", seed%7)
		date := time.Date(2026, time.Month(1+seed%12), 3+int(seed%20), 10, 0, 0, 0, time.UTC)
		out = append(out, seededRequest{Request{Sender: s, Recipient: recipient, Topic: topic, Date: date}, seed})
	}
	return out
}

// TestNewThreadOpensWithSubject checks new threads on every topic, on a
// topic outside Topics and as questions about a topic, in every language.
// Each value that the subject names appears in the body, the first
// paragraph after the greeting is one that introduces the thread, and the
// thread's later paragraphs come after it.
func TestNewThreadOpensWithSubject(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	topics := append([]string{"parking permits"}, Topics...)
	for _, language := range languages {
		c := g.corpora[language]
		for _, topic := range topics {
			for _, ask := range []bool{false, true} {
				if _, ok := askingRole(topic); ask && (!ok || topicIndex(topic) < 0) {
					continue
				}
				t.Run(fmt.Sprintf("%s/%s/ask=%v", language, topic, ask), func(t *testing.T) {
					cases := newThreadCases(c, topic, ask)
					for _, req := range newThreadRequests(language, topic, ask, 60) {
						checkNewThread(t, cases, generate(t, g, req.with(nil)), true)
					}
				})
			}
		}
	}
}

// TestNewThreadWithMannerismsNamesSubject checks the same for senders
// with every mannerism, which may cut the text short or put a summary or
// an apology first.
func TestNewThreadWithMannerismsNamesSubject(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, language := range languages {
		c := g.corpora[language]
		for _, topic := range Topics {
			for _, ask := range []bool{false, true} {
				if _, ok := askingRole(topic); ask && !ok {
					continue
				}
				cases := newThreadCases(c, topic, ask)
				for _, req := range newThreadRequests(language, topic, ask, 12) {
					for _, mannerisms := range [][]string{allMannerisms(), {"terse"}} {
						checkNewThread(t, cases, generate(t, g, req.with(mannerisms)), false)
					}
				}
			}
		}
	}
}

// calendarSlots are the placeholders that the composer derives from the
// message date (see addCalendar).
var calendarSlots = []string{"month", "nextmonth", "lastmonth", "quarter", "nextquarter", "lastquarter", "year", "nextyear"}

// TestCorpusThreadAbout checks that every thread of every topic has its
// own about phrases. They may only use placeholders that a reply takes
// from its parent or from its date, since a reply draws any other value
// anew.
func TestCorpusThreadAbout(t *testing.T) {
	for language, c := range corpora(t) {
		for key, text := range c.Topics {
			for i, th := range text.Threads {
				if len(th.About) == 0 {
					t.Errorf("%s/%s thread %d has no about phrases", language, key, i)
				}
				for _, about := range th.About {
					for _, slot := range placeholders(about) {
						if !slices.Contains(factSlots, slot) && !slices.Contains(calendarSlots, slot) {
							t.Errorf("%s/%s thread %d: about %q names {%s}, which a reply would draw anew", language, key, i, about, slot)
						}
					}
					if strings.ContainsAny(about, "[]") {
						t.Errorf("%s/%s thread %d: about %q has alternatives, which TestSummaryNamesThread cannot rebuild", language, key, i, about)
					}
				}
			}
		}
	}
}

// TestParseCorpusRejectsThreads loads the English corpus with one rule
// on threads and questions broken at a time.
func TestParseCorpusRejectsThreads(t *testing.T) {
	travel := func(c map[string]any) map[string]any {
		return c["topics"].(map[string]any)["travel policy"].(map[string]any)["threads"].([]any)[1].(map[string]any)
	}
	asks := func(c map[string]any) map[string]any { return c["asks"].(map[string]any) }
	tests := []struct {
		name  string
		spoil func(c map[string]any)
		want  string
	}{
		{"subject names a fact the lead does not", func(c map[string]any) {
			travel(c)["subjects"] = []any{"Trip to {city} for {client}"}
		}, "names {client}, which the first paragraph does not"},
		{"about names a fact the lead does not", func(c map[string]any) {
			travel(c)["about"] = []any{"the trip with {vendor}", "the trip"}
		}, "names {vendor}, which the first paragraph does not"},
		{"about without a fact-free phrase", func(c map[string]any) {
			travel(c)["about"] = []any{"the {city} trip"}
		}, "want an about without fact slots"},
		{"paragraph reply to the first paragraph", func(c map[string]any) {
			travel(c)["paragraph_replies"] = map[string]any{"0": []any{"Noted."}}
		}, "paragraph_replies key 0 is not a later paragraph"},
		{"paragraph reply to no paragraph", func(c map[string]any) {
			travel(c)["paragraph_replies"] = map[string]any{"7": []any{"Noted."}}
		}, "paragraph_replies key 7 is not a later paragraph"},
		{"question without about", func(c map[string]any) {
			asks(c)["paragraphs"].([]any)[0] = "Is there anything we need to do?"
		}, "does not name {about}"},
		{"question without an answer", func(c map[string]any) {
			delete(asks(c)["paragraph_replies"].(map[string]any), "2")
		}, "has no paragraph_replies entry"},
		{"answer naming a fact", func(c map[string]any) {
			asks(c)["paragraph_replies"].(map[string]any)["1"] = []any{"Ask {vendor}."}
		}, "names a fact"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := corpusFiles.ReadFile("corpus/en.json")
			if err != nil {
				t.Fatalf("reading the English corpus: %v", err)
			}
			var c map[string]any
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatalf("decoding the English corpus: %v", err)
			}
			tt.spoil(c)
			if data, err = json.Marshal(c); err != nil {
				t.Fatalf("encoding the changed corpus: %v", err)
			}
			_, err = parseCorpus(data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseCorpus() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
