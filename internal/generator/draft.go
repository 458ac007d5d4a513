package generator

import "strings"

// draft is a message body before it is rendered as text.
type draft struct {
	// paras are the paragraphs, the greeting first when there is one. A
	// paragraph may hold several lines, such as a list under its label.
	paras []string
	// signoff is the sign-off line, or "" when the signature opens with
	// its own.
	signoff   string
	signature string
	// after are the blocks below the signature, such as a P.S. or a mail
	// client's footer.
	after []string
	// quote is the attribution line and quoted parent of a reply, or "".
	quote string
	// lowercase is set for senders who write in lower case. It applies to
	// the paragraphs, the sign-off and a P.S. but not to the signature,
	// which a mail client inserts, nor to a client's footer.
	lowercase bool
	// postscripts counts the blocks of after that the sender typed, which
	// come before any footer the mail client adds.
	postscripts int
}

// newDraft adds the sign-off and signature to paras.
func (w *composer) newDraft(paras []string) draft {
	d := draft{paras: paras, signature: w.signature()}
	if !startsWithSignoff(d.signature) {
		d.signoff = w.signoff()
	}
	return d
}

// render returns the body text of d: the paragraphs, wrapped, then the
// sign-off and signature, the blocks after it and the quoted parent.
func (w *composer) render(d draft) string {
	var b strings.Builder
	size := len(d.signoff) + len(d.signature) + len(d.quote) + 16
	for _, p := range d.paras {
		size += len(p) + 2
	}
	for _, block := range d.after {
		size += len(block) + 2
	}
	b.Grow(size)

	for i, p := range d.paras {
		// Every paragraph after the greeting starts a sentence, except in
		// languages that go on in lower case (see LowerAfterGreeting).
		greeting := i == 0 && w.greeted
		if !greeting && !(i == 1 && w.afterGreeting) {
			p = capitalize(p)
		}
		if d.lowercase {
			p = w.c.lowercase(p)
		}
		b.WriteString(wrapLines(p, w.habits.wrapWidth))
		b.WriteString("\n\n")
	}
	if d.signoff != "" {
		signoff := d.signoff
		if d.lowercase {
			signoff = w.c.lowercase(signoff)
		}
		b.WriteString(signoff + "\n")
	}
	b.WriteString(d.signature)
	b.WriteString("\n")
	for i, block := range d.after {
		if i < d.postscripts {
			if d.lowercase {
				block = w.c.lowercase(block)
			}
			block = wrapLines(block, w.habits.wrapWidth)
		}
		b.WriteString("\n" + block + "\n")
	}
	if d.quote != "" {
		b.WriteString("\n" + d.quote)
	}
	return b.String()
}

// wrapLines wraps each line of text on its own, so the items of a list
// stay on lines of their own.
func wrapLines(text string, width int) string {
	if !strings.Contains(text, "\n") {
		return wrap(text, width)
	}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i] = wrap(line, width)
	}
	return strings.Join(lines, "\n")
}
