package generator

import (
	"math/rand/v2"
	"strings"

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
	habits  habits
	ex      *expander
}

func newComposer(c *corpus, req Request) *composer {
	key := toneKey(req.Sender.Tone)
	return &composer{
		c:       c,
		req:     req,
		toneKey: key,
		tone:    c.Tones[key],
		habits:  habitsOf(req.Sender.Email),
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

// compose returns the subject and body.
func (w *composer) compose() (subject, body string) {
	r := w.req.Rand
	topic := strings.TrimSpace(w.req.Topic)
	if topic == "" && w.req.Parent != nil {
		topic = strings.TrimSpace(strings.TrimPrefix(message.ReplySubject(w.req.Parent.Subject), "Re:"))
	}
	if topic == "" {
		topic = RandomTopic(r)
	}
	text := w.c.topic(topic)

	w.ex = newExpander(r, w.c.Slots, map[string]string{
		"first":   firstName(w.req.Recipient.Name),
		"full":    w.req.Recipient.Name,
		"me":      firstName(w.req.Sender.Name),
		"name":    w.req.Sender.Name,
		"role":    w.req.Sender.Role,
		"company": companyName(w.req.Sender.Email),
		"topic":   topic,
	})
	w.ex.fixed["about"] = w.ex.expand(pick(r, text.About))

	if w.req.Parent == nil {
		return w.ex.expand(pick(r, text.Subjects)), w.rootBody(text)
	}
	return message.ReplySubject(w.req.Parent.Subject), w.replyBody(text)
}

// rootBody writes the body of a new thread.
func (w *composer) rootBody(text topicText) string {
	r := w.req.Rand
	var paras []string
	paras = append(paras, w.ex.expand(w.habits.pick(r, w.tone.Greetings, w.habits.greeting)))

	first, second := pickTwo(r, text.Paragraphs)
	lead := w.ex.expand(text.Paragraphs[first])
	if opener := w.ex.expand(pick(r, w.tone.Openers)); opener != "" {
		lead = opener + " " + lead
	}
	paras = append(paras, lead)
	if r.IntN(100) < 45 {
		paras = append(paras, w.ex.expand(text.Paragraphs[second]))
	}
	paras = w.appendCloser(paras)
	return w.finish(paras)
}

// replyBody writes the body of a reply: an acknowledgement of the parent,
// one or two reply paragraphs and, when the sender quotes, an excerpt of
// the parent under an attribution line.
func (w *composer) replyBody(text topicText) string {
	r := w.req.Rand
	var paras []string
	// Replies within a thread often skip the greeting, more so in
	// informal tones.
	if r.IntN(100) < 70 || w.toneKey == string(persona.Formal) {
		paras = append(paras, w.ex.expand(w.habits.pick(r, w.tone.Greetings, w.habits.greeting)))
	}

	first, second := pickTwo(r, text.Replies)
	paras = append(paras, w.ex.expand(pick(r, w.tone.ReplyOpeners))+" "+w.ex.expand(text.Replies[first]))
	if second != first && r.IntN(100) < 30 {
		paras = append(paras, w.ex.expand(text.Replies[second]))
	}
	if r.IntN(100) < 60 {
		paras = w.appendCloser(paras)
	}
	body := w.finish(paras)
	if quote := w.quote(); quote != "" {
		body += "\n" + quote
	}
	return body
}

// appendCloser adds the closing line, as its own paragraph or at the end
// of the last one.
func (w *composer) appendCloser(paras []string) []string {
	r := w.req.Rand
	closer := w.ex.expand(pick(r, w.tone.Closers))
	if r.IntN(2) == 0 {
		return append(paras, closer)
	}
	paras[len(paras)-1] += " " + closer
	return paras
}

// finish wraps the paragraphs and adds the sign-off and signature.
func (w *composer) finish(paras []string) string {
	var b strings.Builder
	for _, p := range paras {
		b.WriteString(wrap(p, w.habits.wrapWidth))
		b.WriteString("\n\n")
	}
	signature := w.signature()
	if !startsWithSignoff(signature) {
		if signoff := w.ex.expand(w.habits.pick(w.req.Rand, w.tone.Signoffs, w.habits.signoff)); signoff != "" {
			b.WriteString(signoff + "\n")
		}
	}
	b.WriteString(signature)
	b.WriteString("\n")
	return b.String()
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

// wrap breaks text into lines of at most width characters at spaces. A
// width of zero leaves the text on one line, as clients that send
// unwrapped plain text do. Words longer than width stay whole.
func wrap(text string, width int) string {
	if width <= 0 {
		return text
	}
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(text) {
		n := len([]rune(word))
		if i > 0 {
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
	}
	return b.String()
}
