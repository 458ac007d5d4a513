package generator

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/persona"
)

// templateName is the Content.Generator value of Template.
const templateName = "template"

// fallbackLanguage is the corpus used for languages that have none.
const fallbackLanguage = "en"

// Template is the built-in generator, which composes messages from the
// embedded corpus without any network access. A message has a greeting,
// an opener and one or two paragraphs on the topic, a closing line, a
// sign-off and a signature. The sender's language and tone choose the
// wording, and the message date chooses month, quarter and weekday words.
//
// Each topic has a few kinds of thread, and a new thread takes its subject
// and paragraphs from one of them, so the subject fits the body. It opens
// with the thread's first paragraph, which introduces every fact its
// subject names, and may add later paragraphs after it. A reply finds the
// kind of thread from the parent subject, reuses the facts the parent
// names, such as its weekday or vendor, instead of drawing new ones, and
// answers only the paragraphs the parent contains. A sender whose role
// does not own the topic (see TopicsFor) asks the owning team about it
// instead, and a reply to such a question answers it. A Template is safe
// for concurrent use.
//
// Each message shows one or two of the sender's mannerisms, such as "adds
// a P.S." or "numbers every action item", and Content.Mannerisms lists
// them as the persona names them. The common wordings of these habits are
// recognized: exclamation marks, ellipses, smileys, numbered or bulleted
// action items, ticket numbers, short paragraphs, terse or one-line
// replies, a P.S., signing with initials, no greeting, lower case, a
// summary line first, apologies, and a phone's mail footer. Other
// mannerisms are skipped. The wording they add follows the tone the
// message is written in, so a formal sender writes "Summary:" where a
// casual one may write "TL;DR:", and a summary names what the thread is
// about.
//
// The corpus text contains no em-dash or en-dash. The persona's signature
// and the quoted parent are copied as they are, dashes included.
type Template struct {
	log     *zap.Logger
	corpora map[string]*corpus

	mu sync.Mutex
	// fellBack records the languages whose fallback to English has been
	// logged.
	fellBack map[string]bool
}

// NewTemplate returns a Template that logs to log, or nowhere when log is
// nil. It panics if the embedded corpus is invalid, which the package
// tests rule out.
func NewTemplate(log *zap.Logger) *Template {
	if log == nil {
		log = zap.NewNop()
	}
	return &Template{log: log, corpora: embeddedCorpora(), fellBack: make(map[string]bool)}
}

// maxTimeAttempts is how many times Generate writes a message whose
// wording does not fit its local time before it keeps the last one.
const maxTimeAttempts = 8

// Generate writes a message for req. A reply's subject is the parent
// subject with a single "Re: ".
func (t *Template) Generate(ctx context.Context, req Request) (Content, error) {
	if err := ctx.Err(); err != nil {
		return Content{}, fmt.Errorf("generating message: %w", err)
	}
	if req.Rand == nil {
		return Content{}, errors.New("generating message: request has no Rand: set Request.Rand")
	}
	c := t.corpusFor(req.Sender.Language)
	var w *composer
	var subject, body string
	// Wording drawn inside templates, such as "this morning" in a
	// paragraph, can still miss the local time after the tone lists are
	// cut to fit it, so such a message is written again. The draws go on
	// from the same Rand, so a seeded request still gives one message.
	for attempt := 1; ; attempt++ {
		w = newComposer(c, req)
		subject, body = w.compose()
		if attempt == maxTimeAttempts || w.fitsTime(subject, body) {
			break
		}
	}
	return Content{Subject: subject, Body: body, Generator: templateName, Mannerisms: w.applied}, nil
}

// corpusFor returns the corpus of language, or the English one. The first
// fallback for each language is logged at info level.
func (t *Template) corpusFor(language string) *corpus {
	c, code, ok := lookupCorpus(t.corpora, language)
	if ok {
		return c
	}

	t.mu.Lock()
	first := !t.fellBack[code]
	t.fellBack[code] = true
	t.mu.Unlock()
	if first {
		t.log.Info("no template corpus for language, writing in english",
			zap.String("language", code))
	}
	return c
}

// lookupCorpus returns the corpus of language and its normalized code,
// or the English corpus and ok false when language has none. An empty
// language is English, and an invalid one is returned as given.
func lookupCorpus(corpora map[string]*corpus, language string) (c *corpus, code string, ok bool) {
	if language == "" {
		return corpora[fallbackLanguage], fallbackLanguage, true
	}
	code, err := persona.NormalizeLanguage(language)
	if err != nil {
		code = language
	}
	if c, found := corpora[code]; found {
		return c, code, true
	}
	return corpora[fallbackLanguage], code, false
}

// Languages returns the ISO 639-1 codes the corpus covers, sorted.
func (t *Template) Languages() []string {
	return slices.Sorted(maps.Keys(t.corpora))
}
