package message

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

const (
	// foldWidth is the line length RFC 5322 section 2.1.1 recommends.
	foldWidth = 78
	// maxLine is the hard limit of RFC 5322 section 2.1.1, without CRLF.
	maxLine = 998
	// maxEncodedWord is the RFC 2047 limit for one encoded word.
	maxEncodedWord = 75
	// maxEmail is the longest address a persona may have (DECNET's schema
	// allows 255 characters). RFC 5321 would carry one octet less over
	// SMTP, but these messages are only ever files in a spool.
	maxEmail = 255
)

// foldHeader returns "Name: tok1 tok2 ...\r\n", starting a continuation line
// before a token whenever the current line would pass foldWidth. A token
// longer than a line stays whole, and the result is rejected only if a line
// then passes maxLine.
func foldHeader(name string, tokens []string) (string, error) {
	var b strings.Builder
	line := name + ":"
	for i, tok := range tokens {
		if i > 0 && len(line)+1+len(tok) > foldWidth {
			b.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + tok
		if len(line) > maxLine {
			return "", fmt.Errorf("%w: %s header line is %d octets, over the limit of %d", ErrInvalid, name, len(line), maxLine)
		}
	}
	b.WriteString(line + "\r\n")
	return b.String(), nil
}

// formatAddress returns the folded header for one mailbox.
func formatAddress(header string, a Address) (string, error) {
	if err := validateEmail(header, a.Email); err != nil {
		return "", err
	}
	if err := validateText(header+" name", a.Name, false); err != nil {
		return "", err
	}
	if a.Name == "" {
		return foldHeader(header, []string{a.Email})
	}
	tokens := append(phraseTokens(a.Name, len(header)+2), "<"+a.Email+">")
	return foldHeader(header, tokens)
}

// phraseTokens returns a display name as foldable tokens. An ASCII name
// is plain words when every word is an RFC 5322 atom and one quoted string
// otherwise. A non-ASCII name keeps its atom words plain and turns each run
// of other words into ONE RFC 2047 encoded word, however long. RFC 2047
// section 6.2 drops the space between adjacent encoded words, and Go's
// net/mail does. The email package of Python 3.11.7 keeps it in display
// names, so a run split over several encoded words reads back differently
// in the two. Names too long to quote on one line are encoded as a whole.
//
// NOTE: an encoded word longer than 75 characters breaks the letter of RFC
// 2047 section 2; Go, Python and Dovecot all decode it, and a name of at
// most 128 characters keeps the line under 998 octets.
func phraseTokens(name string, prefix int) []string {
	words := strings.Split(name, " ")
	if !needsEncoding(name) {
		if isAtomPhrase(name) && !wordTooLong(words, prefix) {
			return words
		}
		if quoted := quote(name); prefix+len(quoted) <= maxLine {
			return []string{quoted}
		}
		return phraseWords(name, prefix)
	}
	if slices.Contains(words, "") {
		// Leading, trailing or repeated spaces only survive inside an
		// encoded word.
		return phraseWords(name, prefix)
	}

	var tokens, run []string
	flush := func() {
		if len(run) > 0 {
			tokens = append(tokens, phraseWords(strings.Join(run, " "), column(tokens, prefix))...)
			run = nil
		}
	}
	for _, w := range words {
		if isAtomPhrase(w) && !needsEncoding(w) && !wordTooLong([]string{w}, prefix) {
			flush()
			tokens = append(tokens, w)
		} else {
			run = append(run, w)
		}
	}
	flush()
	return tokens
}

// column returns the prefix width for the next token: the header name for
// the first token, one space after a fold otherwise.
func column(tokens []string, prefix int) int {
	if len(tokens) == 0 {
		return prefix
	}
	return 1
}

func wordTooLong(words []string, prefix int) bool {
	for _, w := range words {
		if prefix+len(w) > maxLine {
			return true
		}
	}
	return false
}

// formatSubject returns the folded Subject header.
func formatSubject(subject string) (string, error) {
	if err := validateText("subject", subject, true); err != nil {
		return "", err
	}
	subject = strings.TrimSpace(subject)
	if subject == "" {
		return "Subject:\r\n", nil
	}
	const prefix = len("Subject: ")
	if needsEncoding(subject) {
		return foldHeader("Subject", encodeWords(subject, prefix))
	}
	tokens := splitAtSingleSpaces(subject)
	for _, tok := range tokens {
		// A word too long for any line can only be carried split across
		// encoded words.
		if prefix+len(tok) > maxLine {
			return foldHeader("Subject", encodeWords(subject, prefix))
		}
	}
	return foldHeader("Subject", tokens)
}

// splitAtSingleSpaces splits s at each space that sits between two
// non-blank characters. Folding only there keeps runs of blanks intact,
// because parsers such as Go's net/textproto collapse the blanks around a
// fold into one space.
func splitAtSingleSpaces(s string) []string {
	var tokens []string
	start := 0
	for i := 1; i < len(s)-1; i++ {
		if s[i] == ' ' && !isBlank(s[i-1]) && !isBlank(s[i+1]) {
			tokens = append(tokens, s[start:i])
			start = i + 1
		}
	}
	return append(tokens, s[start:])
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// needsEncoding reports whether s has to be written as encoded words: it
// contains non-ASCII or control characters, or text that a decoder would
// mistake for an encoded word.
func needsEncoding(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || (c < ' ' && c != '\t') || c == 0x7f {
			return true
		}
	}
	return strings.Contains(s, "=?")
}

// encodeWords writes s as RFC 2047 "Q" encoded words of at most
// maxEncodedWord characters each. It breaks between words of s where it
// can, keeping each space at the end of the encoded word before the break,
// and otherwise between characters, never inside one. The first encoded
// word also fits in the foldWidth-prefix columns left on the header's first
// line, so that every encoded word fits on a line of its own. Only the
// characters RFC 2047 section 5 rule 3 allows inside a phrase stay
// unencoded, so the words are valid in display names as well as in the
// subject. Spaces become "_", so a decoder may drop the blanks between
// adjacent encoded words.
func encodeWords(s string, prefix int) []string {
	const open, closing = "=?UTF-8?Q?", "?="
	room := min(maxEncodedWord, foldWidth-prefix) - len(open) - len(closing)

	var words []string
	var word strings.Builder
	emit := func() {
		words = append(words, open+word.String()+closing)
		word.Reset()
		room = maxEncodedWord - len(open) - len(closing)
	}
	for _, piece := range splitAfterSpaces(s) {
		enc := qEncode(piece)
		if word.Len() > 0 && word.Len()+len(enc) > room {
			emit()
		}
		if word.Len()+len(enc) <= room {
			word.WriteString(enc)
			continue
		}
		for _, r := range piece {
			c := qEncode(string(r))
			if word.Len() > 0 && word.Len()+len(c) > room {
				emit()
			}
			word.WriteString(c)
		}
	}
	emit()
	return words
}

// phraseWords returns part of a display name as one encoded word, or, for
// text too long for one line (never a persona name, which has at most 128
// characters), as several.
func phraseWords(s string, prefix int) []string {
	if w := encodeWord(s); prefix+len(w) <= maxLine {
		return []string{w}
	}
	return encodeWords(s, prefix)
}

// encodeWord returns s as a single encoded word: Q, as most mail clients
// write it, while that fits the usual 75 characters or is the shorter form,
// and B otherwise.
func encodeWord(s string) string {
	q := "=?UTF-8?Q?" + qEncode(s) + "?="
	b := "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
	if len(q) <= maxEncodedWord || len(q) <= len(b) {
		return q
	}
	return b
}

// splitAfterSpaces splits s after each space, so the pieces joined give s.
func splitAfterSpaces(s string) []string {
	return strings.SplitAfter(s, " ")
}

// qEncode returns s in the RFC 2047 "Q" encoding for phrases.
func qEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			b.WriteByte('_')
		case isQSafe(c):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}

func isQSafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!*+-/", c) >= 0
}

// isAtomPhrase reports whether name is atoms joined by single spaces, which
// RFC 5322 allows in a display name without quotes.
func isAtomPhrase(name string) bool {
	for _, w := range strings.Split(name, " ") {
		if w == "" {
			return false
		}
		for i := 0; i < len(w); i++ {
			if !isAtext(w[i]) {
				return false
			}
		}
	}
	return true
}

// isAtext reports whether c is an RFC 5322 atext character.
func isAtext(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// quote returns name as an RFC 5322 quoted string.
func quote(name string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(name); i++ {
		if name[i] == '"' || name[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(name[i])
	}
	b.WriteByte('"')
	return b.String()
}

// validateText rejects invalid UTF-8 and control characters, above all CR
// and LF, which would end the header and start a new one. Tabs are allowed
// only where allowTab is set.
func validateText(field, s string, allowTab bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s %q is not valid UTF-8", ErrInvalid, field, s)
	}
	for i, r := range s {
		if r == '\t' && allowTab {
			continue
		}
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return fmt.Errorf("%w: %s %q contains control character %U at byte %d: remove line breaks and control characters", ErrInvalid, field, s, r, i)
		}
	}
	return nil
}

// validateEmail accepts addr-spec addresses whose local part is an ASCII
// dot-atom and whose domain is dot-separated host labels.
func validateEmail(field, email string) error {
	if reason := AddressProblem(email); reason != "" {
		return fmt.Errorf("%w: %s address %q: %s", ErrInvalid, field, email, reason)
	}
	return nil
}

// AddressProblem returns why email cannot stand in a From or To header, or
// "" when it can. Persona lists apply the same rule when they load, so a
// persona is dropped at once rather than failing every message it writes.
func AddressProblem(email string) string {
	if email == "" {
		return "empty"
	}
	if len(email) > maxEmail {
		return fmt.Sprintf("longer than %d octets", maxEmail)
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return "missing @"
	}
	local, domain := email[:at], email[at+1:]
	if !isDotAtom(local) {
		return "local part must be ASCII letters, digits or !#$%&'*+-/=?^_`{|}~ separated by single dots"
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || strings.Trim(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			return "domain must be ASCII letters, digits and hyphens separated by single dots (use punycode for international names)"
		}
	}
	return ""
}

// validateID accepts a msg-id without brackets: id-left "@" id-right, both
// dot-atoms (RFC 5322 section 3.6.4).
func validateID(field, id string) error {
	fail := func(reason string) error {
		return fmt.Errorf("%w: %s %q: %s", ErrInvalid, field, id, reason)
	}
	if id == "" {
		return fail("empty")
	}
	if strings.ContainsAny(id, "<>") {
		return fail("store ids without angle brackets")
	}
	left, right, ok := strings.Cut(id, "@")
	if !ok {
		return fail("missing @")
	}
	if !isDotAtom(left) || !isDotAtom(right) {
		return fail("both sides of @ must be ASCII atoms separated by single dots, with no spaces")
	}
	return nil
}

func isDotAtom(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		for i := 0; i < len(part); i++ {
			if !isAtext(part[i]) {
				return false
			}
		}
	}
	return true
}
