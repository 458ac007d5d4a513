package persona

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// NormalizeLanguage returns the lowercase ISO 639-1 primary subtag of a
// language tag such as "es", "PT" or "pt-BR", which becomes "pt". The tag
// is at most 8 characters: two letters, optionally followed by subtags of
// letters or digits after a hyphen or underscore.
func NormalizeLanguage(tag string) (string, error) {
	code, ok := normalizeLanguage(tag)
	if !ok || utf8.RuneCountInString(tag) > maxLanguageLength {
		return "", fmt.Errorf("invalid language %q: use an ISO 639-1 code such as \"es\" or \"pt-BR\", at most %d characters", tag, maxLanguageLength)
	}
	return code, nil
}

// normalizeLanguage checks the form of tag but not its length.
func normalizeLanguage(tag string) (string, bool) {
	subtags := strings.Split(strings.ReplaceAll(tag, "_", "-"), "-")
	primary := subtags[0]
	if len(primary) != 2 || !isASCIILetters(primary) {
		return "", false
	}
	for _, sub := range subtags[1:] {
		if sub == "" || !isASCIIAlphanumeric(sub) {
			return "", false
		}
	}
	return strings.ToLower(primary), true
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isASCIIAlphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && !isASCIILetters(s[i:i+1]) {
			return false
		}
	}
	return true
}
