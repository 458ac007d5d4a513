package generator

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// expander fills corpus templates. A template may contain:
//
//   - {name}: a value from fixed, or else one drawn from the corpus slot
//     list of that name. A drawn value is kept for the rest of the message,
//     so a vendor named in the subject is the one the body talks about.
//     The weekday slots draw from weekdays instead when it is set.
//   - {name#2}: a second, independent draw from the list "name".
//   - {Name}: the same value with its first letter in upper case.
//   - {#N}: N random digits, the first of them non-zero.
//   - [a|b|c]: one of the alternatives, which may nest and contain
//     placeholders.
//   - <informal|formal>: the first form for senders who use the informal
//     "you" of the language, such as Spanish "tú", and the second for
//     those who use the formal one, such as "usted". It does not nest.
//
// An unknown placeholder is left in the text as written. The corpus tests
// make sure no template contains one.
type expander struct {
	r     *rand.Rand
	slots map[string][]string
	fixed map[string]string
	drawn map[string]string
	// formal selects the second form of <informal|formal>.
	formal bool
	// pinned replaces the slot lists it names, such as the vendors of
	// the sender's company.
	pinned map[string][]string
	// weekdays replaces the values of the slots in weekdaySlots, so that
	// a message does not name its own day as a future one.
	weekdays []string
}

func newExpander(r *rand.Rand, slots map[string][]string, fixed map[string]string) *expander {
	return &expander{r: r, slots: slots, fixed: fixed, drawn: make(map[string]string, 8)}
}

// expand returns tmpl with every placeholder and alternative resolved.
func (e *expander) expand(tmpl string) string {
	if !strings.ContainsAny(tmpl, "[<{") {
		return tmpl
	}
	var b strings.Builder
	b.Grow(len(tmpl) + 32)
	for i := 0; i < len(tmpl); {
		switch tmpl[i] {
		case '[':
			end := matchingBracket(tmpl, i)
			if end < 0 {
				b.WriteString(tmpl[i:])
				return b.String()
			}
			options := splitOptions(tmpl[i+1 : end])
			b.WriteString(e.expand(options[e.r.IntN(len(options))]))
			i = end + 1
		case '<':
			end := strings.IndexByte(tmpl[i:], '>')
			if end < 0 {
				b.WriteString(tmpl[i:])
				return b.String()
			}
			options := splitOptions(tmpl[i+1 : i+end])
			choice := options[0]
			if e.formal && len(options) > 1 {
				choice = options[1]
			}
			b.WriteString(e.expand(choice))
			i += end + 1
		case '{':
			end := strings.IndexByte(tmpl[i:], '}')
			if end < 0 {
				b.WriteString(tmpl[i:])
				return b.String()
			}
			b.WriteString(e.value(tmpl[i+1 : i+end]))
			i += end + 1
		default:
			b.WriteByte(tmpl[i])
			i++
		}
	}
	return b.String()
}

// value resolves one placeholder name.
func (e *expander) value(name string) string {
	if count, ok := strings.CutPrefix(name, "#"); ok {
		n, err := strconv.Atoi(count)
		if err != nil || n < 1 || n > 18 {
			return "{" + name + "}"
		}
		return e.digits(n)
	}
	key, capital := lowerFirst(name)
	v, ok := e.fixed[key]
	if !ok {
		v, ok = e.drawn[key]
	}
	if !ok {
		list, _, _ := strings.Cut(key, "#")
		values, ok := e.pinned[list]
		if !ok {
			values = e.slots[list]
		}
		if e.weekdays != nil && slices.Contains(weekdaySlots, list) {
			values = e.weekdays
		}
		if len(values) == 0 {
			return "{" + name + "}"
		}
		v = e.expand(values[e.r.IntN(len(values))])
		e.drawn[key] = v
	}
	if capital {
		return upperFirst(v)
	}
	return v
}

func (e *expander) digits(n int) string {
	b := make([]byte, n)
	b[0] = byte('1' + e.r.IntN(9))
	for i := 1; i < n; i++ {
		b[i] = byte('0' + e.r.IntN(10))
	}
	return string(b)
}

// matchingBracket returns the index of the "]" that closes the "[" at
// start, or -1.
func matchingBracket(s string, start int) int {
	depth := 0
	for i := start; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitOptions splits s at the "|" characters that are not inside nested
// brackets.
func splitOptions(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
		case '|':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func lowerFirst(s string) (string, bool) {
	r, size := utf8.DecodeRuneInString(s)
	if !unicode.IsUpper(r) {
		return s, false
	}
	return string(unicode.ToLower(r)) + s[size:], true
}

func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}
