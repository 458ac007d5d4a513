package message

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// fallbackDomain is the right-hand side used when a domain has nothing
// usable left after cleaning.
const fallbackDomain = "localhost.localdomain"

// NewID returns a Message-ID without brackets in the form Thunderbird
// writes: a random version 4 UUID, "@", and the cleaned domain (see
// IDDomain). The UUID comes from r, so a seeded r gives repeatable ids.
func NewID(domain string, r *rand.Rand) string {
	hi, lo := r.Uint64(), r.Uint64()
	// RFC 9562 section 5.4: version 4 in the top nibble of octet 6, variant
	// 10 in the top bits of octet 8.
	hi = hi&^(0xf<<12) | 0x4<<12
	lo = lo&^(0x3<<62) | 0x2<<62
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x@%s",
		hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff, cleanDomain(domain))
}

// IDDomain returns the domain of email for use in a Message-ID. It takes
// the text after the last "@", or all of email when there is none, and
// lowercases it. It then removes every character outside [a-z0-9.-],
// collapses runs of dots and trims leading and trailing dots. It returns
// "localhost.localdomain" when nothing is left. The result never contains
// "/", ".." or "@", because ids become file names.
func IDDomain(email string) string {
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		email = email[at+1:]
	}
	return cleanDomain(email)
}

func cleanDomain(domain string) string {
	var b strings.Builder
	for _, c := range []byte(strings.ToLower(domain)) {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
			b.WriteByte(c)
		case c == '.':
			s := b.String()
			if s != "" && !strings.HasSuffix(s, ".") {
				b.WriteByte(c)
			}
		}
	}
	out := strings.Trim(b.String(), ".")
	if out == "" {
		return fallbackDomain
	}
	return out
}
