package generator

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/decnet/emailgend/internal/message"
	"github.com/decnet/emailgend/internal/persona"
)

// composer writes one message. All random choices come from req.Rand,
// except the sender's habits, which come from their address (see habits).
type composer struct {
	c       *corpus
	req     Request
	toneKey string
	tone    toneText
	// voice is the key of tone. It is toneKey unless a reply borrows the
	// register of another tone, and mannerism wording follows it, so a
	// reply in the formal register writes "Summary:" and not "TL;DR:".
	voice  string
	habits habits
	ex     *expander
	// date is the message date in the sender's zone.
	date time.Time
	// thanks holds the thanks words written so far.
	thanks thanksState
	// greeted is set once the greeting, the first paragraph, is written,
	// and afterGreeting when the paragraph after it keeps a lower-case
	// first letter (see LowerAfterGreeting).
	greeted, afterGreeting bool

	// topicKey is the entry of Topics, in lower case, that the message is
	// about, or "" when the topic is other text.
	topicKey string
	// leadOpener and leadText are the two parts of the first paragraph on
	// the topic: the opener, which may be "", and the text after it.
	leadOpener, leadText string
	// subjectSlots are the placeholders of a new thread's subject, whose
	// values the body must name.
	subjectSlots []string
	// apology is the apology that starts the first paragraph after the
	// greeting, or "" (see applyApology).
	apology string
	// parentSubject is the parent's subject without reply prefixes, or ""
	// for a new thread.
	parentSubject string
	// answersQuestion is set for a reply to a question about the topic
	// (see askMessage).
	answersQuestion bool
	// closer is the closing line, or "", and closerAlone is set when it
	// is a paragraph of its own.
	closer      string
	closerAlone bool
	// applied lists the sender's mannerisms that the message shows, as
	// the persona names them.
	applied []string
}

func newComposer(c *corpus, req Request) *composer {
	key := toneKey(req.Sender.Tone)
	date := req.Date
	if date.IsZero() {
		date = time.Now()
	}
	if loc := req.Sender.Location; loc != nil {
		date = date.In(loc)
	}
	voice := key
	if req.Parent != nil {
		// A reply answers in the register its parent used to address the
		// sender, and in the sender's own register when that is unclear.
		if formal, ok := c.parentRegister(ownText(req.Parent.Body)); ok {
			voice = c.toneWithRegister(key, formal)
		}
	}
	return &composer{
		c:       c,
		req:     req,
		toneKey: key,
		tone:    c.timelyTone(c.Tones[voice], date),
		voice:   voice,
		habits:  habitsOf(req.Sender.Email),
		date:    date,
	}
}

// toneKey maps a persona tone to a corpus tone. Custom voices are written
// as formal, the safe register for business mail.
func toneKey(t persona.Tone) string {
	switch t {
	case persona.Direct, persona.Casual, persona.Technical:
		return string(t)
	default:
		return string(persona.Formal)
	}
}

// compose returns the subject and body. The sender's mannerisms are
// applied last and draw from req.Rand after everything else, so the
// message differs from the one without them only where they change it.
func (w *composer) compose() (subject, body string) {
	r := w.req.Rand
	var replySubject string
	if w.req.Parent != nil {
		// message.ReplySubject builds a replacer on every call, so a reply
		// calls it once.
		replySubject = message.ReplySubject(w.req.Parent.Subject)
		w.parentSubject = strings.TrimSpace(strings.TrimPrefix(replySubject, "Re:"))
	}
	topic := strings.TrimSpace(w.req.Topic)
	if topic == "" {
		topic = w.parentSubject
	}
	if topic == "" {
		topic = RandomTopic(r)
	}
	text, ok := w.c.Topics[strings.ToLower(topic)]
	if ok {
		w.topicKey = strings.ToLower(topic)
	} else if w.req.Parent != nil {
		var key string
		key, text, ok = w.c.topicOfSubject(w.parentSubject)
		w.topicKey = strings.ToLower(key)
	}
	if !ok {
		text = w.c.Generic
	}

	// The map is sized for these, the calendar words, {about}, {ticket}
	// and the quote header's values, so that it does not grow.
	fixed := make(map[string]string, 32)
	fixed["first"] = firstName(w.req.Recipient.Name)
	fixed["full"] = strings.TrimSpace(w.req.Recipient.Name)
	fixed["me"] = firstName(w.req.Sender.Name)
	fixed["name"] = w.req.Sender.Name
	fixed["role"] = w.req.Sender.Role
	fixed["company"] = w.habits.company
	fixed["topic"] = topic
	fixed["owner"] = text.Owner
	w.addCalendar(fixed)
	w.ex = newExpander(r, w.c.Slots, fixed)
	w.ex.weekdays = w.c.weekdaysBut[w.date.Weekday()]
	w.ex.formal = w.tone.Register == "formal"
	w.addCompanyFacts(companyOf(w.req.Sender.Email))

	var paras []string
	switch {
	case w.req.Parent != nil:
		subject, paras = replySubject, w.replyParagraphs(text)
	case !roleOwns(w.req.Sender.Role, topic):
		fixed["about"] = w.ex.expand(pick(r, text.About))
		subject, paras = w.askMessage()
	default:
		subject, paras = w.rootMessage(text)
	}
	d := w.newDraft(paras)
	if w.req.Parent != nil {
		d.quote = w.quote()
	}
	w.applyMannerisms(&d, subject)
	return subject, w.render(d)
}

// addCalendar sets the month, quarter and year placeholders from the
// message date, so that "next quarter" in December is the first quarter.
func (w *composer) addCalendar(fixed map[string]string) {
	month := int(w.date.Month()) - 1
	quarter := month / 3
	fixed["month"] = w.c.MonthNames[month]
	fixed["nextmonth"] = w.c.MonthNames[(month+1)%12]
	fixed["lastmonth"] = w.c.MonthNames[(month+11)%12]
	fixed["quarter"] = w.c.Quarters[quarter]
	fixed["nextquarter"] = w.c.Quarters[(quarter+1)%4]
	fixed["lastquarter"] = w.c.Quarters[(quarter+3)%4]
	fixed["year"] = strconv.Itoa(w.date.Year())
	fixed["nextyear"] = strconv.Itoa(w.date.Year() + 1)
}

// line expands tmpl and makes the language's contractions.
func (w *composer) line(tmpl string) string {
	return w.c.contract.apply(w.ex.expand(tmpl))
}

// greeting returns the greeting line. A sender who addresses people
// formally uses the formal greetings of the tone, when it has any, and
// everyone else greets by first name, so the form of address does not
// change from one message to the next.
func (w *composer) greeting() string {
	// The usual greeting is an index into the whole list, so that it
	// stays the same at every hour where it fits.
	all := w.c.Tones[w.voice]
	list, timely := all.firstGreetings, w.tone.firstGreetings
	if w.habits.formalAddress && len(all.formalGreetings) > 0 {
		list, timely = all.formalGreetings, w.tone.formalGreetings
	}
	greeting := w.line(w.usualTimely(list, timely, w.habits.greeting))
	w.greeted = true
	w.afterGreeting = w.c.LowerAfterGreeting && strings.HasSuffix(greeting, ",")
	return greeting
}

// rootMessage writes a new thread: one of the topic's threads, with a
// subject and paragraphs that belong together. The thread's first
// paragraph leads, since it introduces what the subject names, and up to
// two later ones follow it in their corpus order.
func (w *composer) rootMessage(text topicText) (subject string, paras []string) {
	r := w.req.Rand
	thread := &text.Threads[r.IntN(len(text.Threads))]
	about := thread.About
	if len(about) == 0 {
		about = text.About
	}
	w.ex.fixed["about"] = w.ex.expand(pick(r, about))
	s := r.IntN(len(thread.Subjects))
	subject = w.line(thread.Subjects[s])
	w.subjectSlots = thread.subjectSlots[s]

	paras = []string{w.greeting()}
	lead := w.c.measure(w.line(thread.Paragraphs[0]))
	paras = append(paras, w.withOpener(w.tone.Openers, lead))
	first, second := laterParagraphs(r, len(thread.Paragraphs))
	if first > 0 {
		paras = w.appendIfFits(paras, w.line(thread.Paragraphs[first]))
	}
	if second > 0 {
		paras = w.appendIfFits(paras, w.line(thread.Paragraphs[second]))
	}
	return subject, w.appendCloser(paras)
}

// Chances, in percent, that a new thread adds one later paragraph after
// its lead, and that it adds two.
const (
	oneLaterPercent = 40
	twoLaterPercent = 12
)

// laterParagraphs returns the indexes, in increasing order, of the later
// paragraphs that a new thread of n paragraphs adds after the first. It
// adds two, one or none, and returns 0 for each one left out.
func laterParagraphs(r *rand.Rand, n int) (first, second int) {
	roll := r.IntN(100)
	switch {
	case roll < twoLaterPercent && n > 2:
		first = 1 + r.IntN(n-1)
		second = 1 + r.IntN(n-2)
		if second >= first {
			second++
		}
		return min(first, second), max(first, second)
	case roll < twoLaterPercent+oneLaterPercent:
		return 1 + r.IntN(n-1), 0
	}
	return 0, 0
}

// askMessage writes a new thread from a sender whose role does not own
// the topic: a question to the team that does, instead of figures the
// sender would not have.
func (w *composer) askMessage() (subject string, paras []string) {
	r := w.req.Rand
	asks := w.c.Asks
	s := r.IntN(len(asks.Subjects))
	subject = w.line(asks.Subjects[s])
	w.subjectSlots = asks.subjectSlots[s]
	paras = []string{w.greeting()}
	first, second := pickTwo(r, asks.Paragraphs)
	paras = w.appendIfFits(paras, w.line(asks.Paragraphs[first]))
	if len(paras) > 1 {
		w.leadText = paras[1]
	}
	if second != first && r.IntN(100) < 40 {
		paras = w.appendIfFits(paras, w.line(asks.Paragraphs[second]))
	}
	return subject, w.appendCloser(paras)
}

// withOpener returns lead after an opener from openers that does not
// thank next to it, or lead alone when every opener would, and records
// both as written.
func (w *composer) withOpener(openers []string, lead piece) string {
	opener, ok := w.pickFitting(openers, lead)
	w.thanks.add(opener)
	w.thanks.add(lead)
	w.leadText = lead.text
	if !ok || opener.text == "" {
		return lead.text
	}
	w.leadOpener = opener.text
	return opener.text + " " + lead.text
}

// appendIfFits adds text as a paragraph unless its thanks words would
// break the limits of thanksState.
func (w *composer) appendIfFits(paras []string, text string) []string {
	p := w.c.measure(text)
	if !w.thanks.fits(p, piece{}) {
		return paras
	}
	w.thanks.add(p)
	return append(paras, text)
}

// appendCloser adds the closing line, as its own paragraph or at the end
// of the last one. It leaves the closer out when each one would thank
// next to another thanks or once too often.
func (w *composer) appendCloser(paras []string) []string {
	r := w.req.Rand
	closer, ok := w.pickFitting(w.tone.Closers, w.signatureSignoff())
	if !ok {
		return paras
	}
	w.thanks.add(closer)
	w.closer = closer.text
	if r.IntN(2) == 0 {
		w.closerAlone = true
		return append(paras, closer.text)
	}
	paras[len(paras)-1] += " " + closer.text
	return paras
}

// signatureSignoff returns the sign-off line that the sender's own
// signature opens with, or the zero piece.
func (w *composer) signatureSignoff() piece {
	signature := w.req.Sender.Signature
	if !startsWithSignoff(signature) {
		return piece{}
	}
	line, _, _ := strings.Cut(strings.TrimSpace(signature), "\n")
	return w.c.measure(line)
}

// signoff returns the sign-off line: the sender's usual one most of the
// time, or another that does not thank next to a thanking closer.
func (w *composer) signoff() string {
	all := w.c.Tones[w.voice].Signoffs
	p := w.c.measure(w.line(w.usualTimely(all, w.tone.Signoffs, w.habits.signoff)))
	if !w.thanks.fits(p, piece{}) || repeatsCloser(w.closer, p.text) {
		p, _ = w.pickFitting(w.tone.Signoffs, piece{})
	}
	if repeatsCloser(w.closer, p.text) {
		p = piece{}
	}
	w.thanks.add(p)
	return p.text
}

// repeatsCloser reports whether signoff says again what the closer ends
// with, as "Talk soon," below "Talk soon." would.
func repeatsCloser(closer, signoff string) bool {
	words := strings.TrimRight(strings.ToLower(signoff), ",.!\u00a0 ")
	if words == "" {
		return false
	}
	return strings.HasSuffix(strings.TrimRight(strings.ToLower(closer), ",.!\u00a0 "), words)
}

// startsWithSignoff reports whether a signature opens with its own
// sign-off line, such as "Best,", so no second one is added.
func startsWithSignoff(signature string) bool {
	line, _, _ := strings.Cut(strings.TrimSpace(signature), "\n")
	line = strings.TrimSpace(line)
	return strings.HasSuffix(line, ",") || strings.HasSuffix(line, "!")
}

// firstName returns the given name in name, skipping a leading title such
// as "Dr.".
func firstName(name string) string {
	fields := strings.Fields(name)
	for len(fields) > 1 && strings.HasSuffix(fields[0], ".") {
		fields = fields[1:]
	}
	if len(fields) == 0 {
		return name
	}
	return fields[0]
}

// capitalize returns s with its first letter in upper case.
func capitalize(s string) string {
	if r, _ := utf8.DecodeRuneInString(s); !unicode.IsLower(r) {
		return s
	}
	return upperFirst(s)
}

func pick[T any](r *rand.Rand, list []T) T {
	return list[r.IntN(len(list))]
}

// pickTwo returns two different indexes into list, or the same index twice
// when the list has one entry.
func pickTwo[T any](r *rand.Rand, list []T) (int, int) {
	first := r.IntN(len(list))
	if len(list) < 2 {
		return first, first
	}
	second := r.IntN(len(list) - 1)
	if second >= first {
		second++
	}
	return first, second
}

// wrap breaks text into lines of at most width characters at ASCII
// spaces. A no-break space, as French puts before "?" and ":", keeps its
// words on one line. A width of zero leaves the text on one line, as
// clients that send unwrapped plain text do. Words longer than width stay
// whole.
func wrap(text string, width int) string {
	if width <= 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	line := 0
	for i := 0; i < len(text); {
		// The break spaces are ASCII, so scanning bytes never splits a
		// character.
		for i < len(text) && isBreakSpace(text[i]) {
			i++
		}
		end := i
		for end < len(text) && !isBreakSpace(text[end]) {
			end++
		}
		if end == i {
			break
		}
		word := text[i:end]
		n := utf8.RuneCountInString(word)
		if b.Len() > 0 {
			if line+1+n > width {
				b.WriteByte('\n')
				line = 0
			} else {
				b.WriteByte(' ')
				line++
			}
		}
		b.WriteString(word)
		line += n
		i = end
	}
	return b.String()
}

func isBreakSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
