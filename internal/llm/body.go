package llm

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/decnet/emailgend/internal/generator"
)

var (
	bold = regexp.MustCompile(`\*\*([^*\n]+)\*\*|__([^_\n]+)__`)
	// quotePrefix matches the ">" markers, with their spaces, that start
	// a quoted line.
	quotePrefix = regexp.MustCompile(`^[ \t]*(?:>[ \t]?)+`)

	// dash matches a dash that no keyboard types, with any spaces around
	// it: an em-dash, a horizontal bar (U+2015), a two- or three-em dash,
	// a figure dash (U+2012), a minus sign (U+2212), a small or vertical
	// em-dash (U+FE58, U+FE31) or a fullwidth hyphen-minus (U+FF0D). It
	// also matches any other dash punctuation (Unicode category Pd) and
	// "--" with spaces on both sides, where it is a sentence dash. An
	// en-dash or a Unicode hyphen without spaces, as in "2019–2020", stays,
	// and so does "--" without spaces, such as the "-- " line that starts
	// a signature. The ASCII hyphen-minus is never matched.
	dash          = regexp.MustCompile(`[ \t]*[` + wideDashes + `][ \t]*|[ \t]+(?:--|[^\P{Pd}-])[ \t]+`)
	lineStartDash = regexp.MustCompile(`^(\s*)(?:[` + wideDashes + `]|[^\P{Pd}-])[ \t]*`)
	doubledComma  = regexp.MustCompile(`,\s*([,.;:!?])`)
)

// wideDashes are the dashes that are replaced even without spaces around
// them, as a regexp character class.
const wideDashes = `\x{2012}\x{2014}\x{2015}\x{2212}\x{2E3A}\x{2E3B}\x{FE31}\x{FE58}\x{FF0D}`

// isDash reports whether r is a dash that replaceDashes rewrites.
func isDash(r rune) bool {
	return r != '-' && (unicode.Is(unicode.Pd, r) || strings.ContainsRune("\u2212\uFE58\uFF0D", r))
}

// cleanBody finishes the body text. It removes control characters and
// Markdown bold, fills the placeholders that placeholderFills lists,
// replaces dashes for senders who do not use LLMs heavily, collapses
// blank-line runs to one and caps the result at maxBodyRunes. The
// persona's signature and, in a reply, quoted lines keep their text. A
// placeholder left after filling, outside the signature, is an error
// wrapping ErrUnusable.
func cleanBody(text string, req generator.Request) (string, error) {
	text = dropControls(text)
	before, sig, after := splitSignature(text, req.Sender.Signature)
	before, after = fixLines(before, req), fixLines(after, req)
	if p := findPlaceholder(before + "\n" + after); p != "" {
		return "", fmt.Errorf("repairing output: placeholder %s left in the body: %w", p, ErrUnusable)
	}
	text = before + sig + after

	var out []string
	blank := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	return cutAtLineEnd(strings.Join(out, "\n"), maxBodyRunes), nil
}

// fixLines removes Markdown bold and heading markers, fills placeholders and replaces dashes
// in each line of text, and drops the lines that fillPlaceholders drops.
// In a reply, quoted lines are the parent's text and stay as they are. In
// a new thread there is no parent, so a quote is the model's own text and
// is fixed after its ">" markers.
func fixLines(text string, req generator.Request) string {
	lines := strings.Split(text, "\n")
	out := lines[:0]
	for _, line := range lines {
		prefix := quotePrefix.FindString(line)
		if prefix != "" && req.Parent != nil {
			out = append(out, line)
			continue
		}
		rest := bold.ReplaceAllString(line[len(prefix):], "$1$2")
		// NOTE: a line that starts with "# " for another reason, as in
		// "# of seats: 12", also loses its "#".
		rest = headingMarker.ReplaceAllString(rest, "$1")
		rest, keep := fillPlaceholders(rest, req)
		if !keep {
			continue
		}
		if !req.Sender.UsesLLMsHeavily {
			rest = replaceDashes(rest)
		}
		out = append(out, prefix+rest)
	}
	return strings.Join(out, "\n")
}

// splitSignature splits text around the last copy of signature, compared
// with trailing spaces removed from each line. Without a copy, all of text
// is before.
func splitSignature(text, signature string) (before, sig, after string) {
	lines := strings.Split(strings.ReplaceAll(signature, "\r\n", "\n"), "\n")
	for i, line := range lines {
		lines[i] = strings.TrimRight(line, " \t")
	}
	sig = strings.TrimSpace(strings.Join(lines, "\n"))
	if sig == "" {
		return text, "", ""
	}
	i := strings.LastIndex(text, sig)
	if i < 0 {
		return text, "", ""
	}
	return text[:i], sig, text[i+len(sig):]
}

// replaceDashes rewrites the dashes that dash matches in one line, the
// way a person typing on a keyboard would: a comma between words, a
// hyphen between digits or at the start of the line, nothing at its end.
func replaceDashes(line string) string {
	if strings.TrimFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || isDash(r) }) == "" {
		return strings.TrimFunc(line, isDash)
	}
	line = lineStartDash.ReplaceAllString(line, "${1}- ")
	locs := dash.FindAllStringIndex(line, -1)
	if locs == nil {
		return line
	}
	var b strings.Builder
	prev := 0
	for _, loc := range locs {
		left, match, right := line[:loc[0]], line[loc[0]:loc[1]], line[loc[1]:]
		b.WriteString(line[prev:loc[0]])
		prev = loc[1]
		switch {
		case strings.TrimSpace(right) == "":
			// A dash at the end of a line is dropped.
		case strings.TrimSpace(left) == "":
			b.WriteString("- ")
		case endsWithDigit(left) && startsWithDigit(right):
			b.WriteString("-")
		case startsWithDigit(right) && strings.HasPrefix(match, " ") && !strings.HasSuffix(match, " "):
			// A dash before a number, as in "down −5%", is a minus sign.
			b.WriteString(" -")
		default:
			b.WriteString(", ")
		}
	}
	b.WriteString(line[prev:])
	return doubledComma.ReplaceAllString(b.String(), "$1")
}

// dropControls removes control characters other than line feed and tab,
// which have no place in a text/plain message.
func dropControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

func endsWithDigit(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsDigit(r)
}

func startsWithDigit(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsDigit(r)
}
