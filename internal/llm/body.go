package llm

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/decnet/emailgend/internal/generator"
)

var (
	bold = regexp.MustCompile(`\*\*([^*\n]+)\*\*|__([^_\n]+)__`)
	// namePlaceholder matches the sender-name placeholders that models
	// leave in a signature, in the languages of the template corpus.
	namePlaceholder = regexp.MustCompile(`(?i)\[(?:your (?:full )?name|name|sender(?:'s)? name|tu nombre|su nombre|votre nom|ton nom|ihr name|dein name|seu nome|o seu nome|il tuo nome|tuo nome)\]`)

	// dash matches an em-dash with any spaces around it, or an en-dash
	// with spaces on both sides. An en-dash without spaces, as in
	// "2019–2020", is a range and stays.
	dash          = regexp.MustCompile(`[ \t]*\x{2014}[ \t]*|[ \t]+\x{2013}[ \t]+`)
	lineStartDash = regexp.MustCompile(`^(\s*)[\x{2013}\x{2014}][ \t]*`)
	doubledComma  = regexp.MustCompile(`,\s*([,.;:!?])`)
)

// cleanBody finishes the body text: control characters, Markdown bold and
// name placeholders are removed, dashes are replaced for senders who do not use LLMs
// heavily, blank-line runs collapse to one, and the result is capped at
// maxBodyRunes. Quoted lines and the persona's signature keep their text.
func cleanBody(text string, req generator.Request) string {
	sender := req.Sender
	fix := func(line string) string {
		if strings.HasPrefix(strings.TrimSpace(line), ">") {
			return line
		}
		line = bold.ReplaceAllString(line, "$1$2")
		line = namePlaceholder.ReplaceAllLiteralString(line, sender.Name)
		if !sender.UsesLLMsHeavily {
			line = replaceDashes(line)
		}
		return line
	}

	text = dropControls(text)
	before, sig, after := splitSignature(text, sender.Signature)
	text = mapLines(before, fix) + sig + mapLines(after, fix)

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
	return cutAtLineEnd(strings.Join(out, "\n"), maxBodyRunes)
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

func mapLines(text string, fn func(string) string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i] = fn(line)
	}
	return strings.Join(lines, "\n")
}

// replaceDashes rewrites the dashes that dash matches in one line, the
// way a person typing on a keyboard would: a comma between words, a
// hyphen between digits or at the start of the line, nothing at its end.
func replaceDashes(line string) string {
	if strings.Trim(line, " \t\u2013\u2014") == "" {
		return strings.Trim(line, "\u2013\u2014")
	}
	line = lineStartDash.ReplaceAllString(line, "${1}- ")
	locs := dash.FindAllStringIndex(line, -1)
	if locs == nil {
		return line
	}
	var b strings.Builder
	prev := 0
	for _, loc := range locs {
		left, right := line[:loc[0]], line[loc[1]:]
		b.WriteString(line[prev:loc[0]])
		prev = loc[1]
		switch {
		case strings.TrimSpace(right) == "":
			// A dash at the end of a line is dropped.
		case strings.TrimSpace(left) == "":
			b.WriteString("- ")
		case endsWithDigit(left) && startsWithDigit(right):
			b.WriteString("-")
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
