package generator

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/persona"
)

func TestRecognizeMannerism(t *testing.T) {
	tests := []struct {
		description string
		want        mannerism
		replyOnly   bool
	}{
		{"uses exclamation marks", mannerismExclamation, false},
		{"Lots of exclamation points!!!", mannerismExclamation, false},
		{"usa muchas exclamaciones", mannerismExclamation, false},
		{"numbered lists", mannerismNumberedList, false},
		{"numbers every action item", mannerismNumberedList, false},
		{"Numbers action items", mannerismNumberedList, false},
		{"bullet points", mannerismBulletList, false},
		{"uses bulleted lists for next steps", mannerismBulletList, false},
		{"mentions ticket numbers", mannerismTicket, false},
		{"references ticket IDs", mannerismTicket, false},
		{"always quotes the JIRA key", mannerismTicket, false},
		{"writes short paragraphs", mannerismShortParagraphs, false},
		{"short paragraphs", mannerismShortParagraphs, false},
		{"lots of line breaks", mannerismShortParagraphs, false},
		{"one-line replies", mannerismBrief, true},
		{"replies in one line", mannerismBrief, true},
		{"short replies", mannerismBrief, true},
		{"terse", mannerismBrief, false},
		{"keeps emails brief", mannerismBrief, false},
		{"gets straight to the point", mannerismBrief, false},
		{"adds a P.S.", mannerismPostscript, false},
		{"often ends with a postscript", mannerismPostscript, false},
		{"PS at the end", mannerismPostscript, false},
		{"signs with initials", mannerismInitials, false},
		{"signs off with her initial", mannerismInitials, false},
		{"no greeting", mannerismNoGreeting, false},
		{"skips greetings", mannerismNoGreeting, false},
		{"never says hello", mannerismNoGreeting, false},
		{"jumps straight in", mannerismNoGreeting, false},
		{"writes in lowercase", mannerismLowercase, false},
		{"never capitalizes anything", mannerismLowercase, false},
		{"opens with a short summary line", mannerismSummary, false},
		{"starts with a one-line summary", mannerismSummary, false},
		{"TL;DR first", mannerismSummary, false},
		{"bottom line up front", mannerismSummary, false},
		{"uses ellipses...", mannerismEllipsis, false},
		{"trails off with dots", mannerismEllipsis, false},
		{"uses emoji", mannerismEmoticon, false},
		{"adds a smiley :)", mannerismEmoticon, false},
		{"apologizes for slow replies", mannerismApology, true},
		{"says sorry for the late answer", mannerismApology, true},
		{"apologizes a lot", mannerismApology, false},
		{"writes from an iPhone", mannerismMobile, false},
		{"often emails from her phone", mannerismMobile, false},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			got := recognizeMannerism(tt.description)
			if !got.ok {
				t.Fatalf("recognizeMannerism(%q) recognized nothing", tt.description)
			}
			if got.kind != tt.want {
				t.Errorf("recognizeMannerism(%q) kind = %d, want %d", tt.description, got.kind, tt.want)
			}
			if got.replyOnly != tt.replyOnly {
				t.Errorf("recognizeMannerism(%q) replyOnly = %v, want %v", tt.description, got.replyOnly, tt.replyOnly)
			}
		})
	}
}

// unknownMannerisms are descriptions the composer does not act on.
var unknownMannerisms = []string{
	"mentions the coffee machine",
	"prefers phone calls",
	"quotes Shakespeare",
	"writes long emails",
	"",
	"   ",
}

func TestRecognizeMannerismUnknown(t *testing.T) {
	for _, description := range unknownMannerisms {
		if got := recognizeMannerism(description); got.ok {
			t.Errorf("recognizeMannerism(%q) = kind %d, want nothing recognized", description, got.kind)
		}
	}
}

// mannerismCase is one recognized mannerism and a check that a message
// shows it, given the same message written without it.
type mannerismCase struct {
	description string
	// reply is set for mannerisms that only show in replies.
	reply bool
	check func(t *testing.T, c *corpus, plain, got string)
}

// ownPart returns body above the quoted parent.
func ownPart(body string) string {
	return strings.Join(ownLines(body), "\n")
}

// paragraphs returns the paragraphs of the sender's own text.
func paragraphs(body string) []string {
	return strings.Split(ownPart(body), "\n\n")
}

// lineStartingWith returns the first line of text that starts with one of
// prefixes, ignoring case, or "".
func lineStartingWith(text string, prefixes []string) string {
	for _, line := range strings.Split(text, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(strings.ToLower(line), strings.ToLower(p)) {
				return line
			}
		}
	}
	return ""
}

// bothRegisters returns the informal and the formal form of tmpl, which
// has no alternatives or placeholders.
func bothRegisters(tmpl string) []string {
	var out []string
	for _, formal := range []bool{false, true} {
		e := newExpander(seeded(1), nil, nil)
		e.formal = formal
		out = append(out, e.expand(tmpl))
	}
	return out
}

// containsAnyForm reports whether text contains a register form of one of
// list, ignoring case, line breaks and the kind of space, such as the
// no-break space that French puts before "!".
func containsAnyForm(text string, list []string) bool {
	text = strings.ToLower(strings.Join(strings.Fields(text), " "))
	for _, tmpl := range list {
		for _, form := range bothRegisters(tmpl) {
			if strings.Contains(text, strings.ToLower(strings.Join(strings.Fields(form), " "))) {
				return true
			}
		}
	}
	return false
}

// allTones returns the entries of lists for every tone, in the order of
// tones.
func allTones(lists toneLists) []string {
	var out []string
	for _, tone := range tones {
		out = append(out, lists[tone]...)
	}
	return out
}

// underListLabel reports whether a line of own that is a list label,
// in any case, is followed by a line that starts with one of markers.
func underListLabel(c *corpus, own string, markers ...string) bool {
	lines := strings.Split(own, "\n")
	for i, line := range lines[:len(lines)-1] {
		isLabel := slices.ContainsFunc(allTones(c.Mannerisms.ListLabels), func(l string) bool { return strings.EqualFold(l, line) })
		if isLabel && lineStartingWith(lines[i+1], markers) != "" {
			return true
		}
	}
	return false
}

var mannerismCases = []mannerismCase{
	{description: "uses exclamation marks", check: func(t *testing.T, c *corpus, plain, got string) {
		m := c.Mannerisms
		if strings.Count(got, m.ExclamationClose) <= strings.Count(plain, m.ExclamationClose) {
			t.Errorf("no %q added:\n%s", m.ExclamationClose, got)
		}
		if m.ExclamationOpen != "" && strings.Count(got, m.ExclamationOpen) <= strings.Count(plain, m.ExclamationOpen) {
			t.Errorf("no %q added:\n%s", m.ExclamationOpen, got)
		}
	}},
	{description: "uses lots of ellipses", check: func(t *testing.T, _ *corpus, plain, got string) {
		if strings.Count(got, "...") <= strings.Count(plain, "...") {
			t.Errorf("no ellipsis added:\n%s", got)
		}
	}},
	{description: "uses emoji", check: func(t *testing.T, _ *corpus, plain, got string) {
		if !strings.Contains(ownPart(got), ":)") && !strings.Contains(ownPart(got), ":-)") {
			t.Errorf("no smiley:\n%s", got)
		}
	}},
	{description: "mentions ticket numbers", check: func(t *testing.T, _ *corpus, plain, got string) {
		if !ticketPattern.MatchString(ownPart(got)) {
			t.Errorf("no ticket id:\n%s", got)
		}
	}},
	{description: "writes short paragraphs", check: func(t *testing.T, _ *corpus, plain, got string) {
		if len(paragraphs(got)) <= len(paragraphs(plain)) {
			t.Errorf("%d paragraphs, want more than the %d without the mannerism:\n%s", len(paragraphs(got)), len(paragraphs(plain)), got)
		}
		if diff := cmp.Diff(strings.Fields(plain), strings.Fields(got)); diff != "" {
			t.Errorf("words changed, not only the breaks (-plain +got):\n%s", diff)
		}
	}},
	{description: "opens with a short summary line", check: func(t *testing.T, c *corpus, plain, got string) {
		paras := paragraphs(got)
		label := lineStartingWith(strings.Join(paras[:min(2, len(paras))], "\n"), allTones(c.Mannerisms.SummaryLabels))
		if label == "" {
			t.Errorf("no summary label of %q in the first two paragraphs:\n%s", allTones(c.Mannerisms.SummaryLabels), got)
		}
	}},
	{description: "numbers every action item", check: func(t *testing.T, c *corpus, plain, got string) {
		if !underListLabel(c, got, "1. ", "1) ") {
			t.Errorf("no item numbered 1 under a list label of %q:\n%s", allTones(c.Mannerisms.ListLabels), got)
		}
		if lineStartingWith(got, []string{"2. ", "2) "}) == "" {
			t.Errorf("no item numbered 2:\n%s", got)
		}
	}},
	{description: "bullet points", check: func(t *testing.T, c *corpus, plain, got string) {
		if !underListLabel(c, got, bulletMarkers...) {
			t.Errorf("no bullet item under a list label of %q:\n%s", allTones(c.Mannerisms.ListLabels), got)
		}
		if n := len(regexp.MustCompile(`(?m)^[-*•] \S`).FindAllString(got, -1)); n < 2 {
			t.Errorf("%d bullet items, want at least 2:\n%s", n, got)
		}
	}},
	{description: "terse", check: func(t *testing.T, c *corpus, plain, got string) {
		if len(ownPart(got)) >= len(ownPart(plain)) {
			t.Errorf("message is not shorter than without the mannerism:\n%s", got)
		}
		if n := len(paragraphs(got)); n > 3 {
			t.Errorf("%d paragraphs, want at most greeting, text and sign-off:\n%s", n, got)
		}
	}},
	{description: "one-line replies", reply: true, check: func(t *testing.T, c *corpus, plain, got string) {
		if !containsAnyForm(ownPart(got), allTones(c.Mannerisms.ShortReplies)) {
			t.Errorf("reply has none of the short replies:\n%s", got)
		}
		if n := len(paragraphs(got)); n > 3 {
			t.Errorf("%d paragraphs, want at most greeting, reply and sign-off:\n%s", n, got)
		}
	}},
	{description: "apologizes a lot", check: func(t *testing.T, c *corpus, plain, got string) {
		if !containsAnyForm(ownPart(got), slices.Concat(allTones(c.Mannerisms.Apologies), allTones(c.Mannerisms.ReplyApologies))) {
			t.Errorf("no apology:\n%s", got)
		}
	}},
	{description: "apologizes for slow replies", reply: true, check: func(t *testing.T, c *corpus, plain, got string) {
		if !containsAnyForm(ownPart(got), allTones(c.Mannerisms.ReplyApologies)) {
			t.Errorf("no apology for the delay:\n%s", got)
		}
	}},
	{description: "skips greetings", check: func(t *testing.T, _ *corpus, plain, got string) {
		_, rest, _ := strings.Cut(plain, "\n\n")
		if !strings.EqualFold(got, rest) {
			t.Errorf("message is not the one without its greeting:\nwithout the mannerism:\n%s\nwith it:\n%s", plain, got)
		}
	}},
	{description: "writes in lowercase", check: func(t *testing.T, c *corpus, plain, got string) {
		if got == plain {
			t.Errorf("no letter changed case:\n%s", got)
		}
		if !strings.EqualFold(got, plain) {
			t.Errorf("message differs from the one without the mannerism in more than case:\n%s", got)
		}
		capitalized := regexp.MustCompile(`^\p{Lu}\p{Ll}+$`)
		for _, word := range strings.FieldsFunc(paragraphs(got)[0], func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if capitalized.MatchString(word) && !slices.Contains(c.keepCapitals, word) {
				t.Errorf("first paragraph keeps the capital of %q:\n%s", word, got)
			}
		}
	}},
	{description: "signs with initials", check: func(t *testing.T, _ *corpus, plain, got string) {
		forms := []string{"AS", "A.S.", "A"}
		lines := ownLines(got)
		if !slices.ContainsFunc(lines, func(l string) bool { return slices.Contains(forms, l) }) {
			t.Errorf("no line with the initials %q:\n%s", forms, got)
		}
	}},
	{description: "adds a P.S.", check: func(t *testing.T, c *corpus, plain, got string) {
		all := allTones(c.Mannerisms.PostscriptLabels)
		labels := make([]string, len(all))
		for i, l := range all {
			labels[i] = l + " "
		}
		paras := paragraphs(got)
		if last := paras[len(paras)-1]; lineStartingWith(last, labels) != last[:strings.IndexByte(last+"\n", '\n')] {
			t.Errorf("last paragraph %q does not start with a P.S. label of %q:\n%s", last, labels, got)
		}
	}},
	{description: "writes from an iPhone", check: func(t *testing.T, c *corpus, plain, got string) {
		lines := ownLines(got)
		if last := lines[len(lines)-1]; !slices.Contains(c.Mannerisms.MobileFooters, last) {
			t.Errorf("last line %q is none of the mobile footers %q:\n%s", last, c.Mannerisms.MobileFooters, got)
		}
	}},
}

// seededRequest is a request and the seed of its Rand, so that it can be
// written more than once.
type seededRequest struct {
	Request
	seed uint64
}

// with returns the request with a fresh Rand and the sender's mannerisms
// set to mannerisms.
func (s seededRequest) with(mannerisms []string) Request {
	req := s.Request
	req.Sender.Mannerisms = mannerisms
	req.Rand = seeded(s.seed)
	return req
}

// mannerismRequests returns requests for new threads and replies from a
// sender in language, over many seeds, topics and tones.
func mannerismRequests(language string, seeds uint64) []seededRequest {
	sender := newPersona("Ana Souza", "ana.souza@acme-corp.example", persona.Formal, language)
	sender.Role = "Finance Manager"
	recipient := newPersona("Bruno Lima", "bruno.lima@acme-corp.example", persona.Casual, language)
	date := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	var out []seededRequest
	for seed := range seeds {
		tone := []persona.Tone{persona.Formal, persona.Direct, persona.Casual, persona.Technical}[seed%4]
		s := sender
		s.Tone = tone
		s.Email = fmt.Sprintf("ana%d@acme-corp.example", seed)
		topic := Topics[seed%uint64(len(Topics))]
		out = append(out, seededRequest{Request{Sender: s, Recipient: recipient, Topic: topic, Date: date}, seed})
		parent := &Parent{
			Subject:  "Re: " + TopicSubject(topic, language),
			Body:     "Hi,\n\nA few notes on this. Let me know what you think.\n\nBruno",
			FromName: recipient.Name,
			Date:     date.Add(-time.Hour),
		}
		out = append(out, seededRequest{Request{Sender: s, Recipient: recipient, Topic: topic, Parent: parent, Date: date}, seed})
	}
	return out
}

// TestMannerismShown writes each message with and without one mannerism,
// from the same seed, in every language. The mannerism is drawn last, so
// the two messages differ only by what it changes. Content.Mannerisms
// must list it exactly when the message shows it.
func TestMannerismShown(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, tt := range mannerismCases {
		for _, language := range languages {
			t.Run(tt.description+"/"+language, func(t *testing.T) {
				c := g.corpora[language]
				applied, total := 0, 0
				for _, req := range mannerismRequests(language, 24) {
					if tt.reply && req.Parent == nil {
						continue
					}
					total++
					plain := generate(t, g, req.with(nil))
					got := generate(t, g, req.with([]string{tt.description}))
					if len(got.Mannerisms) == 0 {
						if diff := cmp.Diff(plain, got); diff != "" {
							t.Errorf("Mannerisms is empty, but the message changed (-without +with):\n%s", diff)
						}
						continue
					}
					applied++
					if diff := cmp.Diff([]string{tt.description}, got.Mannerisms); diff != "" {
						t.Errorf("Content.Mannerisms (-want +got):\n%s", diff)
					}
					if got.Subject != plain.Subject {
						t.Errorf("subject changed from %q to %q", plain.Subject, got.Subject)
					}
					tt.check(t, c, plain.Body, got.Body)
				}
				if applied < total/2 {
					t.Errorf("mannerism shown in %d of %d messages, want at least half", applied, total)
				}
			})
		}
	}
}

func TestMannerismReplyOnlySkippedInNewThread(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, req := range mannerismRequests("en", 12) {
		if req.Parent != nil {
			continue
		}
		got := generate(t, g, req.with([]string{"one-line replies", "apologizes for slow replies"}))
		if len(got.Mannerisms) != 0 {
			t.Errorf("new thread shows reply-only mannerisms %q:\n%s", got.Mannerisms, got.Body)
		}
	}
}

func TestMannerismUnknownIgnored(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, language := range languages {
		for _, req := range mannerismRequests(language, 12) {
			plain := generate(t, g, req.with(nil))
			got := generate(t, g, req.with(unknownMannerisms))
			if diff := cmp.Diff(plain, got); diff != "" {
				t.Errorf("%s: unknown mannerisms changed the message (-without +with):\n%s", language, diff)
			}
		}
	}
}

// allMannerisms returns one description of each recognized mannerism,
// two for those with a reply-only wording, and a few unknown ones.
func allMannerisms() []string {
	var out []string
	for _, tt := range mannerismCases {
		out = append(out, tt.description)
	}
	return append(out, unknownMannerisms[:3]...)
}

// TestMannerismsListed checks, for a sender with every mannerism, that a
// message lists one or two recognized ones that do not conflict, and that
// the mannerisms whose marks a test can detect show exactly when listed.
func TestMannerismsListed(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	// marks reports whether a message shows a mannerism by a mark that no
	// message without it has.
	marks := map[string]func(c *corpus, own string) bool{
		"mentions ticket numbers": func(_ *corpus, own string) bool { return ticketPattern.MatchString(own) },
		"opens with a short summary line": func(c *corpus, own string) bool {
			return lineStartingWith(own, allTones(c.Mannerisms.SummaryLabels)) != ""
		},
		"numbers every action item": func(c *corpus, own string) bool {
			return underListLabel(c, own, "1. ", "1) ")
		},
		"bullet points": func(c *corpus, own string) bool { return underListLabel(c, own, bulletMarkers...) },
		"writes from an iPhone": func(c *corpus, own string) bool {
			return lineStartingWith(own, c.Mannerisms.MobileFooters) != ""
		},
		"adds a P.S.": func(c *corpus, own string) bool {
			return lineStartingWith(own, allTones(c.Mannerisms.PostscriptLabels)) != ""
		},
	}
	all := allMannerisms()
	counts := make(map[string]int)
	for _, language := range languages {
		c := g.corpora[language]
		for _, req := range mannerismRequests(language, 60) {
			got := generate(t, g, req.with(all))
			if n := len(got.Mannerisms); n < 1 || n > 2 {
				t.Errorf("%d mannerisms listed, want 1 or 2: %q", n, got.Mannerisms)
			}
			var kinds []mannerism
			for _, m := range got.Mannerisms {
				counts[m]++
				r := recognizeMannerism(m)
				if !r.ok {
					t.Errorf("listed mannerism %q is not a recognized one", m)
				}
				for _, k := range kinds {
					if conflicts(k, r.kind) {
						t.Errorf("listed mannerisms %q conflict", got.Mannerisms)
					}
				}
				kinds = append(kinds, r.kind)
			}
			own := ownPart(got.Body)
			for description, shows := range marks {
				if listed := slices.Contains(got.Mannerisms, description); shows(c, own) != listed {
					t.Errorf("%s: %q listed = %v, but shown = %v:\n%s", language, description, listed, !listed, got.Body)
				}
			}
		}
	}
	// Of two descriptions of one mannerism, only the first in the list is
	// used, so the message does not show it twice.
	var seen []mannerism
	for _, description := range all {
		r := recognizeMannerism(description)
		if !r.ok {
			continue
		}
		switch {
		case slices.Contains(seen, r.kind) && counts[description] > 0:
			t.Errorf("%q chosen, but an earlier description names the same mannerism", description)
		case !slices.Contains(seen, r.kind) && counts[description] == 0:
			t.Errorf("%q never chosen in %d messages", description, 2*60*len(languages))
		}
		seen = append(seen, r.kind)
	}
}

// TestMannerismsKeepTextClean checks messages from senders with every
// mannerism: no template syntax, dashes or double spaces, the register of
// the tone, thanks at most twice and not in a row, the signature verbatim,
// the quoted parent intact, and a message that Encode accepts.
func TestMannerismsKeepTextClean(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	signature := "Ana Souza\nFinance | Acme Corp"
	for _, language := range languages {
		t.Run(language, func(t *testing.T) {
			c := g.corpora[language]
			for i, sr := range mannerismRequests(language, 200) {
				req := sr.with(allMannerisms())
				if i%3 == 0 {
					req.Sender.Signature = signature
				}
				got := generate(t, g, req)
				checkText(t, "subject", got.Subject)
				for _, line := range ownLines(got.Body) {
					checkText(t, "body line", line)
				}
				encodable(t, req, got)

				own := ownPart(got.Body)
				if wrong := wrongRegister(c, req, own); wrong != "" {
					t.Errorf("register formal=%v, but the message says %q:\n%s", c.Tones[toneKey(req.Sender.Tone)].Register == "formal", wrong, got.Body)
				}
				if n := len(thanksWords.FindAllString(own, -1)); n > maxThanks {
					t.Errorf("message thanks %d times, want at most %d:\n%s", n, maxThanks, own)
				}
				if thanksInARow(own) {
					t.Errorf("two sentences in a row thank:\n%s", own)
				}
				if req.Sender.Signature != "" && !strings.Contains(got.Body, "\n"+signature+"\n") {
					t.Errorf("signature %q not kept verbatim:\n%s", signature, got.Body)
				}
				if req.Parent != nil && strings.Contains(got.Body, "\n> ") && !strings.Contains(got.Body, "\n> A few notes on this. Let me know what you think.\n") {
					t.Errorf("quoted parent changed:\n%s", got.Body)
				}
			}
		})
	}
}

// thanksInARow reports whether two sentences in a row of text thank.
func thanksInARow(text string) bool {
	previous := false
	for _, sentence := range splitSentences.Split(text, -1) {
		thanks := thanksWords.MatchString(sentence)
		if thanks && previous {
			return true
		}
		if strings.TrimSpace(sentence) != "" {
			previous = thanks
		}
	}
	return false
}

// wrongRegister returns a word of own in the register that the sender's
// tone does not use, or "". A reply whose parent shows no register uses
// the tone's.
func wrongRegister(c *corpus, req Request, own string) string {
	formal := c.Tones[toneKey(req.Sender.Tone)].Register == "formal"
	wrong := formalYou[c.Language]
	if formal {
		wrong = informalYou[c.Language]
	}
	if wrong == nil {
		return ""
	}
	if c.Language != "de" {
		own = strings.ToLower(own)
	}
	return wrong.FindString(own)
}

func TestMannerismsDeterministic(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, language := range languages {
		for _, req := range mannerismRequests(language, 8) {
			first := generate(t, g, req.with(allMannerisms()))
			second := generate(t, g, req.with(allMannerisms()))
			if diff := cmp.Diff(first, second); diff != "" {
				t.Errorf("same seed gave different content (-first +second):\n%s", diff)
			}
		}
	}
}

func TestTicketStableInThread(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	ticketed := func(p persona.Persona) persona.Persona {
		p.Mannerisms = []string{"mentions ticket numbers"}
		return p
	}
	for _, language := range languages {
		a := ticketed(newPersona("Ana Souza", "ana@acme.example", persona.Technical, language))
		b := ticketed(newPersona("Bruno Lima", "bruno@acme.example", persona.Casual, language))
		plainB := newPersona("Bruno Lima", "bruno@acme.example", persona.Casual, language)
		for seed := range uint64(10) {
			topic := Topics[seed]
			root := generate(t, g, Request{Sender: a, Recipient: b, Topic: topic, Rand: seeded(seed)})
			id := ticketPattern.FindString(root.Body)
			if id == "" {
				t.Fatalf("%s: root names no ticket:\n%s", language, root.Body)
			}
			// The other side names the parent's ticket.
			parent := &Parent{Subject: root.Subject, Body: root.Body, FromName: a.Name, Date: time.Now()}
			reply := generate(t, g, Request{Sender: b, Recipient: a, Topic: topic, Parent: parent, Rand: seeded(seed)})
			if got := ticketPattern.FindString(ownPart(reply.Body)); got != id {
				t.Errorf("%s: reply names ticket %q, want the root's %q:\n%s", language, got, id, reply.Body)
			}
			// A reply to a parent that names no ticket finds the same one
			// from the thread's subject.
			plainRoot := generate(t, g, Request{Sender: plainB, Recipient: a, Topic: topic, Rand: seeded(seed)})
			parent = &Parent{Subject: "Re: " + plainRoot.Subject, Body: plainRoot.Body, FromName: b.Name, Date: time.Now()}
			first := generate(t, g, Request{Sender: a, Recipient: b, Topic: topic, Parent: parent, Rand: seeded(seed)})
			second := generate(t, g, Request{Sender: a, Recipient: b, Topic: topic, Parent: parent, Rand: seeded(seed + 1)})
			if x, y := ticketPattern.FindString(first.Body), ticketPattern.FindString(second.Body); x == "" || x != y {
				t.Errorf("%s: replies in one thread name tickets %q and %q", language, x, y)
			}
		}
	}
}

func TestTicketPatternSkipsOtherNumbers(t *testing.T) {
	for _, text := range []string{"INV-12345", "FAC-12345", "PO-12345", "RE-48213", "OC-55555", "FIN-12345", "CHG004123"} {
		if m := ticketPattern.FindString(text); m != "" {
			t.Errorf("ticketPattern matches %q in %q", m, text)
		}
	}
	for _, text := range []string{"see FIN-4821.", "(CHG0041234)", "REQ-1000"} {
		if m := ticketPattern.FindString(text); m == "" {
			t.Errorf("ticketPattern does not match %q", text)
		}
	}
}

func TestSentenceSpans(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"two", "The numbers are in. Please check them.", []string{"The numbers are in.", "Please check them."}},
		{"question and exclamation", "Can you check? Thanks!", []string{"Can you check?", "Thanks!"}},
		{"ellipsis", "So, about the move... The boxes arrive Monday.", []string{"So, about the move...", "The boxes arrive Monday."}},
		{"lower case after dot", "Spend vs. plan is fine.", []string{"Spend vs. plan is fine."}},
		{"abbreviation", "Call me on Ext. 4127 today.", []string{"Call me on Ext. 4127 today."}},
		{"spanish initials", "Pido a RR. HH. que organice las entrevistas. Gracias.", []string{"Pido a RR. HH. que organice las entrevistas.", "Gracias."}},
		{"spanish question", "Está listo. ¿Lo revisas?", []string{"Está listo.", "¿Lo revisas?"}},
		{"german ordinal", "Die Richtlinie gilt ab dem 1. Juli. Bitte beachten.", []string{"Die Richtlinie gilt ab dem 1. Juli.", "Bitte beachten."}},
		{"french space before mark", "C'est prêt\u00a0! Tu regardes\u00a0?", []string{"C'est prêt\u00a0!", "Tu regardes\u00a0?"}},
		{"no final mark", "Noted", []string{"Noted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, sentencesOf(tt.text)); diff != "" {
				t.Errorf("sentencesOf(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestCorpusLowercase(t *testing.T) {
	c := corpora(t)
	tests := []struct {
		language, text, want string
	}{
		{"en", "Hi Bruno, I'll send the Q3 ERP numbers to Kestrel Software.", "hi bruno, i'll send the Q3 ERP numbers to kestrel software."},
		{"en", "See FIN-4821. P.S. Thanks!", "see FIN-4821. p.s. thanks!"},
		{"de", "Hallo Bruno, können Sie mir Ihre Zahlen schicken? Sie fehlen noch.", "hallo bruno, können Sie mir Ihre zahlen schicken? Sie fehlen noch."},
		{"es", "¿Podría usted confirmar? Usted decide.", "¿podría usted confirmar? usted decide."},
		{"fr", "Écart sur la facture\u00a0: Merci.", "écart sur la facture\u00a0: merci."},
	}
	for _, tt := range tests {
		t.Run(tt.language+"/"+tt.text, func(t *testing.T) {
			if got := c[tt.language].lowercase(tt.text); got != tt.want {
				t.Errorf("lowercase(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestInitials(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	tests := []struct {
		name  string
		forms []string
	}{
		{"Ana Souza", []string{"AS", "A.S.", "A"}},
		{"Dr. José Núñez", []string{"JN", "J.N.", "J"}},
		{"Émilie du Pont", []string{"ÉP", "É.P.", "É"}},
		{"Cher", []string{"C"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := make(map[string]bool)
			for i := range 30 {
				sender := newPersona(tt.name, fmt.Sprintf("p%d@acme.example", i), persona.Formal, "en")
				w := newComposer(g.corpora["en"], Request{Sender: sender, Recipient: bruno, Rand: seeded(1)})
				got := w.initials()
				if !slices.Contains(tt.forms, got) {
					t.Fatalf("initials() = %q, want one of %q", got, tt.forms)
				}
				seen[got] = true
			}
			if len(seen) != len(tt.forms) {
				t.Errorf("initials forms across senders = %v, want all of %q", seen, tt.forms)
			}
		})
	}
}

func BenchmarkTemplateGenerateMannerisms(b *testing.B) {
	g := NewTemplate(zap.NewNop())
	r := seeded(1)
	sender := ana
	sender.Mannerisms = []string{"opens with a short summary line", "numbers every action item", "mentions ticket numbers", "adds a P.S."}
	parent := &Parent{Subject: "Budget review", Body: "Hi,\n\nNumbers attached.\n\nAna", FromName: "Ana Souza", Date: time.Now()}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		req := Request{Sender: sender, Recipient: bruno, Topic: RandomTopic(r), Rand: r}
		if i%2 == 1 {
			req.Parent = parent
		}
		if _, err := g.Generate(b.Context(), req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
