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

// measure returns text as a piece, with its thanks words counted. It
// splits text into sentences at line breaks and at ".", "!", "?" and "…"
// runs followed by white space.
func (c *corpus) measure(text string) piece {
	p := piece{text: text}
	if text == "" {
		return p
	}
	start, index := 0, 0
	for i := 0; i <= len(text); i++ {
		if i < len(text) {
			switch text[i] {
			case '\n':
			case ' ', '\t':
				if i == start || !endsSentence(text[start:i]) {
					continue
				}
			default:
				continue
			}
		}
		n := c.countThanks(text[start:i])
		p.thanks += n
		if index == 0 {
			p.first = n > 0
		}
		p.last = n > 0
		index++
		start = i + 1
	}
	return p
}

func endsSentence(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r == '.' || r == '!' || r == '?' || r == '…'
}

// countThanks returns how many words of text start with a thanks stem,
// ignoring case. It compares in place instead of lowering a copy of text,
// because every message measures each of its pieces. Each stem starts
// with an ASCII letter in lower case (parseCorpus checks it), so a word
// whose first byte is neither that letter nor its capital cannot match.
func (c *corpus) countThanks(text string) int {
	n := 0
	inWord := false
	for i, r := range text {
		start := !inWord && isWordRune(r)
		inWord = isWordRune(r)
		if !start {
			continue
		}
		for _, stem := range c.Thanks {
			if text[i]|0x20 == stem[0] && len(text)-i >= len(stem) && strings.EqualFold(text[i:i+len(stem)], stem) {
				n++
			}
		}
	}
	return n
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
