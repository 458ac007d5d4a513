package persona

import (
	"encoding/json"
	"fmt"
	"sort"
	"unicode"
	"unicode/utf8"
)

// checkUTF8 returns an error wrapping ErrNotUTF8 when data holds a byte
// sequence that is not UTF-8. The error names the byte offset in the file,
// which is the offset in data plus skipped, and the persona and field that
// contain it when they can be found. items are the entries of data as
// json.Unmarshal returned them, which keeps their bytes unchanged.
func checkUTF8(data []byte, items []json.RawMessage, skipped int) error {
	offset := invalidUTF8Offset(data)
	if offset < 0 {
		return nil
	}
	where := ""
	for i, item := range items {
		if utf8.Valid(item) {
			continue
		}
		where = fmt.Sprintf(" (persona %d)", i)
		if field := invalidUTF8Field(item); field != "" {
			where = fmt.Sprintf(" (persona %d, field %q)", i, field)
		}
		break
	}
	return fmt.Errorf("%w: invalid byte 0x%02x at byte %d%s; save the file with UTF-8 encoding",
		ErrNotUTF8, data[offset], offset+skipped, where)
}

// invalidUTF8Offset returns the offset of the first byte of data that does
// not start a valid UTF-8 sequence, or -1 when data is valid.
func invalidUTF8Offset(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// invalidUTF8Field returns the first key, in sorted order, of the entry
// whose key or value is not UTF-8, or "" when the entry is not an object.
func invalidUTF8Field(item json.RawMessage) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(item, &fields) != nil {
		return ""
	}
	keys := make([]string, 0, len(fields))
	for key := range fields {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if !utf8.ValidString(key) || !utf8.Valid(fields[key]) {
			return key
		}
	}
	return ""
}

// isBidiControl reports whether c is a bidirectional embedding, override or
// isolate control (U+202A to U+202E and U+2066 to U+2069). In a display name
// these reorder the text around them, which is how a sender name is made to
// read differently from its bytes.
func isBidiControl(c rune) bool {
	return ('\u202a' <= c && c <= '\u202e') || ('\u2066' <= c && c <= '\u2069')
}

// isVisible reports whether c draws something: it is neither white space
// nor a format character (Unicode category Cf), which covers zero-width
// spaces and joiners, bidi marks and controls, and the byte order mark.
func isVisible(c rune) bool {
	return !unicode.IsSpace(c) && !unicode.Is(unicode.Cf, c)
}
