package llm

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// This file handles output that has the wrong form for a plain-text email:
// a JSON object, HTML, Markdown headings and tables, a second version of
// the email, and italic notes about the writing.

var (
	// htmlTag matches the HTML tags that models use to format an email.
	// Angle brackets around an address or a placeholder such as
	// "<Recipient's Name>" do not match.
	htmlTag = regexp.MustCompile(`(?i)</?(?:html|head|body|p|div|span|br|hr|table|thead|tbody|tr|td|th|ul|ol|li|h[1-6]|strong|em|b|i|u|a|font|style|meta|title)(?:\s[^<>]*)?/?>`)
	// tableRule matches the rule under a Markdown table's header row, such
	// as "|---|:--:|" or "--- | ---".
	tableRule = regexp.MustCompile(`^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$`)
	// headingMarker matches the "#" markers of a Markdown heading. A "#"
	// without a space after it, as in "#3" or "#general", stays.
	headingMarker = regexp.MustCompile(`^(\s*)#{1,6}[ \t]+`)
	// alternativeHeading matches a heading that starts a second version of
	// the email, in the languages of the template corpus. A sentence such
	// as "Alternative: we meet on Friday." ends in a period and does not
	// match.
	alternativeHeading = regexp.MustCompile(`(?i)^[\s#*_>]*(?:alternative(?: version| draft| email| option)?|another version|option (?:2|b|two)|version (?:2|b|two)|draft (?:2|b|two)|versión alternativa|otra versión|opción (?:2|b|dos)|versão alternativa|outra versão|opção (?:2|b|dois)|version alternative|autre version|alternativ(?:e version|er entwurf)?|variante (?:2|b|zwei)|andere version)[\s*_]*(?:[:(\-\x{2013}\x{2014}][^.!?]{0,40})?[\s*_)]*$`)
	// italicLine matches a line wholly in Markdown italics, such as
	// "*I kept the tone formal.*" or "_Note: names are invented._".
	italicLine = regexp.MustCompile(`^\s*(?:\*[^*\s][^*]*\*|_[^_\s][^_]*_)\s*$`)
)

// jsonEmail is the object some models return instead of plain text.
type jsonEmail struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// unwrapJSON returns text rewritten as "Subject: ...", a blank line and
// the body when all of text is a JSON object with a "body" field. Other
// text is returned as it is. A JSON object without a usable body is an
// error wrapping ErrUnusable.
func unwrapJSON(text string) (string, error) {
	trimmed := strings.TrimSpace(text)
	if !strings.HasPrefix(trimmed, "{") || !strings.HasSuffix(trimmed, "}") {
		return text, nil
	}
	var email jsonEmail
	if err := json.Unmarshal([]byte(trimmed), &email); err != nil {
		return "", fmt.Errorf("repairing output: output is an invalid JSON object: %v: %w", err, ErrUnusable)
	}
	if strings.TrimSpace(email.Body) == "" {
		return "", fmt.Errorf("repairing output: output is a JSON object without a body: %w", ErrUnusable)
	}
	// An empty subject line is read as a missing subject later on.
	return "Subject: " + strings.Join(strings.Fields(email.Subject), " ") + "\n\n" + strings.ReplaceAll(email.Body, "\r\n", "\n"), nil
}

// checkFormat returns an error wrapping ErrUnusable when text contains
// HTML or a Markdown table. Removing either would leave a message whose
// layout no person types, so the output is rejected.
func checkFormat(text string) error {
	if tag := htmlTag.FindString(text); tag != "" {
		return fmt.Errorf("repairing output: output contains the HTML tag %s: %w", tag, ErrUnusable)
	}
	for _, line := range strings.Split(text, "\n") {
		if tableRule.MatchString(line) {
			return fmt.Errorf("repairing output: output contains a Markdown table: %w", ErrUnusable)
		}
	}
	return nil
}

// cutAlternative returns lines up to a second version of the email, which
// starts at a heading such as "Alternative version" or "Option 2", or,
// when the output began with a subject label (afterSubject), at another
// subject label. A label right after a header line such as "Date:" is
// part of a forwarded message and stays, and so does a label in output
// that had none at the top.
func cutAlternative(lines []string, afterSubject bool) []string {
	previous := ""
	for i, line := range lines {
		if alternativeHeading.MatchString(line) {
			return lines[:i]
		}
		if afterSubject && subjectLabel.MatchString(line) && !headerLine.MatchString(previous) {
			return lines[:i]
		}
		if strings.TrimSpace(line) != "" {
			previous = line
		}
	}
	return lines
}

// isItalicNote reports whether paragraph is a single italic line about the
// writing, such as "*I have written this in a formal tone as requested.*".
func isItalicNote(paragraph string) bool {
	return !strings.Contains(paragraph, "\n") && italicLine.MatchString(paragraph) &&
		(writingWord.MatchString(paragraph) || metaPhrase.MatchString(normalizeForMatch(paragraph)))
}
