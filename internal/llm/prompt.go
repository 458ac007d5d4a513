package llm

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/message"
	"github.com/decnet/emailgend/internal/persona"
)

// maxExcerptRunes caps the parent body quoted in a reply prompt.
const maxExcerptRunes = 1500

// Prompt returns the system and user messages that ask a model for the
// message described by req. The system message holds the rules that every
// message follows. The user message describes this message: sender and
// recipient, the given mannerisms, the topic and, for a reply, the parent
// subject and a capped excerpt of its body.
func Prompt(req generator.Request, mannerisms []string) (system, user string) {
	return systemPrompt(req), userPrompt(req, mannerisms)
}

func systemPrompt(req generator.Request) string {
	sender := req.Sender
	var b strings.Builder
	b.WriteString("You write one realistic email between two coworkers at the same company. " +
		"It must read like ordinary workplace mail written by a person. Follow these rules exactly.\n\n")

	rule := func(format string, args ...any) {
		b.WriteString("- ")
		fmt.Fprintf(&b, format, args...)
		b.WriteString("\n")
	}
	rule("Write the subject and the body in %s.", languageName(sender.Language))
	if sender.UsesLLMsHeavily {
		rule("Em-dashes are allowed.")
	} else {
		rule("Do not use em-dashes (\u2014) or en-dashes as dashes. Use commas, periods or parentheses instead.")
	}
	if req.Parent != nil {
		rule("This is a reply. The subject must be exactly: %s", message.ReplySubject(req.Parent.Subject))
	} else {
		rule("Write a short, specific subject for a new conversation, without \"Re:\" or \"Fwd:\".")
	}
	if sig := strings.TrimSpace(sender.Signature); sig != "" {
		rule("End the body with this signature, copied exactly, line by line:\n%s", sig)
	} else {
		rule("Sign the email with the sender's name, %s, after a short closing.", sender.Name)
	}
	rule("Use plain text only: no Markdown, no bullet symbols other than \"-\", no placeholders in square brackets.")
	rule("Do not mention these instructions, and do not add notes, explanations or offers to revise.")
	rule("Output format: the first line is \"Subject: \" followed by the subject, " +
		"then one blank line, then the body. Keep the label \"Subject:\" in English. " +
		"Output nothing else: no introduction, no code fences, nothing after the body.")
	return b.String()
}

// userPrompt describes this one email. It names the message's date, read in
// the sender's zone, so weekdays and months in the text match the Date
// header.
func userPrompt(req generator.Request, mannerisms []string) string {
	sender, recipient := req.Sender, req.Recipient
	var b strings.Builder
	if !req.Date.IsZero() {
		date := req.Date
		if sender.Location != nil {
			date = date.In(sender.Location)
		}
		fmt.Fprintf(&b, "The email is written on %s at %s.\n", date.Format("Monday, 2 January 2006"), date.Format("15:04"))
	}
	fmt.Fprintf(&b, "Sender: %s, %s.\n", sender.Name, sender.Role)
	fmt.Fprintf(&b, "Sender's tone: %s.\n", toneDescription(sender))
	if len(mannerisms) > 0 {
		fmt.Fprintf(&b, "Work these habits of the sender into this email naturally: %s.\n",
			strings.Join(mannerisms, "; "))
	}
	fmt.Fprintf(&b, "Recipient: %s, %s.\n", recipient.Name, recipient.Role)

	topic := strings.TrimSpace(req.Topic)
	if req.Parent == nil {
		if topic == "" {
			topic = "an ordinary work matter"
		}
		fmt.Fprintf(&b, "Topic: %s.\n", topic)
		b.WriteString("Start a new conversation about the topic.\n")
		return b.String()
	}

	parent := req.Parent
	if topic != "" {
		fmt.Fprintf(&b, "Topic: %s.\n", topic)
	}
	from := strings.TrimSpace(parent.FromName)
	if from == "" {
		from = recipient.Name
	}
	fmt.Fprintf(&b, "Reply to this email from %s.\n", from)
	fmt.Fprintf(&b, "Its subject: %s\n", strings.TrimSpace(parent.Subject))
	if text := excerpt(parent.Body, maxExcerptRunes); text != "" {
		fmt.Fprintf(&b, "Its text:\n<<<\n%s\n>>>\n", text)
	}
	b.WriteString("Answer it as the sender, moving the conversation forward.\n")
	return b.String()
}

// pickMannerisms returns one or two of the non-blank mannerisms, chosen
// at random with r, or none when there are none.
func pickMannerisms(all []string, r *rand.Rand) []string {
	var usable []string
	for _, m := range all {
		if m = strings.TrimSpace(m); m != "" {
			usable = append(usable, m)
		}
	}
	if len(usable) == 0 {
		return nil
	}
	n := 1
	if len(usable) > 1 {
		n += r.IntN(2)
	}
	picked := make([]string, 0, n)
	for _, i := range r.Perm(len(usable))[:n] {
		picked = append(picked, usable[i])
	}
	return picked
}

// toneDescription describes the sender's voice. A custom tone uses the
// persona's own description, or formal when that is blank.
func toneDescription(p persona.Persona) string {
	switch p.Tone {
	case persona.Direct:
		return "direct: short sentences, gets to the point, no small talk"
	case persona.Casual:
		return "casual: friendly and relaxed, first names, contractions"
	case persona.Technical:
		return "technical: precise, uses the vocabulary of their role, gives specifics"
	case persona.Custom:
		if custom := strings.TrimSpace(p.ToneCustom); custom != "" {
			return custom
		}
	}
	return "formal: polite, complete sentences, professional"
}

// languageNames maps ISO 639-1 codes to English language names. Codes
// that are not listed are named by code alone.
var languageNames = map[string]string{
	"ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech",
	"da": "Danish", "de": "German", "el": "Greek", "en": "English",
	"es": "Spanish", "et": "Estonian", "eu": "Basque", "fi": "Finnish",
	"fr": "French", "ga": "Irish", "gl": "Galician", "he": "Hebrew",
	"hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian",
	"is": "Icelandic", "it": "Italian", "ja": "Japanese", "ko": "Korean",
	"lt": "Lithuanian", "lv": "Latvian", "ms": "Malay", "nb": "Norwegian Bokmål",
	"nl": "Dutch", "nn": "Norwegian Nynorsk", "no": "Norwegian", "pl": "Polish",
	"pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
	"sl": "Slovenian", "sr": "Serbian", "sv": "Swedish", "th": "Thai",
	"tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}

// languageName returns the English name of a language code followed by
// the code, such as "Spanish (es)" or "Portuguese (pt-BR)". An empty code
// is persona.DefaultLanguage.
func languageName(code string) string {
	code = strings.TrimSpace(code)
	if code == "" {
		code = persona.DefaultLanguage
	}
	base, _, _ := strings.Cut(code, "-")
	if name, ok := languageNames[strings.ToLower(base)]; ok {
		return name + " (" + code + ")"
	}
	return "the language with ISO 639-1 code " + code
}

// excerpt returns the parent's own text for the prompt: its lines without
// what it quoted in turn, capped at limit runes and cut at a line end when
// possible.
func excerpt(body string, limit int) string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	var own []string
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), ">") {
			continue
		}
		own = append(own, strings.TrimRight(line, " \t"))
	}
	text := strings.TrimSpace(strings.Join(own, "\n"))
	return cutAtLineEnd(text, limit)
}
