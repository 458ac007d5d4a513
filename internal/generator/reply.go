package generator

import (
	"math/rand/v2"
	"strings"

	"github.com/decnet/emailgend/internal/persona"
)

// replyParagraphs writes the paragraphs of a reply: an acknowledgement of
// the parent, a reply paragraph and sometimes a second one. The second
// one comes from a pool that takes no stance on the first's point (see
// replyTemplates), so the two do not contradict each other.
//
// The reply paragraphs come from the thread whose subject the parent
// carries, and only those whose facts the parent names are used, with the
// parent's values. When the parent matches no thread, as one written by
// another generator may not, the topic's replies that name no fact are
// used.
func (w *composer) replyParagraphs(text topicText) []string {
	r := w.req.Rand
	parent := w.req.Parent
	facts := &parentFacts{text: ownText(parent.Body), slots: w.c.Slots, found: make(map[string]string, 4)}

	candidates, more, aboutList := w.replyTemplates(text, facts)
	about := pick(r, usable(aboutList, facts)).text
	// The lookups above found every fact the chosen texts can name, so
	// they are drawn before expanding any of them.
	for slot, value := range facts.found {
		if value != "" {
			w.ex.drawn[slot] = value
		}
	}
	w.ex.fixed["about"] = w.ex.expand(about)

	var paras []string
	// Replies within a thread often skip the greeting, more so in
	// informal tones.
	if r.IntN(100) < 70 || w.toneKey == string(persona.Formal) {
		paras = append(paras, w.greeting())
	}
	first := pick(r, candidates)
	lead := w.c.measure(w.line(first.text))
	openers := w.tone.ReplyOpeners
	if w.answersQuestion {
		openers = w.tone.AnswerOpeners
	}
	paras = append(paras, w.withOpener(openers, lead))
	if r.IntN(100) < 30 {
		if second, ok := pickOther(r, more, first); ok {
			paras = w.appendIfFits(paras, w.line(second.text))
		}
	}
	if r.IntN(100) < 60 {
		paras = w.appendCloser(paras)
	}
	return paras
}

// replyTemplates returns the reply paragraphs that fit the parent, the
// pool for a second paragraph, and the about phrases to name the parent's
// matter by.
//
// A question about the topic (see askMessage) gets an answer, and a second
// paragraph answers another question of the parent. Otherwise the replies
// come from the thread whose subject the parent carries, and a second
// paragraph is one of the topic's replies, which only acknowledge the
// parent. When no reply of the thread fits, the reply is one of the
// topic's, with no second paragraph, since two acknowledgements in a row
// read as padding.
func (w *composer) replyTemplates(text topicText, facts *parentFacts) (candidates, more, about []template) {
	subject := w.parentSubject
	about = text.about
	more = usable(text.replies, facts)
	// Questions are only written on topics of Topics, which set topicKey.
	if w.topicKey != "" && w.c.Asks.matchSubject(subject) {
		if candidates = usable(w.c.Asks.replies, facts); len(candidates) > 0 {
			w.answersQuestion = true
			return candidates, candidates, about
		}
	}
	if thread, _ := text.matchThread(subject); thread != nil {
		candidates = usable(thread.replies, facts)
		if len(thread.about) > 0 {
			about = thread.about
		}
	}
	if len(candidates) == 0 {
		return more, nil, about
	}
	return candidates, more, about
}

// pickOther returns an entry of pool, starting at a random one, that is
// not first and does not answer the same paragraph as first, or false
// when there is none.
func pickOther(r *rand.Rand, pool []template, first template) (template, bool) {
	if len(pool) == 0 {
		return template{}, false
	}
	start := r.IntN(len(pool))
	for i := range pool {
		t := pool[(start+i)%len(pool)]
		if t.text != first.text && (first.mark == "" || t.mark != first.mark) {
			return t, true
		}
	}
	return template{}, false
}

// usable returns the templates of list that fit the parent. A template
// fits when the parent names its facts, contains the paragraph it replies
// to, if any, and does not already start a sentence with its text. When
// none fits, usable returns those that need neither a fact nor a
// paragraph.
func usable(list []template, facts *parentFacts) []template {
	out := make([]template, 0, len(list))
	for _, t := range list {
		if facts.has(t.facts) && (t.mark == "" || facts.contains(t.mark)) &&
			(len(t.lead) < 12 || !strings.Contains(facts.text, t.lead)) {
			out = append(out, t)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, t := range list {
		if len(t.facts) == 0 && t.mark == "" {
			out = append(out, t)
		}
	}
	return out
}
