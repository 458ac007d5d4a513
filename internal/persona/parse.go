package persona

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotList is wrapped by Parse when the input is valid JSON but not an
// array.
var ErrNotList = errors.New("persona list must be a JSON array")

// ErrNotUTF8 is wrapped by Parse when the input is not valid UTF-8, as in a
// file saved as Latin-1. The JSON decoder would otherwise turn each invalid
// byte into U+FFFD without an error.
var ErrNotUTF8 = errors.New("persona list must be UTF-8")

// Defaults are the values that fill a persona's language and timezone when
// its entry leaves them out.
type Defaults struct {
	// Language is the source's default language, such as a topology's
	// "es". Empty means DefaultLanguage. A region subtag is dropped.
	Language string
	// Location is the daemon's configured time zone. Nil means UTC.
	Location *time.Location
}

// Problem is one reason an entry of a persona list was dropped or loaded
// with a warning.
type Problem struct {
	// Index is the entry's position in the list, starting at 0.
	Index int
	// Field is the JSON field at fault, or empty when the whole entry is.
	Field string
	// Reason is a lowercase phrase such as "must be at most 128 characters
	// (got 129)".
	Reason string
	// Dropped is true when the entry was left out of the list. A warning
	// that keeps the entry has Dropped false.
	Dropped bool
}

// String formats the problem as one line for logs and command output.
func (p Problem) String() string {
	if p.Field == "" {
		return fmt.Sprintf("persona %d: %s", p.Index, p.Reason)
	}
	return fmt.Sprintf("persona %d: field %q: %s", p.Index, p.Field, p.Reason)
}

// Parse reads a JSON array of persona objects. An entry that breaks a rule
// is dropped and described by a Problem with Dropped set, and the others
// still load. A second entry with an email address already seen, compared
// case-insensitively, is dropped too. A malformed active_hours or
// active_days keeps the entry, makes it always active and is reported as a
// Problem with Dropped false. An unknown field is ignored and reported the
// same way, with the known field it most likely misspells.
//
// The error is non-nil only when data is not JSON, which keeps the
// *json.SyntaxError and adds its byte offset, or not an array, which wraps
// ErrNotList.
func Parse(data []byte, def Defaults) (List, []Problem, error) {
	// Editors on Windows often start a UTF-8 file with a byte order mark,
	// which JSON does not allow. Offsets in errors count it, so that they
	// match the file.
	bom := []byte("\xef\xbb\xbf")
	skipped := 0
	if bytes.HasPrefix(data, bom) {
		data, skipped = data[len(bom):], len(bom)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) {
			return nil, nil, fmt.Errorf("invalid JSON at byte %d: %w", syntaxErr.Offset+int64(skipped), err)
		}
		return nil, nil, fmt.Errorf("%w (got %s)", ErrNotList, kindOf(data))
	}
	if items == nil {
		// json.Unmarshal decodes a bare null into a nil slice without an error.
		return nil, nil, fmt.Errorf("%w (got null)", ErrNotList)
	}
	if err := checkUTF8(data, items, skipped); err != nil {
		return nil, nil, err
	}

	def = def.normalized()
	list := List{}
	var problems []Problem
	firstIndexByEmail := make(map[string]int)
	for i, item := range items {
		p, entryProblems := validate(i, item, def)
		problems = append(problems, entryProblems...)
		if hasDropped(entryProblems) {
			continue
		}

		key := strings.ToLower(p.Email)
		if first, seen := firstIndexByEmail[key]; seen {
			problems = append(problems, Problem{
				Index:   i,
				Field:   "email",
				Reason:  fmt.Sprintf("duplicates the address of persona %d (got %q)", first, p.Email),
				Dropped: true,
			})
			continue
		}
		firstIndexByEmail[key] = i
		list = append(list, p)
	}
	return list, problems, nil
}

// normalized returns a copy of def with its empty or invalid values
// replaced by the package defaults.
func (def Defaults) normalized() Defaults {
	language, err := NormalizeLanguage(def.Language)
	if err != nil {
		language = DefaultLanguage
	}
	def.Language = language
	if def.Location == nil {
		def.Location = time.UTC
	}
	return def
}

func hasDropped(problems []Problem) bool {
	for _, p := range problems {
		if p.Dropped {
			return true
		}
	}
	return false
}

// kindOf names the JSON type of a raw value for error messages. It looks
// only at the first byte, so it assumes the value is valid JSON.
func kindOf(raw []byte) string {
	trimmed := strings.TrimLeft(string(raw), " \t\r\n")
	if trimmed == "" {
		return "nothing"
	}
	switch trimmed[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}
