package generator

// registerWords are the words of a language that address the reader in
// the informal or the formal register. A word written in lower case also
// matches with a capital first letter, as at the start of a sentence, and
// one written with a capital, such as German "Sie", matches only as
// written.
//
// NOTE: some of the words, such as Spanish "su", also refer to a third
// person, so a message that talks about others can be read as formal.
type registerWords struct {
	Informal []string `json:"informal"`
	Formal   []string `json:"formal"`
}

// prepare adds the capitalized form of each lower-case word.
func (rw *registerWords) prepare() {
	rw.Informal = withCapitals(rw.Informal)
	rw.Formal = withCapitals(rw.Formal)
}

func withCapitals(list []string) []string {
	out := make([]string, 0, 2*len(list))
	for _, w := range list {
		out = append(out, w)
		if upper := upperFirst(w); upper != w {
			out = append(out, upper)
		}
	}
	return out
}

// parentRegister reports whether text addresses its reader formally. ok is
// false when text uses the words of neither register, or as many of one
// as of the other, and for languages without register words.
func (c *corpus) parentRegister(text string) (formal, ok bool) {
	informal := countWords(text, c.RegisterWords.Informal)
	formalCount := countWords(text, c.RegisterWords.Formal)
	if informal == formalCount {
		return false, false
	}
	return formalCount > informal, true
}

// countWords returns how many times the words of list occur in text as
// whole words.
func countWords(text string, list []string) int {
	n := 0
	for _, w := range list {
		for rest := text; ; {
			i := indexWord(rest, w)
			if i < 0 {
				break
			}
			n++
			rest = rest[i+len(w):]
		}
	}
	return n
}

// nearTones lists, for each tone, the other tones nearest first. A reply
// in a register its sender's tone does not use borrows the wording of
// the nearest tone that uses it.
var nearTones = map[string][]string{
	"formal":    {"direct", "technical", "casual"},
	"direct":    {"formal", "technical", "casual"},
	"casual":    {"technical", "direct", "formal"},
	"technical": {"direct", "casual", "formal"},
}

// toneWithRegister returns tone key when it uses the formal register as
// asked, or else its nearest tone that does. When no tone of the corpus
// uses that register, it returns key.
func (c *corpus) toneWithRegister(key string, formal bool) string {
	if (c.Tones[key].Register == "formal") == formal {
		return key
	}
	for _, near := range nearTones[key] {
		if (c.Tones[near].Register == "formal") == formal {
			return near
		}
	}
	return key
}
