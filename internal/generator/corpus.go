package generator

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// corpusFiles holds one JSON file per language, named after its ISO 639-1
// code. Adding a language means adding a file: the code reads whatever is
// there.
//
//go:embed corpus/*.json
var corpusFiles embed.FS

// corpus is the text of one language. Strings are templates for expand.
type corpus struct {
	Language string `json:"language"`
	// Weekdays and Months are the short names used in quote headers,
	// Sunday and January first.
	Weekdays []string `json:"weekdays"`
	Months   []string `json:"months"`
	// MonthNames are the full month names, January first, and Quarters
	// the names of the four quarters. The composer derives {month},
	// {quarter} and their neighbours from the message date with them.
	MonthNames []string `json:"month_names"`
	Quarters   []string `json:"quarters"`
	// Contractions are pairs of word sequences and their contracted form,
	// such as Spanish "de el" and "del", applied where a slot value meets
	// the text around it.
	Contractions [][2]string `json:"contractions"`
	// LowerAfterGreeting is set for languages, such as German, that start
	// the line after a greeting ending in a comma with a lower-case letter
	// unless the first word is a noun or the formal "Sie". The openers,
	// reply openers and ask paragraphs of such a corpus are written in
	// that form, and the composer capitalizes them where no such greeting
	// comes before them.
	LowerAfterGreeting bool `json:"lower_after_greeting"`
	// Thanks are the starts of the words that thank, in lower case, such
	// as "merci" and "remerci". See thanksState.
	Thanks []string `json:"thanks"`
	// RegisterWords are the words that show which "you" a message uses,
	// so a reply can use the register of its parent.
	RegisterWords registerWords `json:"register_words"`
	// QuoteHeaders are the lines that introduce a quoted parent message.
	QuoteHeaders []string `json:"quote_headers"`
	// Signatures are made-up signatures by tone, used when the persona has
	// none.
	Signatures map[string][]string `json:"signatures"`
	Tones      map[string]toneText `json:"tones"`
	// Slots are the values a {name} placeholder can take.
	Slots map[string][]string `json:"slots"`
	// DefaultSubject is the subject of a message whose topic is blank,
	// such as "Quick question" (see TopicSubject).
	DefaultSubject string `json:"default_subject"`
	// Mannerisms is the wording that persona mannerisms add to a message.
	Mannerisms mannerismText `json:"mannerisms"`
	// Asks are written instead of a topic's threads when the sender's role
	// does not own the topic: the sender asks the owning team about it.
	Asks askText `json:"asks"`
	// Generic covers topics that have no entry of their own, through the
	// {topic} placeholder.
	Generic topicText            `json:"generic"`
	Topics  map[string]topicText `json:"topics"`

	contract *contractor
	// keepCapitals are the register words written with a capital, such as
	// German "Sie", which a sender who writes in lower case keeps.
	keepCapitals []string
	// timeRules are the language's entries of timeRules, and
	// timedEntries the rules that each tone list entry naming a part of
	// the day or week must meet.
	timeRules    []timeRule
	timedEntries map[string][]timeRule
	// weekdaysBut holds, for each day of the week, the weekday slot values
	// other than that day.
	weekdaysBut [7][]string
}

// toneText is the wording that depends on the sender's tone. Greetings
// that use {first} address the recipient by first name. The others use a
// formal form, and each sender keeps to one of the two groups.
type toneText struct {
	// Register is "formal" when the tone uses the formal "you" of the
	// language, such as Spanish "usted" or German "Sie", and "informal"
	// otherwise. It selects the forms of <informal|formal> in all text.
	Register     string   `json:"register"`
	Greetings    []string `json:"greetings"`
	Openers      []string `json:"openers"`
	ReplyOpeners []string `json:"reply_openers"`
	// AnswerOpeners start a reply to a question (see askMessage), which
	// the reply openers, written for reports, do not fit.
	AnswerOpeners []string `json:"answer_openers"`
	Closers       []string `json:"closers"`
	Signoffs      []string `json:"signoffs"`

	firstGreetings, formalGreetings []string
}

// askText is the wording of a message that asks about a topic. Every
// paragraph names {about}, so any of them can open the message.
type askText struct {
	Subjects   []string `json:"subjects"`
	Paragraphs []string `json:"paragraphs"`
	// ParagraphReplies answer the question of one paragraph, keyed by its
	// index in Paragraphs, and are written only when the parent contains
	// that paragraph.
	ParagraphReplies map[int][]string `json:"paragraph_replies"`

	patterns     [][]string
	subjectSlots [][]string
	replies      []template
}

// topicText is the wording of one topic.
type topicText struct {
	// Owner names the team that usually writes about the topic, for asks.
	Owner string `json:"owner"`
	// Subject is the topic's name as a subject line, with no placeholders,
	// such as "Budget review". Generic, which stands for any topic, has
	// none.
	Subject string `json:"subject"`
	// About are noun phrases for the topic, used in openers.
	About []string `json:"about"`
	// Replies answer any message on the topic. They name no fact, so they
	// cannot contradict the parent.
	Replies []string `json:"replies"`
	// Threads are the kinds of message a topic starts with, each with
	// subjects that fit its paragraphs.
	Threads []threadText `json:"threads"`

	about, replies []template
}

// template is a reply-side template with the fact slots it uses and its
// literal start, used to check whether the parent already contains it.
type template struct {
	text  string
	facts []string
	lead  string
	// mark is set for a reply to one paragraph. It is the run of words
	// that shows that a parent contains the paragraph (see paragraphMark).
	mark string
}

// tones are the tone keys every corpus defines. persona.Custom is written
// as formal.
var tones = []string{"formal", "direct", "casual", "technical"}

// factSlots are the slots whose value a reply takes from its parent. Their
// values are plain text, so a value found in the parent is the one drawn.
var factSlots = []string{"weekday", "time", "amount", "expense", "vendor", "client", "project", "city", "dept", "system", "room"}

// weekdaySlots are drawn so that they never name the weekday of the
// message itself.
var weekdaySlots = []string{"weekday", "deadline"}

// loadCorpora reads every embedded corpus file, keyed by language.
func loadCorpora() (map[string]*corpus, error) {
	names, err := fs.Glob(corpusFiles, "corpus/*.json")
	if err != nil {
		return nil, fmt.Errorf("listing corpus files: %w", err)
	}
	out := make(map[string]*corpus, len(names))
	for _, name := range names {
		data, err := corpusFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("reading corpus %s: %w", name, err)
		}
		c, err := parseCorpus(data)
		if err != nil {
			return nil, fmt.Errorf("loading corpus %s: %w", name, err)
		}
		if want := strings.TrimSuffix(path.Base(name), ".json"); c.Language != want {
			return nil, fmt.Errorf("loading corpus %s: language %q does not match the file name", name, c.Language)
		}
		out[c.Language] = c
	}
	return out, nil
}

// parseCorpus decodes one corpus and checks that every list the composer
// draws from is non-empty, so that a missing entry fails at start-up
// instead of in the middle of a message.
func parseCorpus(data []byte) (*corpus, error) {
	var c corpus
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decoding JSON: %w", err)
	}

	if len(c.Weekdays) != 7 || len(c.Months) != 12 {
		return nil, fmt.Errorf("want 7 weekdays and 12 months, got %d and %d", len(c.Weekdays), len(c.Months))
	}
	if len(c.MonthNames) != 12 || len(c.Quarters) != 4 {
		return nil, fmt.Errorf("want 12 month_names and 4 quarters, got %d and %d", len(c.MonthNames), len(c.Quarters))
	}
	if len(c.QuoteHeaders) == 0 {
		return nil, errors.New("no quote_headers")
	}
	if err := c.checkTones(); err != nil {
		return nil, err
	}
	c.indexTimedEntries()
	if err := c.checkTimeCover(); err != nil {
		return nil, err
	}
	if len(c.Thanks) == 0 {
		return nil, errors.New("no thanks words")
	}
	for _, stem := range c.Thanks {
		if stem == "" || stem != strings.ToLower(stem) || stem[0] < 'a' || stem[0] > 'z' {
			return nil, fmt.Errorf("thanks word %q is empty, not in lower case or does not start with a letter from a to z", stem)
		}
	}
	c.keepCapitals = capitalWords(c.RegisterWords.Formal, c.RegisterWords.Informal)
	c.RegisterWords.prepare()
	if strings.TrimSpace(c.DefaultSubject) == "" || strings.ContainsAny(c.DefaultSubject, "{}[]<>") {
		return nil, fmt.Errorf("default_subject %q is blank or has placeholders", c.DefaultSubject)
	}
	if err := c.Mannerisms.check(); err != nil {
		return nil, fmt.Errorf("mannerisms: %w", err)
	}
	if err := c.Asks.prepare(); err != nil {
		return nil, fmt.Errorf("asks: %w", err)
	}

	topics := make(map[string]topicText, len(c.Topics))
	for key, t := range c.Topics {
		if err := t.prepare(); err != nil {
			return nil, fmt.Errorf("topic %q: %w", key, err)
		}
		if strings.TrimSpace(t.Subject) == "" || strings.ContainsAny(t.Subject, "{}[]<>") {
			return nil, fmt.Errorf("topic %q: subject %q is blank or has placeholders", key, t.Subject)
		}
		topics[strings.ToLower(key)] = t
	}
	c.Topics = topics
	if err := c.Generic.prepare(); err != nil {
		return nil, fmt.Errorf("generic topic: %w", err)
	}

	if err := c.addProperNames(); err != nil {
		return nil, err
	}
	c.contract = newContractor(c.Contractions)
	c.weekdaysBut = weekdaysBut(c.Slots["weekday"])
	return &c, nil
}

// checkTones checks every tone's lists and splits its greetings by the
// form of address.
func (c *corpus) checkTones() error {
	for _, tone := range tones {
		t, ok := c.Tones[tone]
		if !ok {
			return fmt.Errorf("missing tone %q", tone)
		}
		for field, list := range map[string][]string{
			"greetings": t.Greetings, "openers": t.Openers, "reply_openers": t.ReplyOpeners,
			"answer_openers": t.AnswerOpeners, "closers": t.Closers, "signoffs": t.Signoffs,
			"signatures": c.Signatures[tone],
		} {
			if len(list) == 0 {
				return fmt.Errorf("tone %q: no %s", tone, field)
			}
		}
		if t.Register != "formal" && t.Register != "informal" {
			return fmt.Errorf("tone %q: register %q is neither formal nor informal", tone, t.Register)
		}
		t.firstGreetings, t.formalGreetings = nil, nil
		for _, g := range t.Greetings {
			if strings.Contains(g, "{first}") {
				t.firstGreetings = append(t.firstGreetings, g)
			} else {
				t.formalGreetings = append(t.formalGreetings, g)
			}
		}
		if len(t.firstGreetings) == 0 {
			return fmt.Errorf("tone %q: no greeting uses {first}", tone)
		}
		c.Tones[tone] = t
	}
	return nil
}

// prepare checks t and precomputes what replies need.
func (t *topicText) prepare() error {
	if len(t.About) == 0 || len(t.Replies) == 0 || len(t.Threads) == 0 || t.Owner == "" {
		return errors.New("want owner, about, replies and threads")
	}
	t.about = newTemplates(t.About)
	if !hasFactFree(t.about) {
		return errors.New("want an about without fact slots, for replies")
	}
	t.replies = newTemplates(t.Replies)
	for _, r := range t.replies {
		if len(r.facts) > 0 {
			return fmt.Errorf("topic reply %q names a fact", r.text)
		}
	}
	for i := range t.Threads {
		if err := t.Threads[i].prepare(); err != nil {
			return fmt.Errorf("thread %d: %w", i, err)
		}
	}
	return nil
}

// prepare checks a and precomputes what composing and replies need.
func (a *askText) prepare() error {
	if len(a.Subjects) == 0 || len(a.Paragraphs) == 0 {
		return errors.New("want subjects and paragraphs")
	}
	a.patterns = make([][]string, len(a.Subjects))
	for i, s := range a.Subjects {
		if strings.ContainsAny(s, "[]") {
			return fmt.Errorf("subject %q has alternatives, which replies cannot match", s)
		}
		a.patterns[i] = subjectPattern(s)
	}
	a.subjectSlots = placeholderLists(a.Subjects)
	for i, p := range a.Paragraphs {
		if !strings.Contains(p, "{about}") {
			return fmt.Errorf("paragraph %q does not name {about}, so it cannot open a message", p)
		}
		if len(a.ParagraphReplies[i]) == 0 {
			return fmt.Errorf("paragraph %d (%q) has no paragraph_replies entry", i, p)
		}
		mark := paragraphMark(p)
		if mark == "" {
			return fmt.Errorf("paragraph %q has no run of %d words outside placeholders to recognize it by", p, minMarkWords)
		}
		for _, s := range a.ParagraphReplies[i] {
			t := newTemplate(s)
			if len(t.facts) > 0 {
				return fmt.Errorf("reply %q names a fact, which a question does not give", s)
			}
			t.mark = mark
			a.replies = append(a.replies, t)
		}
	}
	if len(a.ParagraphReplies) != len(a.Paragraphs) {
		return errors.New("paragraph_replies has a key that is not a paragraph index")
	}
	return nil
}

// matchSubject reports whether subject can be the subject of a question
// written from a.
func (a *askText) matchSubject(subject string) bool {
	for _, p := range a.patterns {
		if matchPattern(p, subject) {
			return true
		}
	}
	return false
}

func newTemplates(list []string) []template {
	out := make([]template, len(list))
	for i, s := range list {
		out[i] = newTemplate(s)
	}
	return out
}

func newTemplate(s string) template {
	lead := s
	if end := strings.IndexAny(s, "{["); end >= 0 {
		lead = s[:end]
	}
	return template{text: s, facts: factsOf(s), lead: lead}
}

func hasFactFree(list []template) bool {
	for _, t := range list {
		if len(t.facts) == 0 {
			return true
		}
	}
	return false
}

// factsOf returns the fact slots that tmpl names, in lower case.
func factsOf(tmpl string) []string {
	var out []string
	for rest := tmpl; ; {
		start := strings.IndexByte(rest, '{')
		if start < 0 {
			return out
		}
		end := strings.IndexByte(rest[start:], '}')
		if end < 0 {
			return out
		}
		name, _ := lowerFirst(rest[start+1 : start+end])
		for _, f := range factSlots {
			if name == f {
				out = append(out, f)
			}
		}
		rest = rest[start+end+1:]
	}
}

// weekdaysBut returns, for each day of the week, the values of the
// weekday slot without that day. The slot lists Monday to Friday in order,
// so Saturday and Sunday keep all of them.
func weekdaysBut(weekdays []string) [7][]string {
	var out [7][]string
	for day := range out {
		list := make([]string, 0, len(weekdays))
		for i, w := range weekdays {
			if i != day-1 {
				list = append(list, w)
			}
		}
		out[day] = list
	}
	return out
}

// topicOfSubject returns the key, one of Topics, and the text of the topic
// with a thread whose subjects match subject, for replies whose request
// names no known topic.
func (c *corpus) topicOfSubject(subject string) (string, topicText, bool) {
	var bestKey string
	var best topicText
	bestScore := 0
	for _, key := range Topics {
		t := c.Topics[strings.ToLower(key)]
		if _, score := t.matchThread(subject); score > bestScore {
			bestKey, best, bestScore = key, t, score
		}
	}
	return bestKey, best, bestScore > 0
}
