package generator

import (
	"strings"
	"unicode/utf8"
)

// maxThanks is the most thanks words a message has. People thank once,
// or twice at most, and not in two sentences in a row, so the composer
// keeps to both limits (see thanksState).
const maxThanks = 2

// piece is a text the composer may add to a message, with its thanks
// words: how many, and whether its first and its last sentence have one.
type piece struct {
	text        string
	thanks      int
	first, last bool
}

// thanksState holds the thanks words of the part of a message written so
// far, in reading order.
type thanksState struct {
	count int
	// last is set when the last sentence written has a thanks word.
	last bool
}

// fits reports whether p can come next, followed by next, without more
// than maxThanks thanks words or two thanking sentences in a row. next is
// the zero piece when nothing is known to follow.
func (s thanksState) fits(p, next piece) bool {
	if s.count+p.thanks+next.thanks > maxThanks {
		return false
	}
	if p.text == "" {
		return !(s.last && next.first)
	}
	return !(s.last && p.first) && !(p.last && next.first)
}

// add records p as written.
func (s *thanksState) add(p piece) {
	if p.text == "" {
		return
	}
	s.count += p.thanks
	s.last = p.last
}

// measure returns text as a piece, with its thanks words counted.
func (c *corpus) measure(text string) piece {
	p := piece{text: text}
	if text == "" {
		return p
	}
	lower := strings.ToLower(text)
	for i, sentence := range sentences(lower) {
		n := 0
		for _, stem := range c.Thanks {
			n += countStem(sentence, stem)
		}
		p.thanks += n
		if i == 0 {
			p.first = n > 0
		}
		p.last = n > 0
	}
	return p
}

// sentences splits text at line breaks and at ".", "!", "?" and "…" runs
// followed by white space.
func sentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			out = append(out, text[start:i])
			start = i + 1
		case ' ', '\t':
			if i > start && endsSentence(text[start:i]) {
				out = append(out, text[start:i])
				start = i + 1
			}
		}
	}
	return append(out, text[start:])
}

func endsSentence(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r == '.' || r == '!' || r == '?' || r == '…'
}

// countStem returns how many words of lower, a text in lower case, start
// with stem.
func countStem(lower, stem string) int {
	n := 0
	for offset := 0; ; {
		i := strings.Index(lower[offset:], stem)
		if i < 0 {
			return n
		}
		i += offset
		if before, _ := utf8.DecodeLastRuneInString(lower[:i]); !isWordRune(before) {
			n++
		}
		offset = i + len(stem)
	}
}

// pickFitting returns an expansion of an entry of list that fits after
// the text written so far and before next, trying a few random entries
// and then every entry. ok is false when none fits.
func (w *composer) pickFitting(list []string, next piece) (p piece, ok bool) {
	r := w.req.Rand
	for range 4 {
		if p = w.c.measure(w.line(pick(r, list))); w.thanks.fits(p, next) {
			return p, true
		}
	}
	start := r.IntN(len(list))
	for i := range list {
		if p = w.c.measure(w.line(list[(start+i)%len(list)])); w.thanks.fits(p, next) {
			return p, true
		}
	}
	return piece{}, false
}
