package generator

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// mannerism is a writing habit that the composer can show in a message.
// Persona mannerisms are free text, and recognizeMannerism maps the common
// ones to these.
type mannerism uint8

// The mannerisms, in the order they are applied to a message. The ones
// that cut or extend the text on the topic come first. Changed sentence
// endings come next, so that they fall on that text and not on a summary
// or a list added later. Lower case is applied last, when the text is
// rendered.
const (
	mannerismBrief mannerism = iota
	mannerismApology
	mannerismTicket
	mannerismExclamation
	mannerismEllipsis
	mannerismEmoticon
	mannerismShortParagraphs
	mannerismSummary
	mannerismNumberedList
	mannerismBulletList
	mannerismNoGreeting
	mannerismLowercase
	mannerismInitials
	mannerismPostscript
	mannerismMobile
)

// mannerismConflicts lists the pairs of mannerisms that no message shows
// together, because one undoes the other or the two read as too much for
// one short email.
var mannerismConflicts = [][2]mannerism{
	{mannerismBrief, mannerismShortParagraphs},
	{mannerismBrief, mannerismSummary},
	{mannerismBrief, mannerismNumberedList},
	{mannerismBrief, mannerismBulletList},
	{mannerismBrief, mannerismPostscript},
	{mannerismNumberedList, mannerismBulletList},
	{mannerismExclamation, mannerismEllipsis},
}

func conflicts(a, b mannerism) bool {
	return slices.Contains(mannerismConflicts, [2]mannerism{a, b}) ||
		slices.Contains(mannerismConflicts, [2]mannerism{b, a})
}

// mannerismRule recognizes a mannerism in an operator's description of
// one. The description matches when, normalized by normalizeMannerism, it
// contains one of anyOf and, if alsoOf is set, one of alsoOf as well.
type mannerismRule struct {
	kind          mannerism
	anyOf, alsoOf []string
	// replyOnly is set for descriptions that apply to replies only, such
	// as "one-line replies".
	replyOnly bool
}

// mannerismRules are tried in order and the first that matches wins, so
// "mentions ticket numbers" is a ticket habit, not a numbered list. The
// phrases are English, as most descriptions are, with a few stems in the
// other corpus languages.
var mannerismRules = []mannerismRule{
	{kind: mannerismTicket, anyOf: []string{"ticket", "jira", "servicenow", "issue number", "issue id",
		"case number", "case id", "incident number", "tracker", "chamado"}},
	{kind: mannerismPostscript, anyOf: []string{"p.s", " ps ", " ps:", " ps.", "postscript", "post script",
		"p.d.", " pd:", "posdata"}},
	{kind: mannerismSummary, anyOf: []string{"summar", "tl;dr", "tldr", " tl dr ", "bluf", "bottom line up front",
		"bottom line first", "resumen", "resumo", "résumé", "zusammenfass"}},
	{kind: mannerismShortParagraphs,
		anyOf:  []string{"paragraph", "párrafo", "parágrafo", "absatz", "absätze"},
		alsoOf: []string{"short", "small", "brief", "tiny", "one sentence", "single sentence", "two sentence", "cort", "curt", "court", "kurz"}},
	{kind: mannerismShortParagraphs, anyOf: []string{"line breaks", "linebreaks", "white space", "whitespace"}},
	{kind: mannerismNumberedList, anyOf: []string{"numbered", "enumerat", "numerad", "numérot", "nummerier"}},
	{kind: mannerismNumberedList,
		anyOf:  []string{"number"},
		alsoOf: []string{"list", "item", "point", "step", "action", "task", "to do", "todo"}},
	{kind: mannerismBulletList, anyOf: []string{"bullet", "dot point", "viñeta", "puces", "aufzählung", " list ", " lists "}},
	{kind: mannerismBrief, replyOnly: true, anyOf: []string{"one line repl", "one liner", "oneliner",
		"single line repl", "one line answer", "one line response"}},
	{kind: mannerismBrief, replyOnly: true,
		anyOf:  []string{"repl", "answer", "respon"},
		alsoOf: []string{"short", "brief", "terse", "curt", "one line", "minimal", "one word"}},
	{kind: mannerismBrief, anyOf: []string{"terse", "brief", "concise", "succinct", "laconic", "curt", "to the point",
		"few words", "keeps it short", "keeps things short", "short email", "short mail", "short message", "short note", "one line"}},
	{kind: mannerismNoGreeting,
		anyOf:  []string{"greet", "salutation", " hello", " hi ", " hey "},
		alsoOf: []string{" no ", "never", "skip", "without", "omit", "drop", "doesn t", "does not", "don t", "rarely", "forget", "leaves out"}},
	{kind: mannerismNoGreeting, anyOf: []string{"straight in", "straight into", "right in ", "dives in", "jumps in"}},
	{kind: mannerismLowercase, anyOf: []string{"lowercase", "lower case", "no capital", "never capital", "without capital",
		"doesn t capital", "does not capital", "don t capital", "no caps", "small letters", "minúscula", "minuscule",
		"kleinschreib", "kleinbuchstaben"}},
	{kind: mannerismInitials, anyOf: []string{"initials", "iniciales", "iniciais", "initiales", "initialen"}},
	{kind: mannerismInitials, anyOf: []string{"sign"}, alsoOf: []string{"initial"}},
	{kind: mannerismEllipsis, anyOf: []string{"ellips", "...", "…", "trailing dots", "dot dot dot", "trails off",
		"suspensivos", "reticências", "points de suspension", "auslassungspunkte"}},
	{kind: mannerismExclamation, anyOf: []string{"exclam", "!", "ausrufezeichen", "enthusias", "upbeat"}},
	{kind: mannerismEmoticon, anyOf: []string{"emoji", "emoticon", "smiley", ":)", ": )", ";)", "smile"}},
	{kind: mannerismApology, replyOnly: true,
		anyOf:  []string{"apolog", "sorry", "excuse", "disculp", "desculp", "entschuldig"},
		alsoOf: []string{"repl", "respon", "answer", "late", "slow", "delay", "getting back", "tard", "demora", "retard", "spät"}},
	{kind: mannerismApology, anyOf: []string{"apolog", "sorry", "excuse", "disculp", "desculp", "entschuldig"}},
	{kind: mannerismMobile, anyOf: []string{"iphone", "android", "blackberry", "smartphone", "from phone", "from my phone",
		"from his phone", "from her phone", "from their phone", "from a phone", "on my phone", "on his phone",
		"on her phone", "on their phone", "on a phone", "from mobile", "on mobile", "mobile device", "sent from",
		"on the go", "celular", "móvil"}},
}

// recognized is the result of recognizeMannerism.
type recognized struct {
	kind      mannerism
	replyOnly bool
	ok        bool
}

// recognizedCache holds recognizeMannerism results by description, because
// a persona list repeats the same few descriptions in every message. It
// grows by one entry per distinct description, and persona lists allow
// at most 12 per persona.
var recognizedCache sync.Map

// recognizeMannerism returns the mannerism that description names, with
// ok false when it names none that the composer can show.
func recognizeMannerism(description string) recognized {
	if v, ok := recognizedCache.Load(description); ok {
		return v.(recognized)
	}
	res := matchMannerism(normalizeMannerism(description))
	recognizedCache.Store(description, res)
	return res
}

func matchMannerism(text string) recognized {
	for _, rule := range mannerismRules {
		if containsAny(text, rule.anyOf) && (rule.alsoOf == nil || containsAny(text, rule.alsoOf)) {
			return recognized{kind: rule.kind, replyOnly: rule.replyOnly, ok: true}
		}
	}
	return recognized{}
}

func containsAny(text string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(text, p) {
			return true
		}
	}
	return false
}

// normalizeMannerism returns description in lower case with a space at
// each end, white space collapsed, and punctuation turned into spaces
// except the marks that rules look for: ". ; : ! ) …".
func normalizeMannerism(description string) string {
	var b strings.Builder
	b.WriteByte(' ')
	space := true
	for _, r := range strings.ToLower(description) {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(".;:!)…", r) {
			r = ' '
		}
		if r == ' ' && space {
			continue
		}
		space = r == ' '
		b.WriteRune(r)
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}

// candidateMannerism is a recognized mannerism of the sender.
type candidateMannerism struct {
	kind mannerism
	// index is the position of its description in the persona's list.
	index int
}

// applyMannerisms shows one or two of the sender's recognized mannerisms
// in d, chosen at random among those that fit the message, and records
// their descriptions in w.applied. Descriptions it does not recognize are
// skipped. It draws nothing from req.Rand when the sender has no
// mannerism that fits. subject is the message's subject.
func (w *composer) applyMannerisms(d *draft, subject string) {
	candidates := w.candidateMannerisms(d)
	if len(candidates) == 0 {
		return
	}
	r := w.req.Rand
	want := 1
	if len(candidates) > 1 && r.IntN(2) == 0 {
		want = 2
	}
	var chosen []candidateMannerism
	for _, i := range r.Perm(len(candidates)) {
		c := candidates[i]
		if !slices.ContainsFunc(chosen, func(o candidateMannerism) bool { return conflicts(o.kind, c.kind) }) {
			chosen = append(chosen, c)
		}
		if len(chosen) == want {
			break
		}
	}

	slices.SortFunc(chosen, func(a, b candidateMannerism) int { return int(a.kind) - int(b.kind) })
	var applied []int
	for _, c := range chosen {
		if w.applyMannerism(c.kind, d, subject) {
			applied = append(applied, c.index)
		}
	}
	slices.Sort(applied)
	for _, i := range applied {
		w.applied = append(w.applied, w.req.Sender.Mannerisms[i])
	}
}

// candidateMannerisms returns the sender's recognized mannerisms that can
// show in d, one per kind, in the order of the persona's list.
func (w *composer) candidateMannerisms(d *draft) []candidateMannerism {
	var out []candidateMannerism
	for i, description := range w.req.Sender.Mannerisms {
		m := recognizeMannerism(description)
		if !m.ok || m.replyOnly && w.req.Parent == nil {
			continue
		}
		if slices.ContainsFunc(out, func(c candidateMannerism) bool { return c.kind == m.kind }) {
			continue
		}
		if w.mannerismFits(m.kind, d) {
			out = append(out, candidateMannerism{kind: m.kind, index: i})
		}
	}
	return out
}

// mannerismFits reports whether kind can show in d. The checks are the
// ones that do not depend on other mannerisms of the same message.
func (w *composer) mannerismFits(kind mannerism, d *draft) bool {
	switch kind {
	case mannerismNoGreeting:
		return w.greeted
	case mannerismInitials:
		return !startsWithSignoff(w.req.Sender.Signature)
	case mannerismShortParagraphs:
		_, ok := w.shortParagraphs(d.paras)
		return ok
	case mannerismExclamation, mannerismEllipsis:
		return len(w.plainSentences(d.paras)) > 0
	}
	return true
}

// applyMannerism shows kind in d and reports whether the text changed.
func (w *composer) applyMannerism(kind mannerism, d *draft, subject string) bool {
	switch kind {
	case mannerismBrief:
		return w.applyBrief(d)
	case mannerismApology:
		return w.applyApology(d)
	case mannerismExclamation:
		return w.applyEndings(d, w.exclaim)
	case mannerismEllipsis:
		return w.applyEndings(d, trailOff)
	case mannerismEmoticon:
		return w.applyEmoticon(d)
	case mannerismTicket:
		return w.applyTicket(d, subject)
	case mannerismShortParagraphs:
		paras, ok := w.shortParagraphs(d.paras)
		d.paras = paras
		return ok
	case mannerismSummary:
		return w.applySummary(d)
	case mannerismNumberedList, mannerismBulletList:
		return w.applyList(d, kind == mannerismNumberedList)
	case mannerismNoGreeting:
		return w.applyNoGreeting(d)
	case mannerismLowercase:
		d.lowercase = w.hasCapitals(d)
		return d.lowercase
	case mannerismInitials:
		return w.applyInitials(d)
	case mannerismPostscript:
		return w.applyPostscript(d)
	case mannerismMobile:
		return w.applyMobileFooter(d)
	}
	return false
}

// hasCapitals reports whether writing d in lower case changes it.
func (w *composer) hasCapitals(d *draft) bool {
	for _, p := range slices.Concat(d.paras, []string{d.signoff}) {
		if p = capitalize(p); w.c.lowercase(p) != p {
			return true
		}
	}
	return false
}

// mannerismText is the wording that mannerisms add to a message, in the
// corpus language. Labels carry their own punctuation, such as "P.S." or
// "Resumen:". Entries that can follow a greeting directly (summaries,
// short replies and apologies) are written as openers are, so in German
// they start in lower case.
//
// Wording that shows a register comes in a toneLists, one list per tone,
// so that a formal sender writes "Summary:" where a casual one writes
// "TL;DR:".
type mannerismText struct {
	// ExclamationOpen and ExclamationClose enclose an exclamation, such
	// as Spanish "¡" and "!", or "" and French "\u00a0!".
	ExclamationOpen  string    `json:"exclamation_open"`
	ExclamationClose string    `json:"exclamation_close"`
	SummaryLabels    toneLists `json:"summary_labels"`
	// Summaries name what a new thread is about through {about}.
	Summaries      toneLists `json:"summaries"`
	ReplySummaries toneLists `json:"reply_summaries"`
	ListLabels     toneLists `json:"list_labels"`
	// ActionItems are list entries that fit any topic, without final
	// punctuation.
	ActionItems toneLists `json:"action_items"`
	// Tickets and ReplyTickets name a tracker ticket through {ticket}.
	Tickets          []string  `json:"tickets"`
	ReplyTickets     []string  `json:"reply_tickets"`
	PostscriptLabels toneLists `json:"postscript_labels"`
	Postscripts      []string  `json:"postscripts"`
	// ShortReplies are whole replies of one line. They name no fact, so
	// they cannot contradict the parent.
	ShortReplies   toneLists `json:"short_replies"`
	Apologies      toneLists `json:"apologies"`
	ReplyApologies toneLists `json:"reply_apologies"`
	// MobileFooters are the lines that mail apps on phones add below the
	// signature.
	MobileFooters []string `json:"mobile_footers"`
}

// toneLists contains one list of wording for each of tones, keyed by tone.
type toneLists map[string][]string

// minActionItems is the fewest action items a corpus has, so that a list
// has two or three different entries.
const minActionItems = 3

// check reports the first list of m that is missing or empty, and any
// ticket sentence that does not name the ticket.
func (m *mannerismText) check() error {
	for field, lists := range m.toneLists() {
		for key := range lists {
			if !slices.Contains(tones, key) {
				return fmt.Errorf("%s: unknown tone %q", field, key)
			}
		}
	}
	for field, list := range m.lists() {
		if len(list) == 0 {
			return fmt.Errorf("no %s", field)
		}
	}
	if !strings.HasSuffix(m.ExclamationClose, "!") {
		return fmt.Errorf("exclamation_close %q does not end with \"!\"", m.ExclamationClose)
	}
	for _, tone := range tones {
		if items := m.ActionItems[tone]; len(items) < minActionItems {
			return fmt.Errorf("%d action_items for tone %q, want at least %d", len(items), tone, minActionItems)
		}
	}
	for _, s := range slices.Concat(m.Tickets, m.ReplyTickets) {
		if !strings.Contains(s, "{ticket}") {
			return fmt.Errorf("ticket sentence %q does not contain {ticket}", s)
		}
	}
	for _, items := range m.ActionItems {
		if slices.ContainsFunc(items, func(s string) bool { return strings.ContainsAny(s, ".!?") }) {
			return errors.New("action_items must not end sentences")
		}
	}
	return nil
}

// toneLists returns the fields of m that contain a list per tone, by JSON
// name.
func (m *mannerismText) toneLists() map[string]toneLists {
	return map[string]toneLists{
		"summary_labels": m.SummaryLabels, "summaries": m.Summaries, "reply_summaries": m.ReplySummaries,
		"list_labels": m.ListLabels, "action_items": m.ActionItems, "postscript_labels": m.PostscriptLabels,
		"short_replies": m.ShortReplies, "apologies": m.Apologies, "reply_apologies": m.ReplyApologies,
	}
}

// lists returns every list of m by its JSON name, and each list of a
// toneLists by its field and tone, as in "summary_labels.formal".
func (m *mannerismText) lists() map[string][]string {
	out := map[string][]string{
		"tickets": m.Tickets, "reply_tickets": m.ReplyTickets, "postscripts": m.Postscripts,
		"mobile_footers": m.MobileFooters,
	}
	for field, lists := range m.toneLists() {
		for _, tone := range tones {
			out[field+"."+tone] = lists[tone]
		}
	}
	return out
}
