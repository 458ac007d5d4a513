package generator

import (
	"embed"
	"encoding/json"
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
	// QuoteHeaders are the lines that introduce a quoted parent message.
	QuoteHeaders []string `json:"quote_headers"`
	// Signatures are made-up signatures by tone, used when the persona has
	// none.
	Signatures map[string][]string `json:"signatures"`
	Tones      map[string]toneText `json:"tones"`
	// Slots are the values a {name} placeholder can take.
	Slots map[string][]string `json:"slots"`
	// Generic covers topics that have no entry of their own, through the
	// {topic} placeholder.
	Generic topicText            `json:"generic"`
	Topics  map[string]topicText `json:"topics"`
}

// toneText is the wording that depends on the sender's tone.
type toneText struct {
	Greetings    []string `json:"greetings"`
	Openers      []string `json:"openers"`
	ReplyOpeners []string `json:"reply_openers"`
	Closers      []string `json:"closers"`
	Signoffs     []string `json:"signoffs"`
}

// topicText is the wording of one topic.
type topicText struct {
	// About are noun phrases for the topic, used in openers.
	About      []string `json:"about"`
	Subjects   []string `json:"subjects"`
	Paragraphs []string `json:"paragraphs"`
	// Replies are paragraphs for replies on the topic. They name no vendor,
	// client or project, because the reply cannot know which one the
	// parent named.
	Replies []string `json:"replies"`
}

// tones are the tone keys every corpus defines. persona.Custom is written
// as formal.
var tones = []string{"formal", "direct", "casual", "technical"}

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
	if len(c.QuoteHeaders) == 0 {
		return nil, fmt.Errorf("no quote_headers")
	}

	for _, tone := range tones {
		t, ok := c.Tones[tone]
		if !ok {
			return nil, fmt.Errorf("missing tone %q", tone)
		}
		for field, list := range map[string][]string{
			"greetings": t.Greetings, "openers": t.Openers, "reply_openers": t.ReplyOpeners,
			"closers": t.Closers, "signoffs": t.Signoffs, "signatures": c.Signatures[tone],
		} {
			if len(list) == 0 {
				return nil, fmt.Errorf("tone %q: no %s", tone, field)
			}
		}
	}

	topics := make(map[string]topicText, len(c.Topics))
	for key, t := range c.Topics {
		topics[strings.ToLower(key)] = t
	}
	c.Topics = topics
	for key, t := range c.Topics {
		if err := t.check(); err != nil {
			return nil, fmt.Errorf("topic %q: %w", key, err)
		}
	}
	if err := c.Generic.check(); err != nil {
		return nil, fmt.Errorf("generic topic: %w", err)
	}
	return &c, nil
}

func (t topicText) check() error {
	for field, list := range map[string][]string{
		"about": t.About, "subjects": t.Subjects, "paragraphs": t.Paragraphs, "replies": t.Replies,
	} {
		if len(list) == 0 {
			return fmt.Errorf("no %s", field)
		}
	}
	if len(t.Paragraphs) < 2 {
		return fmt.Errorf("want at least 2 paragraphs, got %d", len(t.Paragraphs))
	}
	return nil
}

// topic returns the text for key, or the generic text when the corpus has
// no entry for it.
func (c *corpus) topic(key string) topicText {
	if t, ok := c.Topics[strings.ToLower(strings.TrimSpace(key))]; ok {
		return t
	}
	return c.Generic
}
