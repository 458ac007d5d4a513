package generator

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func corpora(t *testing.T) map[string]*corpus {
	t.Helper()
	c, err := loadCorpora()
	if err != nil {
		t.Fatalf("loading the embedded corpus: %v", err)
	}
	return c
}

// templates returns every template string of c, keyed by a label that
// names its place in the corpus.
func templates(c *corpus) map[string]string {
	out := make(map[string]string)
	add := func(label string, list []string) {
		for i, s := range list {
			out[label+"["+strconv.Itoa(i)+"]"] = s
		}
	}
	add("quote_headers", c.QuoteHeaders)
	for tone, forms := range c.Signatures {
		add("signatures."+tone, forms)
	}
	for tone, text := range c.Tones {
		add(tone+".greetings", text.Greetings)
		add(tone+".openers", text.Openers)
		add(tone+".reply_openers", text.ReplyOpeners)
		add(tone+".answer_openers", text.AnswerOpeners)
		add(tone+".closers", text.Closers)
		add(tone+".signoffs", text.Signoffs)
	}
	for name, values := range c.Slots {
		add("slots."+name, values)
	}
	for field, list := range c.Mannerisms.lists() {
		add("mannerisms."+field, list)
	}
	add("default_subject", []string{c.DefaultSubject})
	add("asks.subjects", c.Asks.Subjects)
	add("asks.paragraphs", c.Asks.Paragraphs)
	add("month_names", c.MonthNames)
	add("quarters", c.Quarters)
	topics := map[string]topicText{"generic": c.Generic}
	for key, text := range c.Topics {
		topics[key] = text
	}
	for key, text := range topics {
		add(key+".owner", []string{text.Owner})
		if text.Subject != "" {
			add(key+".subject", []string{text.Subject})
		}
		add(key+".about", text.About)
		add(key+".replies", text.Replies)
		for i, th := range text.Threads {
			label := key + ".threads[" + strconv.Itoa(i) + "]"
			add(label+".subjects", th.Subjects)
			add(label+".paragraphs", th.Paragraphs)
			add(label+".replies", th.Replies)
		}
	}
	return out
}

func TestCorpusLanguages(t *testing.T) {
	got := NewTemplate(nil).Languages()
	if diff := cmp.Diff([]string{"de", "en", "es", "fr", "pt"}, got); diff != "" {
		t.Errorf("corpus languages (-want +got):\n%s", diff)
	}
}

func TestCorpusCoversTopics(t *testing.T) {
	want := make([]string, len(Topics))
	for i, topic := range Topics {
		want[i] = strings.ToLower(topic)
	}
	slices.Sort(want)
	for language, c := range corpora(t) {
		t.Run(language, func(t *testing.T) {
			var got []string
			for key := range c.Topics {
				got = append(got, key)
			}
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("corpus topics (-Topics +corpus):\n%s", diff)
			}
		})
	}
}

var (
	placeholder   = regexp.MustCompile(`\{([^{}]*)\}`)
	registerForms = regexp.MustCompile(`<([^<>]*)>`)
)

// fixedPlaceholders are the names the composer fills in itself.
var fixedPlaceholders = []string{
	"first", "full", "me", "name", "role", "company", "topic", "about", "owner", "ticket",
	"month", "nextmonth", "lastmonth", "quarter", "nextquarter", "lastquarter", "year", "nextyear",
	"qname", "qweekday", "qday", "qmonth", "qmonthnum", "qyear", "qtime", "qtime12",
}

func TestCorpusTemplates(t *testing.T) {
	digits := regexp.MustCompile(`^#([1-9]|1[0-8])$`)
	for language, c := range corpora(t) {
		for label, tmpl := range templates(c) {
			t.Run(language+"/"+label, func(t *testing.T) {
				if strings.ContainsAny(tmpl, "\u2014\u2013") {
					t.Errorf("template %q contains an em-dash or en-dash", tmpl)
				}
				if strings.Contains(tmpl, "  ") || strings.TrimSpace(tmpl) != tmpl {
					t.Errorf("template %q has a double space or surrounding white space", tmpl)
				}
				if depth := bracketDepth(tmpl); depth != 0 {
					t.Errorf("template %q has unbalanced brackets", tmpl)
				}
				for _, m := range registerForms.FindAllStringSubmatch(tmpl, -1) {
					if n := len(splitOptions(m[1])); n != 2 {
						t.Errorf("template %q has <%s> with %d forms, want an informal and a formal one", tmpl, m[1], n)
					}
				}
				if rest := registerForms.ReplaceAllString(tmpl, ""); strings.ContainsAny(rest, "<>") {
					t.Errorf("template %q has an unbalanced < or >", tmpl)
				}
				rest := placeholder.ReplaceAllString(tmpl, "")
				if strings.ContainsAny(rest, "{}") {
					t.Errorf("template %q has an unbalanced brace", tmpl)
				}
				for _, m := range placeholder.FindAllStringSubmatch(tmpl, -1) {
					name := m[1]
					if digits.MatchString(name) {
						continue
					}
					key, _ := lowerFirst(name)
					list, _, _ := strings.Cut(key, "#")
					if !slices.Contains(fixedPlaceholders, key) && len(c.Slots[list]) == 0 {
						t.Errorf("template %q uses unknown placeholder {%s}", tmpl, name)
					}
				}
			})
		}
	}
}

func bracketDepth(s string) int {
	depth := 0
	for _, c := range s {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
			if depth < 0 {
				return depth
			}
		}
	}
	return depth
}

// TestParseCorpusRejectsMannerisms loads the English corpus with one
// field broken at a time.
func TestParseCorpusRejectsMannerisms(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(c map[string]any)
		want  string
	}{
		{"no default subject", func(c map[string]any) { c["default_subject"] = " " }, "default_subject"},
		{"no summaries for a tone", func(c map[string]any) { byTone(c, "summaries")["casual"] = []any{} }, "mannerisms: no summaries.casual"},
		{"tone missing", func(c map[string]any) { delete(byTone(c, "summary_labels"), "formal") }, "mannerisms: no summary_labels.formal"},
		{"unknown tone", func(c map[string]any) { byTone(c, "apologies")["polite"] = []any{"Sorry."} }, `apologies: unknown tone "polite"`},
		{"ticket not named", func(c map[string]any) { mannerisms(c)["tickets"] = []any{"Logged."} }, "does not contain {ticket}"},
		{"few action items", func(c map[string]any) { byTone(c, "action_items")["direct"] = []any{"One", "Two"} }, `2 action_items for tone "direct"`},
		{"exclamation without mark", func(c map[string]any) { mannerisms(c)["exclamation_close"] = "" }, "exclamation_close"},
		{"topic without subject", func(c map[string]any) {
			delete(c["topics"].(map[string]any)["hiring"].(map[string]any), "subject")
		}, `topic "hiring": subject`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := corpusFiles.ReadFile("corpus/en.json")
			if err != nil {
				t.Fatalf("reading the English corpus: %v", err)
			}
			var c map[string]any
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatalf("decoding the English corpus: %v", err)
			}
			tt.spoil(c)
			if data, err = json.Marshal(c); err != nil {
				t.Fatalf("encoding the changed corpus: %v", err)
			}
			_, err = parseCorpus(data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseCorpus() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func mannerisms(c map[string]any) map[string]any {
	return c["mannerisms"].(map[string]any)
}

// byTone returns the lists by tone of the mannerism field.
func byTone(c map[string]any, field string) map[string]any {
	return mannerisms(c)[field].(map[string]any)
}

func TestParseCorpusRejects(t *testing.T) {
	tests := []struct {
		name string
		json string
		want string
	}{
		{"not json", `{`, "decoding JSON"},
		{"unknown field", `{"langauge": "en"}`, "unknown field"},
		{"missing months", `{"language": "en", "weekdays": ["a","b","c","d","e","f","g"]}`, "12 months"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseCorpus([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseCorpus() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
