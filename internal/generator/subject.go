package generator

import (
	"fmt"
	"strings"
	"sync"
)

// embeddedCorpora returns the parsed embedded corpus, parsed once and then
// shared, read-only, by every Template and by TopicSubject. It panics if
// the corpus is invalid, which the package tests rule out.
var embeddedCorpora = sync.OnceValue(func() map[string]*corpus {
	corpora, err := loadCorpora()
	if err != nil {
		panic(fmt.Sprintf("generator: embedded corpus is invalid: %v", err))
	}
	if corpora[fallbackLanguage] == nil {
		panic("generator: embedded corpus has no " + fallbackLanguage + " file")
	}
	return corpora
})

// TopicSubject returns a subject line for a new thread on topic, written
// in language (an ISO 639-1 code, as in persona.Persona.Language), with
// the template generator's wording: "Revisión del presupuesto" for
// "budget review" in Spanish, "Budget review" in English. It names no
// date, vendor or other fact, so it fits any message on the topic.
//
// Text that is not one of Topics is returned with white space collapsed
// and its first letter in upper case, and blank text gives the corpus's
// default subject, such as "Quick question". Languages without a corpus
// get the English wording.
func TopicSubject(topic, language string) string {
	c, _, _ := lookupCorpus(embeddedCorpora(), language)
	topic = strings.Join(strings.Fields(topic), " ")
	if topic == "" {
		return c.DefaultSubject
	}
	if text, ok := c.Topics[strings.ToLower(topic)]; ok {
		return text.Subject
	}
	return upperFirst(topic)
}
