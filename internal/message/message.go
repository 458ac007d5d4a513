// Package message builds one RFC 5322 email: a plain-text UTF-8 message with
// the threading headers (Message-ID, In-Reply-To, References) that mail
// clients and IMAP servers use to group replies into conversations.
//
// Message ids are stored without angle brackets everywhere in the program.
// Encode adds the brackets when it writes a header.
package message

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// Address is a mailbox with an optional display name.
type Address struct {
	Name  string
	Email string
}

// Message is one plain-text email. A message is a reply when InReplyTo is
// set.
type Message struct {
	From       Address
	To         Address
	Subject    string
	Date       time.Time
	ID         string
	InReplyTo  string
	References []string
	Body       string
}

// ErrInvalid is wrapped by every error that Encode returns for a field
// value it cannot write safely.
var ErrInvalid = errors.New("invalid message")

// Encode returns the message in RFC 5322 wire form with CRLF line endings.
//
// The headers appear once each, in this order: Date, From, To, Subject,
// Message-ID, In-Reply-To and References (replies only), MIME-Version,
// Content-Type and Content-Transfer-Encoding. Leading and trailing white
// space of the subject is dropped. Non-ASCII display names and subjects are
// written as RFC 2047 encoded words. Header lines are folded to 78
// characters where a fold point exists, and no line exceeds 998 octets.
//
// Encode rejects a zero Date, malformed addresses or ids, and any line
// break or control character in a name or subject, so no field value can
// add a header. The error wraps ErrInvalid and names the value.
func (m *Message) Encode() ([]byte, error) {
	if m.Date.IsZero() {
		return nil, fmt.Errorf("%w: date is zero: set Date to the time the message was written", ErrInvalid)
	}
	if y := m.Date.Year(); y < 1900 || y > 9999 {
		return nil, fmt.Errorf("%w: date %s: year must be between 1900 and 9999", ErrInvalid, m.Date)
	}
	from, err := formatAddress("From", m.From)
	if err != nil {
		return nil, err
	}
	to, err := formatAddress("To", m.To)
	if err != nil {
		return nil, err
	}
	subject, err := formatSubject(m.Subject)
	if err != nil {
		return nil, err
	}
	threading, err := m.threadingHeaders()
	if err != nil {
		return nil, err
	}
	body, encoding, err := encodeBody(m.Body)
	if err != nil {
		return nil, err
	}

	var b bytes.Buffer
	b.WriteString("Date: " + m.Date.Format(dateLayout) + "\r\n")
	b.WriteString(from)
	b.WriteString(to)
	b.WriteString(subject)
	b.WriteString(threading)
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: " + contentType + "\r\n")
	b.WriteString("Content-Transfer-Encoding: " + encoding + "\r\n")
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes(), nil
}

// dateLayout is the RFC 5322 date-time with a numeric zone offset. Go
// writes UTC as +0000, so the "-0000" form (zone unknown) never appears.
const dateLayout = "Mon, 02 Jan 2006 15:04:05 -0700"

// contentType is written the way Thunderbird writes a plain-text body that
// is not format=flowed.
const contentType = "text/plain; charset=UTF-8"

// threadingHeaders returns the Message-ID header and, for a reply, the
// In-Reply-To and References headers.
func (m *Message) threadingHeaders() (string, error) {
	if err := validateID("Message-ID", m.ID); err != nil {
		return "", err
	}
	out, err := foldHeader("Message-ID", []string{"<" + m.ID + ">"})
	if err != nil {
		return "", err
	}
	if m.InReplyTo == "" {
		if len(m.References) > 0 {
			return "", fmt.Errorf("%w: references %q set without In-Reply-To: set InReplyTo to the parent's id", ErrInvalid, m.References)
		}
		return out, nil
	}

	if err := validateID("In-Reply-To", m.InReplyTo); err != nil {
		return "", err
	}
	refs := m.References
	if len(refs) == 0 {
		// RFC 5322 section 3.6.4: a parent without References contributes
		// only its own id.
		refs = []string{m.InReplyTo}
	}
	if last := refs[len(refs)-1]; last != m.InReplyTo {
		return "", fmt.Errorf("%w: references end with %q but In-Reply-To is %q: the parent's id must come last", ErrInvalid, last, m.InReplyTo)
	}
	tokens := make([]string, len(refs))
	for i, id := range refs {
		if err := validateID("References", id); err != nil {
			return "", err
		}
		tokens[i] = "<" + id + ">"
	}

	inReplyTo, err := foldHeader("In-Reply-To", []string{"<" + m.InReplyTo + ">"})
	if err != nil {
		return "", err
	}
	references, err := foldHeader("References", tokens)
	if err != nil {
		return "", err
	}
	return out + inReplyTo + references, nil
}
