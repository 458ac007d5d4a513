package generator

import (
	"strconv"
	"strings"
)

const (
	// maxQuoteLines bounds the quoted excerpt of a parent message.
	maxQuoteLines = 12
	// Quoted lines longer than maxQuoteWidth, as sent by clients that do
	// not wrap, are rewrapped to quoteWidth before the "> " prefix.
	maxQuoteWidth = 76
	quoteWidth    = 72
)

// quote returns the attribution line and a "> " quoted excerpt of the
// parent, or "" when the sender does not quote this time or the parent has
// no body or no date.
func (w *composer) quote() string {
	parent := w.req.Parent
	if parent.Date.IsZero() || strings.TrimSpace(parent.Body) == "" {
		return ""
	}
	if w.req.Rand.IntN(100) >= w.habits.quotePercent {
		return ""
	}
	lines := excerpt(parent.Body)
	if len(lines) == 0 {
		return ""
	}

	name := strings.TrimSpace(parent.FromName)
	if name == "" {
		name = w.req.Recipient.Name
	}
	// A mail client writes the attribution in its own user's zone, which is
	// the replying sender's.
	d := parent.Date
	if loc := w.req.Sender.Location; loc != nil {
		d = d.In(loc)
	}
	for key, value := range map[string]string{
		"qname":     name,
		"qweekday":  w.c.Weekdays[d.Weekday()],
		"qday":      strconv.Itoa(d.Day()),
		"qmonth":    w.c.Months[d.Month()-1],
		"qmonthnum": strconv.Itoa(int(d.Month())),
		"qyear":     strconv.Itoa(d.Year()),
		"qtime":     d.Format("15:04"),
		"qtime12":   d.Format("3:04 PM"),
	} {
		w.ex.fixed[key] = value
	}
	header := w.ex.expand(w.c.QuoteHeaders[w.habits.quoteHeader%len(w.c.QuoteHeaders)])

	var b strings.Builder
	b.WriteString(header + "\n")
	for _, line := range lines {
		if line == "" {
			b.WriteString(">\n")
		} else {
			b.WriteString("> " + line + "\n")
		}
	}
	return b.String()
}

// excerpt returns the start of a parent body for quoting: the parent's own
// text without what it quoted in turn (the first ">" line and the
// attribution line before it), with long lines rewrapped. It keeps at most
// maxQuoteLines lines, cut at the end of a paragraph when one ends in
// time, and no blank lines at either end.
func excerpt(body string) []string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	var own []string
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if strings.HasPrefix(line, ">") {
			own = trimBlank(own)
			if n := len(own); n > 0 && strings.HasSuffix(own[n-1], ":") {
				own = own[:n-1]
			}
			break
		}
		own = append(own, line)
	}

	var lines []string
	for _, line := range trimBlank(own) {
		if len([]rune(line)) > maxQuoteWidth {
			lines = append(lines, strings.Split(wrap(line, quoteWidth), "\n")...)
		} else {
			lines = append(lines, line)
		}
	}
	if len(lines) > maxQuoteLines {
		lines = lines[:maxQuoteLines]
		if end := lastBlank(lines); end > 0 {
			lines = lines[:end]
		}
	}
	return trimBlank(lines)
}

// trimBlank drops blank lines from both ends of lines.
func trimBlank(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// lastBlank returns the index of the last blank line, or -1.
func lastBlank(lines []string) int {
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.TrimSpace(lines[i]) == "" {
			return i
		}
	}
	return -1
}
