package generator

import (
	"strings"
	"testing"
	"unicode/utf8"

	"go.uber.org/zap"
)

// referenceMeasure counts thanks words the plain way: it lowers text,
// splits it into sentences and searches each for every stem.
func referenceMeasure(c *corpus, text string) piece {
	p := piece{text: text}
	if text == "" {
		return p
	}
	lower := strings.ToLower(text)
	var parts []string
	start := 0
	for i := 0; i < len(lower); i++ {
		switch lower[i] {
		case '\n':
			parts = append(parts, lower[start:i])
			start = i + 1
		case ' ', '\t':
			if i > start && endsSentence(lower[start:i]) {
				parts = append(parts, lower[start:i])
				start = i + 1
			}
		}
	}
	parts = append(parts, lower[start:])
	for i, sentence := range parts {
		n := 0
		for _, stem := range c.Thanks {
			for offset := 0; ; {
				j := strings.Index(sentence[offset:], stem)
				if j < 0 {
					break
				}
				j += offset
				if before, _ := utf8.DecodeLastRuneInString(sentence[:j]); !isWordRune(before) {
					n++
				}
				offset = j + len(stem)
			}
		}
		p.thanks += n
		if i == 0 {
			p.first = n > 0
		}
		p.last = n > 0
	}
	return p
}

// referenceWrap wraps text the plain way, splitting it into words first.
func referenceWrap(text string, width int) string {
	if width <= 0 {
		return text
	}
	var b strings.Builder
	line := 0
	for i, word := range strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }) {
		n := utf8.RuneCountInString(word)
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

// TestMeasureAndWrapMatchReference checks measure and wrap against plain
// versions of them on the lines and paragraphs of generated messages in
// every language, and on a few edge cases.
func TestMeasureAndWrapMatchReference(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	edge := []string{"", " ", "Thanks.\n", "Thanks. ", "THANK you! Merci\u00a0!", "bedanken Dank, danke.", "x\tthank\r\nyou", "  two  spaces  "}
	for _, language := range languages {
		c := g.corpora[language]
		texts := append([]string(nil), edge...)
		for _, msg := range conversation(t, g, language, 3, 150) {
			texts = append(texts, msg.Body)
			texts = append(texts, strings.Split(msg.Body, "\n\n")...)
		}
		for _, text := range texts {
			if got, want := c.measure(text), referenceMeasure(c, text); got != want {
				t.Errorf("%s: measure(%q) = %+v, want %+v", language, text, got, want)
			}
			for _, width := range []int{0, 10, 72} {
				if got, want := wrap(text, width), referenceWrap(text, width); got != want {
					t.Errorf("wrap(%q, %d) = %q, want %q", text, width, got, want)
				}
			}
		}
	}
}
