package llm

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/message"
)

// ErrUnusable reports model output that leaves no usable message after
// repair: no text, no body, a refusal, a mention of being an AI or a
// language model, or a placeholder that could not be filled.
var ErrUnusable = errors.New("unusable model output")

const (
	maxSubjectRunes = 200
	maxBodyRunes    = 8000
	// subjectSearchLines is how many non-blank lines from the top are
	// searched for a subject label. A label further down belongs to the
	// body, such as a forwarded message.
	subjectSearchLines = 10
	// maxBareSubjectRunes bounds an unlabeled first line that is taken as
	// the subject.
	maxBareSubjectRunes = 80
	// maxTailRunes bounds a trailing paragraph that is removed as
	// assistant chatter. Longer paragraphs are left alone.
	maxTailRunes = 400
)

var (
	// subjectLabel matches a subject line in English or in the languages
	// of the template corpus and its neighbors, allowing Markdown markers
	// around the label, as in "**Subject:** x", "## Betreff: x" or
	// "Objet : x".
	subjectLabel = regexp.MustCompile(`(?i)^[\s#*_]*(?:subject|asunto|assunto|objet|betreff|oggetto|onderwerp|temat|ämne|emne|aihe)[\s*_]*[:：][\s*_]*(.*)$`)
	// bodyLabel matches a "Body:" label, which some models put after the
	// subject. The group is any text on the same line.
	bodyLabel = regexp.MustCompile(`(?i)^[\s*_]*(?:body|cuerpo|corpo|corps|inhalt|testo|texto|text|email body)[\s*_]*:[\s*_]*(.*)$`)
	// headerLine matches header-like lines such as "To: Maria" or
	// "Message-ID: <...>" that some models write between the subject and
	// the body.
	headerLine = regexp.MustCompile(`(?i)^[\s*_]*(?:to|from|cc|bcc|reply-to|message-id|in-reply-to|references|sender|return-path|mime-version|content-type|content-transfer-encoding|x-[a-z0-9-]+|date|para|de|à|a|an|von|da|fecha|data|datum|destinatario|destinatário|destinataire|empfänger|remitente|expéditeur)[\s*_]*:[\s*_]*\S`)

	fence = regexp.MustCompile("^\\s*(?:```|~~~)")

	preambleStart = regexp.MustCompile(`(?i)^[\s*_]*(?:sure|certainly|of course|absolutely|okay|ok|alright|great|here is|here's|here are|below is|claro|por supuesto|aquí tienes|aquí está|a continuación|com certeza|aqui está|segue|voici|bien sûr|hier ist|gerne|natürlich|ecco|certo)\b`)
	// emailWord marks a preamble that talks about the text it introduces.
	emailWord = regexp.MustCompile(`(?i)(?:e-?mail|draft|message|correo|borrador|mensaje|mensagem|rascunho|courriel|brouillon|nachricht|entwurf|messaggio|bozza)`)

	greeting = regexp.MustCompile(`(?i)^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|hola|buenos días|buenas|estimad[oa]s?|querid[oa]|olá|oi|prezad[oa]|bom dia|boa tarde|caro|cara|bonjour|salut|cher|chère|madame|monsieur|hallo|guten (?:tag|morgen)|liebe|lieber|sehr geehrte|moin|ciao|buongiorno|gentile|salve|team|all|everyone)\b`)

	// noteStart and writingWord together mark a trailing note about the
	// text, such as "Note: I kept the tone formal."
	noteStart   = regexp.MustCompile(`(?i)^[\s(*_\[]*(?:note|nota|remarque|hinweis|anmerkung|n\.b\.)\b`)
	writingWord = regexp.MustCompile(`(?i)(?:tone|e-?mail|draft|signature|placeholder|subject|instruction|request|adjust|replace|customi[sz]e|tono|correo|firma|asunto|borrador|ton\b|courriel|signatur|entwurf|assinatura|rascunho|tom\b)`)
	// offer and revision together mark an assistant's closing offer, such
	// as "Let me know if you'd like any changes!"
	offer    = regexp.MustCompile(`(?i)(?:let me know|feel free|if you(?:'d| would)? (?:like|want|need|prefer)|would you like|i can (?:also )?(?:adjust|change|make|revise|rewrite|modify|tweak)|i'd be happy|i hope this|hope this (?:helps|works)|happy to|avísame|dime si|si (?:necesitas|quieres|deseas|prefieres)|n'hésitez|dites-moi|si vous (?:souhaitez|voulez)|lass mich wissen|sag mir|falls (?:du|sie)|me avise|me diga|se (?:precisar|quiser)|fammi sapere|se (?:vuoi|desideri))`)
	revision = regexp.MustCompile(`(?i)(?:change|adjust|modif|tweak|revis|edit|rewrite|draft|tone|version|helps|cambio|ajust|änder|anpass|alteraç|mudanç)`)

	separator = regexp.MustCompile(`^\s*(?:-{3,}|\*{3,}|_{3,}|={3,})\s*$`)

	forwardPrefix = regexp.MustCompile(`(?i)^(?:\s*(?:fwd?|wg|tr)\s*:)+\s*`)
)

// Repair turns raw model output into a subject and body for req. It
// removes code fences, introductions such as "Here is the email:" and
// trailing offers to revise. It reads the subject from a "Subject:" line,
// or a localized label such as "Asunto:", "Assunto:", "Objet :",
// "Betreff:" or "Oggetto:", with or without Markdown bold. Without one, a
// short unlabeled first line becomes the subject, or else the topic's
// name in the sender's language (see generator.TopicSubject). A reply's
// subject is always message.ReplySubject of the parent subject.
//
// Header-like lines such as "To:", "Bcc:" or "X-Mailer:" at the start of
// the body are removed. Known placeholders such as "[Recipient's Name]",
// "[Your Name]", "[Your Title]" or "[Company Name]" are filled from req.
//
// For senders who do not use LLMs heavily, em-dashes, horizontal bars and
// spaced en-dashes or "--" become commas or hyphens, except in the
// persona's signature and in a reply's quoted lines. The subject is
// capped at 200 characters and the body at 8,000, cut at a line end.
//
// A JSON object with "subject" and "body" fields is read as the subject
// and body. Output after a second subject label or a heading such as
// "Alternative version" or "Option 2" is a second email and is cut, and
// a trailing italic note about the writing is removed.
//
// The result is an error wrapping ErrUnusable when no body is left, when
// any paragraph of the output is a refusal, or when the subject or body
// still talks about how it was written. The same error comes when the
// model calls itself an AI or credits one anywhere in the output. It also
// comes for HTML, a Markdown table, or a placeholder such as "[Date]",
// "{deadline}" or "XX/XX/2025" that is left after filling.
func Repair(raw string, req generator.Request) (subject, body string, err error) {
	raw = strings.TrimPrefix(raw, "\ufeff")
	raw = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(raw)
	if strings.TrimSpace(raw) == "" {
		return "", "", fmt.Errorf("repairing output: no text: %w", ErrUnusable)
	}

	var lines []string
	for _, line := range strings.Split(raw, "\n") {
		if !fence.MatchString(line) {
			lines = append(lines, strings.TrimRight(line, " \t"))
		}
	}

	text, err := unwrapJSON(strings.Join(lines, "\n"))
	if err != nil {
		return "", "", err
	}
	// The whole output is checked, so a refusal or disclaimer before the
	// subject, after the greeting or in a trailing note also rejects it.
	if mentionsBeingAI(text) {
		return "", "", fmt.Errorf("repairing output: output mentions being an AI or a language model: %w", ErrUnusable)
	}
	if containsRefusal(text) {
		return "", "", fmt.Errorf("repairing output: output is a refusal: %w", ErrUnusable)
	}
	if err := checkFormat(text); err != nil {
		return "", "", err
	}

	lines = lines[:0]
	for _, line := range strings.Split(text, "\n") {
		lines = append(lines, strings.TrimRight(line, " \t"))
	}
	subject, lines, found := takeLabeledSubject(lines)
	if !found {
		lines = dropPreamble(lines)
		subject, lines = takeBareSubject(lines, req)
	}
	lines = cutAlternative(lines, found)
	lines = dropHeaderLines(lines)
	lines = dropAssistantTail(lines, req)

	body, err = cleanBody(strings.Join(lines, "\n"), req)
	if err != nil {
		return "", "", err
	}
	if body == "" {
		return "", "", fmt.Errorf("repairing output: no body: %w", ErrUnusable)
	}
	// Notes about the writing that dropAssistantTail did not remove, such
	// as one between the greeting and the sign-off, reject the output.
	if isRefusalOrMeta(subject) || isRefusalOrMeta(body) {
		return "", "", fmt.Errorf("repairing output: subject or body is a refusal or a note about the writing: %w", ErrUnusable)
	}

	subject = finishSubject(subject, req)
	if p := findPlaceholder(subject); p != "" && req.Parent == nil {
		return "", "", fmt.Errorf("repairing output: placeholder %s left in the subject: %w", p, ErrUnusable)
	}
	return subject, body, nil
}

// takeLabeledSubject finds a subject label near the top. It returns the
// subject and the lines after it, dropping any introduction before it.
func takeLabeledSubject(lines []string) (subject string, rest []string, found bool) {
	seen := 0
	for i, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if seen++; seen > subjectSearchLines {
			break
		}
		m := subjectLabel.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		subject, rest = m[1], lines[i+1:]
		if strings.Trim(subject, " *_") == "" {
			// The subject may stand on the line right below its label. A
			// blank line there means the subject is missing, and the line
			// after it is the greeting, so finishSubject supplies one.
			if len(rest) > 0 && strings.TrimSpace(rest[0]) != "" && utf8.RuneCountInString(rest[0]) <= maxSubjectRunes {
				subject, rest = rest[0], rest[1:]
			}
		}
		return subject, rest, true
	}
	return "", lines, false
}

// dropPreamble removes leading lines that introduce the email rather than
// belong to it, such as "Sure! Here's a draft:".
func dropPreamble(lines []string) []string {
	for {
		lines = trimLeadingBlank(lines)
		if len(lines) == 0 {
			return lines
		}
		first := strings.TrimSpace(lines[0])
		if !preambleStart.MatchString(first) {
			return lines
		}
		if !strings.HasSuffix(first, ":") && !emailWord.MatchString(first) {
			return lines
		}
		lines = lines[1:]
	}
}

// takeBareSubject takes an unlabeled first line as the subject when it
// looks like one: short, no final punctuation, not a greeting or a
// header-like line, and followed by a blank line and more text.
func takeBareSubject(lines []string, req generator.Request) (string, []string) {
	lines = trimLeadingBlank(lines)
	if len(lines) < 3 || strings.TrimSpace(lines[1]) != "" {
		return "", lines
	}
	first := strings.Trim(strings.TrimSpace(lines[0]), "*_#")
	if first == "" || utf8.RuneCountInString(first) > maxBareSubjectRunes {
		return "", lines
	}
	last, _ := utf8.DecodeLastRuneInString(first)
	if strings.ContainsRune(",:;.!?…", last) || greeting.MatchString(first) || headerLine.MatchString(first) {
		return "", lines
	}
	if name := firstName(req.Recipient.Name); name != "" && strings.Contains(first, name) {
		return "", lines
	}
	if len(trimLeadingBlank(lines[2:])) == 0 {
		return "", lines
	}
	return first, lines[2:]
}

// dropHeaderLines removes header-like lines and a "Body:" label at the
// start of the body. Text on the label's line is kept.
func dropHeaderLines(lines []string) []string {
	for {
		lines = trimLeadingBlank(lines)
		if len(lines) == 0 {
			return lines
		}
		if m := bodyLabel.FindStringSubmatch(lines[0]); m != nil {
			if strings.TrimSpace(m[1]) == "" {
				return lines[1:]
			}
			return append([]string{m[1]}, lines[1:]...)
		}
		if !headerLine.MatchString(lines[0]) {
			return lines
		}
		lines = lines[1:]
	}
}

// dropAssistantTail removes trailing separators and trailing paragraphs
// in which the model talks to its user: offers to revise and notes about
// the text. A paragraph that contains the sender's name is kept, because
// it holds the sign-off.
func dropAssistantTail(lines []string, req generator.Request) []string {
	for {
		lines = trimTrailingBlank(lines)
		n := len(lines)
		if n == 0 {
			return lines
		}
		if separator.MatchString(lines[n-1]) {
			lines = lines[:n-1]
			continue
		}
		start := n
		for start > 0 && strings.TrimSpace(lines[start-1]) != "" {
			start--
		}
		if !isAssistantTail(strings.Join(lines[start:], "\n"), req) {
			return lines
		}
		lines = lines[:start]
	}
}

func isAssistantTail(paragraph string, req generator.Request) bool {
	if utf8.RuneCountInString(paragraph) > maxTailRunes || strings.HasPrefix(strings.TrimSpace(paragraph), ">") {
		return false
	}
	if isItalicNote(paragraph) {
		return true
	}
	if name := firstName(req.Sender.Name); name != "" && strings.Contains(paragraph, name) {
		return false
	}
	if noteStart.MatchString(paragraph) && writingWord.MatchString(paragraph) {
		return true
	}
	return offer.MatchString(paragraph) && revision.MatchString(paragraph)
}

// finishSubject returns the subject to use. A reply's subject is forced.
// A new thread's subject has its placeholders filled, loses Markdown,
// quotes and reply or forward prefixes, and falls back on the topic's
// name in the sender's language.
func finishSubject(subject string, req generator.Request) string {
	if req.Parent != nil {
		return message.ReplySubject(req.Parent.Subject)
	}
	s := strings.Join(strings.Fields(dropControls(subject)), " ")
	s, _ = fillPlaceholders(s, req) // A subject of only placeholders without a value becomes "".
	s = strings.Trim(s, "*_ ")
	s = trimQuotes(s)
	if r := message.ReplySubject(s); r != "Re:" {
		s = strings.TrimPrefix(r, "Re: ")
	} else {
		s = ""
	}
	s = forwardPrefix.ReplaceAllString(s, "")
	if !req.Sender.UsesLLMsHeavily {
		s = strings.TrimSpace(replaceDashes(s))
	}
	if s == "" {
		// The topic is an English key, so the template generator's name
		// for it in the sender's language is used.
		s = generator.TopicSubject(req.Topic, req.Sender.Language)
	}
	return cutAtLineEnd(s, maxSubjectRunes)
}

func trimQuotes(s string) string {
	for _, pair := range []string{`""`, "“”", "«»", "''", "„“"} {
		quotes := []rune(pair)
		inner, ok := strings.CutPrefix(s, string(quotes[0]))
		if !ok {
			continue
		}
		if inner, ok = strings.CutSuffix(inner, string(quotes[1])); ok {
			return strings.TrimSpace(inner)
		}
	}
	return s
}

// cutAtLineEnd returns s cut to at most limit runes, at the last line end
// in that range, else at the last space, else mid-word.
func cutAtLineEnd(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	count := 0
	end := len(s)
	for i := range s {
		if count == limit {
			end = i
			break
		}
		count++
	}
	cut := s[:end]
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	} else if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " \t\n")
}

func firstName(name string) string {
	fields := strings.Fields(name)
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}

func trimLeadingBlank(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	return lines
}

func trimTrailingBlank(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
