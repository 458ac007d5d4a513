package generator

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// abbreviations are words that the corpus languages write with a final
// dot inside a sentence, in lower case. Words of one or two letters that
// start with a capital, such as Spanish "RR. HH." or "Dr.", are taken as
// abbreviations too.
var abbreviations = []string{
	"vs", "ext", "tel", "tél", "approx", "ca", "bzw", "ggf", "inkl", "nr", "no", "dr", "mr", "mrs", "ms",
	"sr", "sra", "srta", "st", "z", "b", "p", "ex", "e", "g", "i", "ref", "att",
}

// sentenceSpans returns the byte ranges [start, end) of the sentences of
// p, each ending with its final punctuation. A sentence ends at ".", "!",
// "?" or "…" followed by a space and a capital letter, "¿" or "¡", unless
// the dot ends an abbreviation or a German ordinal such as "1.". The
// spaces between sentences belong to neither.
func sentenceSpans(p string) [][2]int {
	var spans [][2]int
	start := 0
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		if !isSentenceMark(r) {
			i += size
			continue
		}
		end := i
		for end < len(p) {
			r, size := utf8.DecodeRuneInString(p[end:])
			if !isSentenceMark(r) {
				break
			}
			end += size
		}
		if end < len(p) && p[end] == ' ' && startsSentence(p[end+1:]) && !(p[i:end] == "." && abbreviated(p[start:i])) {
			spans = append(spans, [2]int{start, end})
			start = end + 1
		}
		i = end
	}
	if start < len(p) {
		spans = append(spans, [2]int{start, len(p)})
	}
	return spans
}

func isSentenceMark(r rune) bool {
	return r == '.' || r == '!' || r == '?' || r == '…'
}

// startsSentence reports whether s starts as a sentence does.
func startsSentence(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || r == '¿' || r == '¡'
}

// abbreviated reports whether text ends with an abbreviation or an
// ordinal, so a dot after it does not end a sentence.
func abbreviated(text string) bool {
	word := text[strings.LastIndexFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })+1:]
	if word == "" {
		return false
	}
	if strings.IndexFunc(word, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		// "am 1. Juli": a number alone before the dot is an ordinal.
		return len(word) <= 2
	}
	first, _ := utf8.DecodeRuneInString(word)
	if unicode.IsUpper(first) && utf8.RuneCountInString(word) <= 2 {
		return true
	}
	return slices.Contains(abbreviations, strings.ToLower(word))
}

// sentencesOf returns the sentences of p.
func sentencesOf(p string) []string {
	spans := sentenceSpans(p)
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = p[s[0]:s[1]]
	}
	return out
}

// endsWithPlainDot reports whether sentence ends with a single dot after a
// word that is not an abbreviation, the ending that an exclamation mark or
// an ellipsis can replace.
func endsWithPlainDot(sentence string) bool {
	body, ok := strings.CutSuffix(sentence, ".")
	if !ok || body == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(body)
	return (unicode.IsLetter(last) || unicode.IsDigit(last)) && !abbreviated(body)
}

// capitalWords returns the words of the lists that start with a capital
// letter.
func capitalWords(lists ...[]string) []string {
	var out []string
	for _, list := range lists {
		for _, w := range list {
			if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
				out = append(out, w)
			}
		}
	}
	return out
}

// lowercase returns text as a sender who never presses shift writes it:
// each word that starts with a capital and has no other capital or digit
// starts in lower case. Acronyms, ticket ids and words such as "Q3" keep
// their form, and so do the register words that the corpus writes with a
// capital, such as German "Sie", whose lower-case form means "they".
func (c *corpus) lowercase(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		j := i
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			j += size
		}
		if j == i {
			_, size := utf8.DecodeRuneInString(text[i:])
			b.WriteString(text[i : i+size])
			i += size
			continue
		}
		word := text[i:j]
		if c.lowersWord(word) {
			r, size := utf8.DecodeRuneInString(word)
			b.WriteRune(unicode.ToLower(r))
			b.WriteString(word[size:])
		} else {
			b.WriteString(word)
		}
		i = j
	}
	return b.String()
}

func (c *corpus) lowersWord(word string) bool {
	first, size := utf8.DecodeRuneInString(word)
	if !unicode.IsUpper(first) || slices.Contains(c.keepCapitals, word) {
		return false
	}
	return !strings.ContainsFunc(word[size:], func(r rune) bool { return unicode.IsUpper(r) || unicode.IsDigit(r) })
}
