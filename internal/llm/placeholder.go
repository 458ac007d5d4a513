package llm

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/decnet/emailgend/internal/generator"
)

// placeholderFill is a group of bracketed placeholders, such as
// "[Your Name]", and the request value that fills them.
type placeholderFill struct {
	pattern *regexp.Regexp
	value   func(req generator.Request) string
}

// placeholderPattern matches any of names in square brackets, angle
// brackets or single or double braces, as in "[Name]", "<Name>", "{name}"
// or "{{name}}", ignoring case and the spaces inside. A space in a name
// also matches "_", as in "{recipient_name}", and an apostrophe also
// matches the typographic one.
func placeholderPattern(names ...string) *regexp.Regexp {
	quoted := make([]string, len(names))
	for i, name := range names {
		quoted[i] = strings.NewReplacer(`'`, `['’]`, ` `, `[\s_]+`).Replace(regexp.QuoteMeta(name))
	}
	inner := `\s*(?:` + strings.Join(quoted, "|") + `)\s*`
	return regexp.MustCompile(`(?i)\[` + inner + `\]|<` + inner + `>|\{\{` + inner + `\}\}|\{` + inner + `\}`)
}

// placeholderFills lists the placeholders that are filled, in the
// languages of the template corpus. "[Name]" and its translations name
// the recipient, because models write them in the greeting.
var placeholderFills = []placeholderFill{
	{
		pattern: placeholderPattern(
			"recipient's name", "recipient name", "recipient's first name", "recipient first name",
			"name", "first name", "colleague's name",
			"nombre", "nombre del destinatario", "nom", "prénom", "nom du destinataire",
			"vorname", "name des empfängers", "nome", "primeiro nome", "nome do destinatário",
		),
		value: func(req generator.Request) string { return firstName(req.Recipient.Name) },
	},
	{
		pattern: placeholderPattern(
			"your name", "your full name", "sender's name", "sender name",
			"tu nombre", "su nombre", "votre nom", "ton nom", "ihr name", "dein name",
			"seu nome", "o seu nome", "il tuo nome", "tuo nome",
		),
		value: func(req generator.Request) string { return req.Sender.Name },
	},
	{
		pattern: placeholderPattern(
			"your position", "your title", "your role", "your job title", "your position/title", "your title/position",
			"position", "title", "job title", "role",
			"su cargo", "tu cargo", "su puesto", "tu puesto", "cargo", "puesto",
			"votre poste", "votre fonction", "votre titre", "poste", "fonction",
			"ihre position", "ihre funktion", "ihre rolle", "deine position", "deine funktion", "deine rolle", "funktion",
			"seu cargo", "o seu cargo", "sua função", "função",
		),
		value: func(req generator.Request) string { return strings.TrimSpace(req.Sender.Role) },
	},
	{
		pattern: placeholderPattern(
			"company name", "company", "your company", "your company name", "company's name",
			"nombre de la empresa", "empresa", "su empresa", "tu empresa", "compañía", "nombre de la compañía",
			"nom de l'entreprise", "entreprise", "votre entreprise", "société", "votre société",
			"firmenname", "firma", "ihre firma", "unternehmen", "ihr unternehmen", "unternehmensname",
			"nome da empresa", "sua empresa",
		),
		value: func(req generator.Request) string { return companyName(req.Sender.Email) },
	},
	{
		pattern: placeholderPattern("your email", "your email address", "your e-mail", "your e-mail address"),
		value:   func(req generator.Request) string { return strings.TrimSpace(req.Sender.Email) },
	},
}

// fillPlaceholders replaces the known placeholders in line with values
// from req. It returns keep false for a line that contains only
// placeholders without a value and separators, such as "[Company Name]"
// when the sender's address gives no company, so the caller drops it.
// Placeholders without a value elsewhere in a line stay, and
// findPlaceholder reports them.
func fillPlaceholders(line string, req generator.Request) (filled string, keep bool) {
	unfilled := false
	for _, fill := range placeholderFills {
		if !fill.pattern.MatchString(line) {
			continue
		}
		if value := fill.value(req); value != "" {
			line = fill.pattern.ReplaceAllLiteralString(line, value)
		} else {
			unfilled = true
		}
	}
	if unfilled && isPlaceholderLine(line) {
		return "", false
	}
	return line, true
}

// isPlaceholderLine reports whether line contains only placeholders,
// bracketed text and separators such as "|", "," or "-".
func isPlaceholderLine(line string) bool {
	rest := bracketed.ReplaceAllString(line, "")
	for _, pattern := range otherPlaceholders {
		rest = pattern.ReplaceAllString(rest, "")
	}
	rest = xDate.ReplaceAllString(rest, "")
	return strings.TrimFunc(rest, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	}) == ""
}

var (
	// bracketed matches text in square brackets on one line. The second
	// group is the character after the closing bracket, which is "(" or
	// "[" in a Markdown link such as "[text](url)" or "[text][ref]".
	bracketed = regexp.MustCompile(`\[([^\[\]\n]*)\]([(\[]?)`)
	// ticketID matches issue keys such as "JIRA-123" or "OPS-7".
	ticketID = regexp.MustCompile(`^\p{L}[\p{L}\d_]*-\d+$`)
	// placeholderText matches the inside of a placeholder: words of
	// letters, digits and the punctuation of names and alternatives, with
	// at least two letters.
	placeholderText = regexp.MustCompile(`^[\p{L}\p{M}\d '’./&,()#-]*\p{L}[\p{L}\p{M}\d '’./&,()#-]*\p{L}[\p{L}\p{M}\d '’./&,()#-]*$`)
)

// otherPlaceholders match placeholders that are not in square brackets,
// besides xDate. Those that placeholderFills lists are filled, and any
// other left in the body or subject rejects the output.
var otherPlaceholders = []*regexp.Regexp{
	// "<Recipient's Name>" or "<date>". Addresses and URLs in angle
	// brackets contain "@", ":" or "/" and do not match.
	regexp.MustCompile(`<\s*\p{L}[\p{L}\p{M}\d '’._&-]*\p{L}\s*>`),
	// "{recipient_name}" or "{{deadline}}".
	regexp.MustCompile(`\{\{?\s*\p{L}[\p{L}\p{M}\d '’._-]*\s*\}?\}`),
	// An instruction in parentheses, such as "(insert date)" or "(add
	// link here)", in the languages of the template corpus.
	regexp.MustCompile(`(?i)\(\s*(?:insert|enter|add|fill in|specify|include|provide|placeholder|insertar|introducir|añadir|agregar|indicar|especificar|inserir|adicionar|incluir|informar|insérer|ajouter|indiquer|préciser|einfügen|eintragen|ergänzen|angeben)\b[^()\n]*\)`),
}

// xDate matches a date or time written with X for digits, such as
// "XX/XX/2025", "2025-XX-XX" or "XX:XX". Each part has at least one X,
// or only digits in the year or minute place.
var xDate = regexp.MustCompile(`(?:^|[^\p{L}\d])((?:[Xx]{1,4}(?:[/.:-](?:[Xx]{1,4}|\d{1,4})){1,2}|\d{1,4}(?:[/.:-][Xx]{1,4})(?:[/.:-](?:[Xx]{1,4}|\d{1,4}))?))(?:[^\p{L}\d]|$)`)

// bracketTags are bracketed words that people write in real mail and are
// not placeholders: subject tags added by mail gateways, and editorial
// marks.
var bracketTags = map[string]bool{
	"external": true, "ext": true, "urgent": true, "spam": true, "secure": true,
	"encrypt": true, "confidential": true, "internal": true, "fyi": true,
	"action required": true, "important": true, "sic": true, "sic!": true,
	"redacted": true,
}

// findPlaceholder returns the first placeholder in text, such as "[Date]",
// "[Nombre del proyecto]", "<Date>", "{{deadline}}", "(insert date)" or
// "XX/XX/2025", or "" when there is none.
// Markdown links, footnote numbers such as "[1]", ticket ids such as
// "[JIRA-123]", text with ":", "@" or "=" (such as "[image: logo.png]" or
// "[mailto:a@b.example]"), checkboxes and bracketTags are not placeholders.
//
// NOTE: a person who writes an aside in square brackets, as in "we agreed
// [see below]", is also reported, so such output is rejected.
func findPlaceholder(text string) string {
	if m := xDate.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	for _, pattern := range otherPlaceholders {
		if m := pattern.FindString(text); m != "" {
			return m
		}
	}
	for _, m := range bracketed.FindAllStringSubmatch(text, -1) {
		inner, next := strings.TrimSpace(m[1]), m[2]
		switch {
		case next != "":
		case utf8.RuneCountInString(inner) < 2:
		case !placeholderText.MatchString(inner):
		case ticketID.MatchString(inner):
		case bracketTags[strings.ToLower(inner)]:
		default:
			return m[0]
		}
	}
	return ""
}

// genericSecondLevel are labels that sit between a company name and the
// country code, as in example.co.uk or example.com.br.
var genericSecondLevel = map[string]bool{
	"co": true, "com": true, "org": true, "net": true, "gov": true,
	"gob": true, "ac": true, "edu": true, "ltd": true, "plc": true,
}

// companyName makes a company name from the domain of email, the way the
// template generator's signatures do: "ana@mail.acme-corp.co.uk" gives
// "Acme Corp" and "ana@ibm.com" gives "IBM". It returns "" when the
// domain is empty.
//
// NOTE: this copies companyName in internal/generator, which is not
// exported. A change to one must be made to the other.
func companyName(email string) string {
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	labels := strings.Split(strings.Trim(domain, "."), ".")
	if len(labels) > 1 {
		labels = labels[:len(labels)-1]
	}
	if len(labels) > 1 && genericSecondLevel[labels[len(labels)-1]] {
		labels = labels[:len(labels)-1]
	}
	words := strings.FieldsFunc(labels[len(labels)-1], func(r rune) bool { return r == '-' || r == '_' })
	if len(words) == 1 && len(words[0]) <= 3 {
		return strings.ToUpper(words[0])
	}
	for i, word := range words {
		r, size := utf8.DecodeRuneInString(word)
		words[i] = string(unicode.ToUpper(r)) + word[size:]
	}
	return strings.Join(words, " ")
}
