package generator

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Salts for habits.usualIndex, one per choice that a sender makes the
// same way in every message.
const (
	saltSummaryLabel uint64 = iota + 1
	saltListMarker
	saltEmoticon
	saltInitials
	saltPostscriptLabel
	saltMobileFooter
)

// shortParagraphRunes is the length, in characters, below which a short
// paragraph takes one more sentence, so that an opener such as "Quick one
// about the move." does not stand alone.
const shortParagraphRunes = 40

var (
	emoticons       = []string{":)", ":-)"}
	numberedMarkers = []string{". ", ") "}
	bulletMarkers   = []string{"- ", "* ", "• "}
)

// leadIndex returns the index of the first paragraph after the greeting.
func (w *composer) leadIndex() int {
	if w.greeted {
		return 1
	}
	return 0
}

// applyBrief cuts the message to one short paragraph after the greeting.
// A reply becomes a one-line reply, and an answer to a question its first
// sentence. A new thread keeps the opener and the first sentence of the
// topic text, or as many sentences as it takes to name the facts of the
// subject. It reports false when the result would thank twice in a row
// with the sign-off.
func (w *composer) applyBrief(d *draft) bool {
	lead := w.leadIndex()
	if lead >= len(d.paras) {
		return false
	}
	var before thanksState
	if w.greeted {
		before.add(w.c.measure(d.paras[0]))
	}
	signoff := w.c.measure(d.signoff)

	var text string
	switch {
	case w.req.Parent != nil && !w.answersQuestion:
		w.thanks = before
		p, ok := w.pickFitting(w.c.Mannerisms.ShortReplies[w.voice], signoff)
		if !ok {
			return false
		}
		text = p.text
	case w.req.Parent != nil:
		// A question needs its answer, which a short reply such as
		// "Noted." is not.
		spans := sentenceSpans(w.leadText)
		if len(spans) == 0 {
			return false
		}
		text = w.leadText[:spans[0][1]]
	default:
		spans := sentenceSpans(w.leadText)
		if len(spans) == 0 {
			return false
		}
		end := spans[0][1]
		for _, span := range spans[1:] {
			if w.namesSubjectFacts(w.leadOpener + " " + w.leadText[:end]) {
				break
			}
			end = span[1]
		}
		text = w.leadText[:end]
		if w.leadOpener != "" {
			text = w.leadOpener + " " + text
		}
	}
	if w.req.Parent == nil || w.answersQuestion {
		if !before.fits(w.c.measure(text), signoff) {
			return false
		}
		if len(d.paras) == lead+1 && d.paras[lead] == text {
			// The message is that short already.
			return false
		}
	}
	d.paras = append(d.paras[:lead], text)
	w.closer, w.closerAlone = "", false
	return true
}

// namesSubjectFacts reports whether text names the value of each
// placeholder in the subject of a new thread, ignoring case.
func (w *composer) namesSubjectFacts(text string) bool {
	lower := ""
	for _, key := range w.subjectSlots {
		value, ok := w.ex.fixed[key]
		if !ok {
			value = w.ex.drawn[key]
		}
		if value == "" {
			continue
		}
		if lower == "" {
			lower = strings.ToLower(text)
		}
		if !strings.Contains(lower, strings.ToLower(value)) {
			return false
		}
	}
	return true
}

// applyApology starts the first paragraph after the greeting with an
// apology: for replying late in a reply, for the bother in a new thread.
func (w *composer) applyApology(d *draft) bool {
	lead := w.leadIndex()
	if lead >= len(d.paras) {
		return false
	}
	list := w.c.Mannerisms.Apologies[w.voice]
	if w.req.Parent != nil {
		list = w.c.Mannerisms.ReplyApologies[w.voice]
	}
	// The paragraph no longer starts the text after the greeting, so it
	// starts with a capital even in German.
	w.apology = w.line(pick(w.req.Rand, list))
	d.paras[lead] = w.apology + " " + capitalize(d.paras[lead])
	return true
}

// sentenceRef locates a sentence in the paragraphs of a draft.
type sentenceRef struct {
	para, start, end int
}

// plainSentences returns the sentences after the greeting that end with
// a plain dot (see endsWithPlainDot). Lists are left out.
func (w *composer) plainSentences(paras []string) []sentenceRef {
	var out []sentenceRef
	for i, p := range paras {
		if i == 0 && w.greeted || strings.Contains(p, "\n") {
			continue
		}
		for _, s := range sentenceSpans(p) {
			if endsWithPlainDot(p[s[0]:s[1]]) {
				out = append(out, sentenceRef{para: i, start: s[0], end: s[1]})
			}
		}
	}
	return out
}

// applyEndings rewrites one or two sentences of d that end with a plain
// dot with rewrite. It prefers the opener and the closing line, and
// otherwise takes the shortest sentences.
func (w *composer) applyEndings(d *draft, rewrite func(sentence string) string) bool {
	refs := w.plainSentences(d.paras)
	if len(refs) == 0 {
		return false
	}
	// A changed ending suits the small talk around the message and short
	// sentences best, as in "Talk soon!", more than a sentence of facts.
	var pool []sentenceRef
	for _, ref := range refs {
		s := d.paras[ref.para][ref.start:ref.end]
		if w.leadOpener != "" && strings.Contains(w.leadOpener, s) || w.closer != "" && strings.Contains(w.closer, s) {
			pool = append(pool, ref)
		}
	}
	if len(pool) == 0 {
		slices.SortStableFunc(refs, func(a, b sentenceRef) int { return (a.end - a.start) - (b.end - b.start) })
		pool = refs[:min(3, len(refs))]
	}

	r := w.req.Rand
	picked := r.Perm(len(pool))[:min(1+r.IntN(2), len(pool))]
	chosen := make([]sentenceRef, len(picked))
	for i, p := range picked {
		chosen[i] = pool[p]
	}

	// Later sentences first, so the offsets of earlier ones stay valid.
	slices.SortFunc(chosen, func(a, b sentenceRef) int {
		if a.para != b.para {
			return b.para - a.para
		}
		return b.start - a.start
	})
	for _, ref := range chosen {
		p := d.paras[ref.para]
		d.paras[ref.para] = p[:ref.start] + rewrite(p[ref.start:ref.end]) + p[ref.end:]
	}
	return true
}

// exclaim turns a sentence that ends with a dot into an exclamation, with
// the marks of the language.
func (w *composer) exclaim(sentence string) string {
	m := w.c.Mannerisms
	body := strings.TrimSuffix(sentence, ".")
	if m.ExclamationOpen != "" {
		body = m.ExclamationOpen + upperFirst(body)
	}
	return body + m.ExclamationClose
}

// trailOff ends a sentence that ends with a dot with an ellipsis.
func trailOff(sentence string) string {
	return strings.TrimSuffix(sentence, ".") + "..."
}

// applyEmoticon ends the last paragraph with the sender's usual smiley,
// in place of a final dot.
func (w *composer) applyEmoticon(d *draft) bool {
	last := len(d.paras) - 1
	if last < 0 || last == 0 && w.greeted {
		return false
	}
	p := d.paras[last]
	if body, ok := strings.CutSuffix(p, "."); ok && !strings.HasSuffix(body, ".") {
		p = body
	}
	d.paras[last] = p + " " + emoticons[w.habits.usualIndex(len(emoticons), saltEmoticon)]
	return true
}

// applyTicket adds a sentence that names the thread's tracker ticket to
// the first paragraph after the greeting, before the closing line when
// that ends the paragraph.
func (w *composer) applyTicket(d *draft, subject string) bool {
	lead := w.leadIndex()
	if lead >= len(d.paras) {
		return false
	}
	list := w.c.Mannerisms.Tickets
	if w.req.Parent != nil {
		list = w.c.Mannerisms.ReplyTickets
	}
	w.ex.fixed["ticket"] = w.ticketID(subject)
	sentence := w.line(pick(w.req.Rand, list))
	p := d.paras[lead]
	if before, ok := strings.CutSuffix(p, " "+w.closer); ok && w.closer != "" && !w.closerAlone {
		d.paras[lead] = before + " " + sentence + " " + w.closer
	} else {
		d.paras[lead] = p + " " + sentence
	}
	return true
}

// shortParagraphs returns paras with each paragraph after the greeting
// broken into paragraphs of one sentence, or two when the first is short,
// and whether any paragraph was broken.
func (w *composer) shortParagraphs(paras []string) ([]string, bool) {
	out := make([]string, 0, len(paras)+4)
	broken := false
	for i, p := range paras {
		if i == 0 && w.greeted || strings.Contains(p, "\n") {
			out = append(out, p)
			continue
		}
		group := ""
		for _, s := range sentencesOf(p) {
			switch {
			case group == "":
				group = s
			case utf8.RuneCountInString(group) < shortParagraphRunes:
				group += " " + s
			default:
				out = append(out, group)
				group = s
				broken = true
			}
		}
		if group != "" {
			out = append(out, group)
		}
	}
	return out, broken
}

// applySummary puts a summary line, under the sender's usual label, right
// after the greeting. In a new thread the summary names what the thread
// is about and takes the place of the opener, which would repeat it.
func (w *composer) applySummary(d *draft) bool {
	m := w.c.Mannerisms
	list := m.Summaries[w.voice]
	if w.req.Parent != nil {
		list = m.ReplySummaries[w.voice]
	}
	at := min(w.leadIndex(), len(d.paras))
	if w.req.Parent == nil && w.leadOpener != "" && at < len(d.paras) {
		w.dropOpener(&d.paras[at])
	}
	labels := m.SummaryLabels[w.voice]
	label := labels[w.habits.usualIndex(len(labels), saltSummaryLabel)]
	d.paras = slices.Insert(d.paras, at, label+" "+w.line(pick(w.req.Rand, list)))
	return true
}

// dropOpener removes the opener from p, the first paragraph after the
// greeting, keeping an apology that comes before it.
func (w *composer) dropOpener(p *string) {
	if w.apology == "" {
		if rest, ok := strings.CutPrefix(*p, w.leadOpener+" "); ok {
			*p, w.leadOpener = rest, ""
		}
		return
	}
	// applyApology wrote the opener with a capital after the apology.
	if rest, ok := strings.CutPrefix(*p, w.apology+" "+capitalize(w.leadOpener)+" "); ok {
		*p, w.leadOpener = w.apology+" "+capitalize(rest), ""
	}
}

// applyList adds a labeled list of two or three action items after the
// topic text and before a closing line of its own.
func (w *composer) applyList(d *draft, numbered bool) bool {
	m := w.c.Mannerisms
	r := w.req.Rand
	items := m.ActionItems[w.voice]
	lines := []string{pick(r, m.ListLabels[w.voice])}
	marker := w.habits.usualIndex(len(bulletMarkers), saltListMarker)
	for n, i := range r.Perm(len(items))[:min(2+r.IntN(2), len(items))] {
		prefix := bulletMarkers[marker]
		if numbered {
			prefix = strconv.Itoa(n+1) + numberedMarkers[marker%len(numberedMarkers)]
		}
		lines = append(lines, prefix+w.line(items[i]))
	}

	at := len(d.paras)
	if w.closer != "" && at > 0 && d.paras[at-1] == w.closer {
		at--
	}
	at = min(max(at, w.leadIndex()+1), len(d.paras))
	d.paras = slices.Insert(d.paras, at, strings.Join(lines, "\n"))
	return true
}

// applyNoGreeting drops the greeting.
func (w *composer) applyNoGreeting(d *draft) bool {
	if !w.greeted || len(d.paras) < 2 {
		return false
	}
	d.paras = d.paras[1:]
	w.greeted, w.afterGreeting = false, false
	return true
}

// applyInitials signs the message with the sender's initials. They
// replace a made-up signature, which would name the sender again, and go
// above the persona's own signature, which stays verbatim, as a mail
// client inserts it below what the sender typed.
func (w *composer) applyInitials(d *draft) bool {
	initials := w.initials()
	if initials == "" {
		return false
	}
	if strings.TrimSpace(w.req.Sender.Signature) == "" {
		d.signature = initials
	} else {
		d.signature = initials + "\n\n" + d.signature
	}
	return true
}

// initials returns the sender's initials in their usual form: "AS",
// "A.S." or the first initial alone. A leading title such as "Dr." is
// skipped.
func (w *composer) initials() string {
	fields := strings.Fields(w.req.Sender.Name)
	for len(fields) > 1 && strings.HasSuffix(fields[0], ".") {
		fields = fields[1:]
	}
	if len(fields) == 0 {
		return ""
	}
	first := initialOf(fields[0])
	last := ""
	if len(fields) > 1 {
		last = initialOf(fields[len(fields)-1])
	}
	switch form := w.habits.usualIndex(3, saltInitials); {
	case last == "" || form == 2:
		return first
	case form == 1:
		return first + "." + last + "."
	default:
		return first + last
	}
}

func initialOf(word string) string {
	r, _ := utf8.DecodeRuneInString(word)
	return strings.ToUpper(string(r))
}

// applyPostscript adds a P.S. below the signature, under the sender's
// usual label.
func (w *composer) applyPostscript(d *draft) bool {
	m := w.c.Mannerisms
	text := w.line(pick(w.req.Rand, m.Postscripts))
	if parent := w.req.Parent; parent != nil && strings.Contains(parent.Body, text) {
		// The parent carries this P.S. already, so this message has none.
		return false
	}
	labels := m.PostscriptLabels[w.voice]
	label := labels[w.habits.usualIndex(len(labels), saltPostscriptLabel)]
	d.after = slices.Insert(d.after, d.postscripts, label+" "+text)
	d.postscripts++
	return true
}

// applyMobileFooter adds the footer of the sender's phone mail app below
// the signature and any P.S.
func (w *composer) applyMobileFooter(d *draft) bool {
	m := w.c.Mannerisms
	d.after = append(d.after, m.MobileFooters[w.habits.usualIndex(len(m.MobileFooters), saltMobileFooter)])
	return true
}
