package generator

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// subjectPattern returns the literal parts of a subject template, split at
// its placeholders. The first and last parts are empty when the template
// starts or ends with a placeholder.
func subjectPattern(tmpl string) []string {
	var parts []string
	for {
		start := strings.IndexByte(tmpl, '{')
		end := strings.IndexByte(tmpl, '}')
		if start < 0 || end < start {
			return append(parts, tmpl)
		}
		parts = append(parts, tmpl[:start])
		tmpl = tmpl[end+1:]
	}
}

// matchPattern reports whether subject can be an expansion of the subject
// template that pattern was made from: it starts with the first literal
// part, ends with the last and contains the others in order.
func matchPattern(pattern []string, subject string) bool {
	if len(pattern) == 1 {
		return subject == pattern[0]
	}
	first, last := pattern[0], pattern[len(pattern)-1]
	if len(subject) < len(first)+len(last) ||
		!strings.HasPrefix(subject, first) || !strings.HasSuffix(subject, last) {
		return false
	}
	rest := subject[len(first) : len(subject)-len(last)]
	for _, part := range pattern[1 : len(pattern)-1] {
		i := strings.Index(rest, part)
		if i < 0 {
			return false
		}
		rest = rest[i+len(part):]
	}
	return true
}

// matchThread returns the thread of t with the subject template that
// matches subject with the most literal text, and that length, or nil
// and 0. "Onboarding {vendor}" matches "Onboarding plan for the new hire",
// so the longest match is the most specific one.
func (t *topicText) matchThread(subject string) (*threadText, int) {
	var best *threadText
	bestScore := 0
	for i := range t.Threads {
		for _, p := range t.Threads[i].patterns {
			if score := patternLength(p); score > bestScore && matchPattern(p, subject) {
				best, bestScore = &t.Threads[i], score
			}
		}
	}
	return best, bestScore
}

func patternLength(pattern []string) int {
	n := 0
	for _, part := range pattern {
		n += len(part)
	}
	return n
}

// parentFacts looks up the fact slot values that a parent message names.
type parentFacts struct {
	text  string
	slots map[string][]string
	found map[string]string
	// folded is text as foldWords returns it, with a space at each end,
	// or "" until contains first needs it.
	folded string
}

// ownText returns the part of a message body above its first quoted line,
// which is what the sender wrote themselves.
func ownText(body string) string {
	if strings.HasPrefix(body, ">") {
		return ""
	}
	if i := strings.Index(body, "\n>"); i >= 0 {
		return body[:i]
	}
	return body
}

// value returns the value of slot that occurs first in the parent, or
// false when the parent names none of the slot's values.
func (f *parentFacts) value(slot string) (string, bool) {
	if v, ok := f.found[slot]; ok {
		return v, v != ""
	}
	best, at := "", len(f.text)
	for _, v := range f.slots[slot] {
		if i := indexWord(f.text[:min(len(f.text), at+len(v))], v); i >= 0 && i < at {
			best, at = v, i
		}
	}
	f.found[slot] = best
	return best, best != ""
}

// contains reports whether the parent contains mark, a paragraph mark.
func (f *parentFacts) contains(mark string) bool {
	if f.folded == "" {
		f.folded = " " + foldWords(f.text) + " "
	}
	return strings.Contains(f.folded, mark)
}

// has reports whether the parent names a value of every slot in facts.
func (f *parentFacts) has(facts []string) bool {
	for _, slot := range facts {
		if _, ok := f.value(slot); !ok {
			return false
		}
	}
	return true
}

// indexWord returns the index of the first occurrence of word in s that is
// not part of a longer word or number, or -1.
func indexWord(s, word string) int {
	if word == "" {
		return -1
	}
	for offset := 0; ; {
		i := strings.Index(s[offset:], word)
		if i < 0 {
			return -1
		}
		i += offset
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(word):])
		if !isWordRune(before) && !isWordRune(after) {
			return i
		}
		offset = i + 1
	}
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// contractor rewrites word pairs that a language contracts, such as
// Spanish "de el" to "del", where a slot value meets the text before it.
// A pair is only rewritten as whole words.
type contractor struct {
	pairs [][2]string
}

func newContractor(pairs [][2]string) *contractor {
	c := &contractor{}
	for _, p := range pairs {
		c.pairs = append(c.pairs, p, [2]string{upperFirst(p[0]), upperFirst(p[1])})
	}
	return c
}

// apply returns s with every contraction made.
func (c *contractor) apply(s string) string {
	for _, p := range c.pairs {
		if strings.Contains(s, p[0]) {
			s = replaceWords(s, p[0], p[1])
		}
	}
	return s
}

// replaceWords replaces each occurrence of old in s that is neither
// preceded nor followed by a letter or digit.
func replaceWords(s, old, replacement string) string {
	var b strings.Builder
	for {
		i := indexWord(s, old)
		if i < 0 {
			if b.Len() == 0 {
				return s
			}
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(replacement)
		s = s[i+len(old):]
	}
}
