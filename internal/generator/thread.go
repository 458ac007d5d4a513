package generator

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// threadText is one kind of thread: the subjects and paragraphs of its
// first message and the replies that answer them.
//
// The first paragraph opens every new message of the thread, so it
// introduces what the subjects name and names every placeholder that a
// subject or an about phrase uses. The later paragraphs follow it in their
// order, and each may refer back to the first but not to another later
// one, because a message may leave any of them out.
type threadText struct {
	Subjects []string `json:"subjects"`
	// About are noun phrases for what the thread is about, such as "the
	// {city} trip", for openers and summaries. A thread without them uses
	// its topic's.
	About      []string `json:"about"`
	Paragraphs []string `json:"paragraphs"`
	// Replies may reuse the facts of the parent, such as {weekday} or
	// {vendor}. A reply is only written when the parent names each of
	// them, so it repeats the parent's value instead of inventing one.
	Replies []string `json:"replies"`
	// ParagraphReplies answer one later paragraph, keyed by its index in
	// Paragraphs. They are only written when the parent contains that
	// paragraph, so a reply does not answer a point the parent left out.
	ParagraphReplies map[int][]string `json:"paragraph_replies"`

	patterns [][]string
	// subjectSlots lists, for each subject, its placeholders as the
	// expander keys them.
	subjectSlots [][]string
	about        []template
	// replies contains Replies, then ParagraphReplies in paragraph order.
	replies []template
}

// minMarkWords is the fewest words a paragraph mark has, so that it
// identifies its paragraph rather than a common phrase.
const minMarkWords = 3

// prepare checks th and precomputes what composing needs.
func (th *threadText) prepare() error {
	if len(th.Subjects) == 0 || len(th.Paragraphs) < 2 || len(th.Replies) == 0 {
		return errors.New("want subjects, at least 2 paragraphs and replies")
	}
	th.patterns = make([][]string, len(th.Subjects))
	for j, s := range th.Subjects {
		if strings.ContainsAny(s, "[]") {
			return fmt.Errorf("subject %q has alternatives, which replies cannot match", s)
		}
		th.patterns[j] = subjectPattern(s)
	}
	th.subjectSlots = placeholderLists(th.Subjects)

	lead := placeholders(th.Paragraphs[0])
	for _, tmpl := range slices.Concat(th.Subjects, th.About) {
		for _, key := range placeholders(tmpl) {
			if !slices.Contains(lead, key) {
				return fmt.Errorf("%q names {%s}, which the first paragraph does not", tmpl, key)
			}
		}
	}
	th.about = newTemplates(th.About)
	if len(th.about) > 0 && !hasFactFree(th.about) {
		return errors.New("want an about without fact slots, for replies")
	}

	th.replies = newTemplates(th.Replies)
	for _, k := range slices.Sorted(maps.Keys(th.ParagraphReplies)) {
		if k < 1 || k >= len(th.Paragraphs) {
			return fmt.Errorf("paragraph_replies key %d is not a later paragraph", k)
		}
		mark := paragraphMark(th.Paragraphs[k])
		if mark == "" {
			return fmt.Errorf("paragraph %q has no run of %d words outside placeholders to recognize it by", th.Paragraphs[k], minMarkWords)
		}
		for _, s := range th.ParagraphReplies[k] {
			t := newTemplate(s)
			t.mark = mark
			th.replies = append(th.replies, t)
		}
	}
	return nil
}

// placeholderLists returns the placeholders of each template in list.
func placeholderLists(list []string) [][]string {
	out := make([][]string, len(list))
	for i, s := range list {
		out[i] = placeholders(s)
	}
	return out
}

// placeholders returns the names of the placeholders in tmpl as the
// expander keys them: "{Vendor}" gives "vendor" and "{n#2}" gives "n#2".
// Digit runs such as "{#4}" are left out, since they are drawn anew each
// time.
func placeholders(tmpl string) []string {
	var out []string
	for _, m := range placeholderNames(tmpl) {
		if strings.HasPrefix(m, "#") {
			continue
		}
		key, _ := lowerFirst(m)
		if !slices.Contains(out, key) {
			out = append(out, key)
		}
	}
	return out
}

// placeholderNames returns the text between each "{" and the "}" after it.
func placeholderNames(tmpl string) []string {
	var out []string
	for rest := tmpl; ; {
		start := strings.IndexByte(rest, '{')
		if start < 0 {
			return out
		}
		end := strings.IndexByte(rest[start:], '}')
		if end < 0 {
			return out
		}
		out = append(out, rest[start+1:start+end])
		rest = rest[start+end+1:]
	}
}

// paragraphMark returns the longest run of words in tmpl outside
// placeholders, alternatives and register forms, folded by foldWords and
// with a space at each end, or "" when no run has minMarkWords words. A
// word next to a placeholder is left out, since a contraction such as
// Spanish "de el" to "del" can change it.
func paragraphMark(tmpl string) string {
	best := ""
	consider := func(run string, afterSlot, beforeSlot bool) {
		words := strings.Fields(foldWords(run))
		if afterSlot && len(words) > 0 {
			words = words[1:]
		}
		if beforeSlot && len(words) > 0 {
			words = words[:len(words)-1]
		}
		if len(words) < minMarkWords {
			return
		}
		if mark := " " + strings.Join(words, " ") + " "; len(mark) > len(best) {
			best = mark
		}
	}
	depth, start := 0, 0
	for i := 0; i < len(tmpl); i++ {
		switch tmpl[i] {
		case '{', '[', '<':
			if depth == 0 {
				consider(tmpl[start:i], start > 0, true)
			}
			depth++
		case '}', ']', '>':
			depth--
			if depth == 0 {
				start = i + 1
			}
		}
	}
	if depth == 0 {
		consider(tmpl[start:], start > 0, false)
	}
	return best
}

// foldWords returns the words of s, runs of letters and digits, in lower
// case and separated by single spaces. Folded text compares equal across
// line wrapping, changes of case and changed punctuation, such as an
// exclamation mark in place of a dot.
func foldWords(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	gap := false
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteByte(' ')
		}
		gap = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
