package generator

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/persona"
)

// ownLines returns the lines of body above the quoted parent, without the
// attribution line.
func ownLines(body string) []string {
	lines := trimBlank(strings.Split(ownText(body), "\n"))
	if n := len(lines); n > 0 && strings.Contains(body, "\n>") && strings.HasSuffix(lines[n-1], ":") {
		lines = trimBlank(lines[:n-1])
	}
	return lines
}

// words returns a case-insensitive regular expression that matches any of
// list as whole words, with letters outside ASCII counted as letters.
func words(list ...string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)(?:^|[^\pL])(` + strings.Join(list, "|") + `)(?:[^\pL]|$)`)
}

// deckyPersonas are the people of one decky in language: four roles and
// all four tones.
func deckyPersonas(language string) []persona.Persona {
	people := []struct {
		name, role string
		tone       persona.Tone
	}{
		{"Ana Souza", "Finance Manager", persona.Formal},
		{"Bruno Lima", "IT Administrator", persona.Technical},
		{"Carla Dias", "HR Business Partner", persona.Casual},
		{"Diego Ramos", "Manager", persona.Direct},
	}
	out := make([]persona.Persona, len(people))
	for i, p := range people {
		email := strings.ToLower(strings.ReplaceAll(p.name, " ", ".")) + "@acme-corp.example"
		out[i] = newPersona(p.name, email, p.tone, language)
		out[i].Role = p.role
	}
	return out
}

// TestTemplateVariety measures, per language, how often bodies repeat and
// how often one subject starts a thread, over 1,200 messages between the
// people of one decky: new threads on topics that fit the sender's role,
// about half of them answered, dated across a year.
func TestTemplateVariety(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	const messages = 1200
	for _, language := range languages {
		t.Run(language, func(t *testing.T) {
			r := seeded(2026)
			people := deckyPersonas(language)
			start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
			bodies := make(map[string]bool)
			subjects := make(map[string]int)
			threads, total := 0, 0
			for total < messages {
				from, to := pickTwo(r, people)
				sender, recipient := people[from], people[to]
				date := start.Add(time.Duration(r.IntN(365*24)) * time.Hour)
				topic := RandomTopicFor(r, sender.Role)
				root := generate(t, g, Request{Sender: sender, Recipient: recipient, Topic: topic, Rand: r, Date: date})
				bodies[root.Body] = true
				subjects[root.Subject]++
				threads++
				total++
				if r.IntN(2) == 0 {
					parent := &Parent{Subject: root.Subject, Body: root.Body, FromName: sender.Name, Date: date}
					reply := generate(t, g, Request{Sender: recipient, Recipient: sender, Topic: topic, Parent: parent, Rand: r, Date: date.Add(3 * time.Hour)})
					bodies[reply.Body] = true
					total++
				}
			}
			distinct := float64(len(bodies)) / float64(total)
			top, topSubject := 0, ""
			for s, n := range subjects {
				if n > top {
					top, topSubject = n, s
				}
			}
			share := float64(top) / float64(threads)
			t.Logf("%d messages: distinct bodies %.1f%%; %d threads: most common subject %q in %.1f%%",
				total, distinct*100, threads, topSubject, share*100)
			if distinct < 0.95 {
				t.Errorf("distinct bodies = %.1f%%, want at least 95%%", distinct*100)
			}
			if share > 0.02 {
				t.Errorf("subject %q starts %.1f%% of threads, want at most 2%%", topSubject, share*100)
			}
		})
	}
}

func TestReplyKeepsParentFacts(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	weekdays := regexp.MustCompile(`\b(Monday|Tuesday|Wednesday|Friday)\b`)
	times := regexp.MustCompile(`\b\d{1,2}:\d{2}\b`)
	parent := &Parent{
		Subject:  "Interviews on Thursday",
		Body:     "Hi Ana,\n\nThe interviews are scheduled for Thursday, starting at 11:30. Each one takes about an hour.\n\nBruno",
		FromName: "Bruno Lima",
		Date:     time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC),
	}
	for seed := range uint64(300) {
		req := Request{Sender: ana, Recipient: bruno, Topic: "hiring", Parent: parent, Rand: seeded(seed), Date: parent.Date.Add(time.Hour)}
		body := strings.Join(ownLines(generate(t, g, req).Body), "\n")
		for _, sentence := range strings.Split(body, ".") {
			if strings.Contains(sentence, "interview") && weekdays.MatchString(sentence) {
				t.Errorf("reply names another day for the Thursday interviews: %q", sentence)
			}
		}
		for _, tm := range times.FindAllString(body, -1) {
			if tm != "11:30" {
				t.Errorf("reply names time %s, but the parent said 11:30:\n%s", tm, body)
			}
		}
	}
}

// TestReplyFactsComeFromParent checks, for every language, that the
// vendors, clients, projects, cities, amounts and times a reply names are
// ones its parent named.
func TestReplyFactsComeFromParent(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	checked := []string{"vendor", "client", "project", "city", "amount", "expense", "time"}
	for _, language := range languages {
		t.Run(language, func(t *testing.T) {
			c := g.corpora[language]
			people := deckyPersonas(language)
			people[3].Role = "Manager"
			r := seeded(7)
			for range 400 {
				sender, recipient := people[3], people[r.IntN(3)]
				topic := RandomTopic(r)
				root := generate(t, g, Request{Sender: sender, Recipient: recipient, Topic: topic, Rand: r})
				parent := &Parent{Subject: root.Subject, Body: root.Body, FromName: sender.Name, Date: time.Now()}
				reply := generate(t, g, Request{Sender: recipient, Recipient: sender, Topic: topic, Parent: parent, Rand: r})
				own := strings.Join(ownLines(reply.Body), "\n")
				for _, slot := range checked {
					for _, value := range c.Slots[slot] {
						if indexWord(own, value) >= 0 && indexWord(root.Body, value) < 0 {
							t.Errorf("reply names %s %q that the parent does not:\nparent:\n%s\nreply:\n%s", slot, value, root.Body, own)
						}
					}
				}
			}
		})
	}
}

// TestSubjectsIdentifyTheirThread checks that every subject a thread can
// have leads a reply back to that thread, so a reply answers the body the
// subject came with.
func TestSubjectsIdentifyTheirThread(t *testing.T) {
	for language, c := range corpora(t) {
		for key, text := range c.Topics {
			for i := range text.Threads {
				for _, tmpl := range text.Threads[i].Subjects {
					for seed := range uint64(20) {
						fixed := map[string]string{"topic": key}
						w := &composer{c: c, date: time.Date(2026, time.Month(1+seed%12), 10, 9, 0, 0, 0, time.UTC)}
						w.addCalendar(fixed)
						subject := c.contract.apply(newExpander(seeded(seed), c.Slots, fixed).expand(tmpl))
						got, _ := text.matchThread(subject)
						if got != &text.Threads[i] {
							t.Errorf("%s/%s: subject %q of thread %d does not lead back to it", language, key, subject, i)
						}
					}
				}
			}
		}
	}
}

func TestMaintenanceTonightSaysTonight(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for seed := range uint64(400) {
		got := generate(t, g, Request{Sender: ana, Recipient: bruno, Topic: "IT maintenance window", Rand: seeded(seed)})
		if strings.Contains(got.Subject, "tonight") && strings.Contains(got.Body, "weekend") {
			t.Fatalf("subject %q with a body about the weekend:\n%s", got.Subject, got.Body)
		}
		if strings.Contains(got.Subject, "weekend") && strings.Contains(got.Body, "tonight") {
			t.Fatalf("subject %q with a body about tonight:\n%s", got.Subject, got.Body)
		}
	}
}

func TestCalendarWordsFitDate(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	december := time.Date(2026, 12, 9, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		topic  string
		reject *regexp.Regexp
	}{
		{"quarterly planning", regexp.MustCompile(`\bQ[23]\b`)},
		{"travel policy", regexp.MustCompile(`\b(February|March|April|May|June|July|August|September|October)\b`)},
		{"team offsite", regexp.MustCompile(`\b(February|March|April|May|June|July|August|September|October)\b`)},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			for seed := range uint64(200) {
				got := generate(t, g, Request{Sender: ana, Recipient: bruno, Topic: tt.topic, Rand: seeded(seed), Date: december})
				if m := tt.reject.FindString(got.Subject + "\n" + got.Body); m != "" {
					t.Fatalf("message dated December names %q:\n%s\n\n%s", m, got.Subject, got.Body)
				}
			}
		})
	}
}

func TestWeekdayNotMessageDay(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	thursday := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
	for seed := range uint64(300) {
		got := generate(t, g, Request{Sender: ana, Recipient: bruno, Topic: "hiring", Rand: seeded(seed), Date: thursday})
		if strings.Contains(got.Subject+got.Body, "Thursday") {
			t.Fatalf("message written on a Thursday names Thursday:\n%s\n\n%s", got.Subject, got.Body)
		}
	}
}

func TestContractions(t *testing.T) {
	spanish := newContractor([][2]string{{"a el", "al"}, {"de el", "del"}})
	french := newContractor([][2]string{{"de avril", "d'avril"}, {"de le", "du"}})
	tests := []struct {
		name string
		c    *contractor
		in   string
		want string
	}{
		{"inside", spanish, "acceso a el ERP", "acceso al ERP"},
		{"start", spanish, "De el ERP", "Del ERP"},
		{"two", spanish, "a el CRM y de el ERP", "al CRM y del ERP"},
		{"inside a word", spanish, "para el ERP", "para el ERP"},
		{"before punctuation", french, "semaine de avril.", "semaine d'avril."},
		{"not a prefix", french, "de lecture", "de lecture"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.apply(tt.in); got != tt.want {
				t.Errorf("apply(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestGrammarInOutput looks for forms that a language contracts or spaces
// in a fixed way, in a large sample of its messages.
func TestGrammarInOutput(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	tests := map[string]*regexp.Regexp{
		"es": words("a el", "de el"),
		"pt": words("de o", "de a", "em o", "em a", "por o", "por a"),
		"fr": regexp.MustCompile(`(?i)(?:^|[^\pL])(de le|à le|de les|à les|de [aeiouéè]\pL+)(?:[^\pL]|$)|[^\x{00a0}][?!;]|[^\x{00a0}\d]:`),
		"de": words("in dem", "an dem", "zu dem", "von dem", "bei dem"),
	}
	for language, bad := range tests {
		t.Run(language, func(t *testing.T) {
			r := seeded(11)
			people := deckyPersonas(language)
			for range 1500 {
				from, to := pickTwo(r, people)
				got := generate(t, g, Request{Sender: people[from], Recipient: people[to], Topic: RandomTopic(r), Rand: r})
				text := got.Subject + "\n" + strings.Join(ownLines(got.Body), "\n")
				if m := bad.FindString(text); m != "" {
					t.Fatalf("%q in:\n%s", m, text)
				}
			}
		})
	}
}

// TestRegisterConsistent checks that formal senders use the formal "you"
// of the language and informal ones the informal "you".
func TestRegisterConsistent(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	informalWords := map[string]*regexp.Regexp{
		"es": words("te", "tu", "tus", "dime", "dímelo", "avísame", "cuéntame", "pásame", "quieres", "necesitas"),
		"fr": words("tu", "te", "toi", "ton", "ta", "tes", "dis-moi", "préviens-moi"),
		"de": words("du", "dich", "dir", "dein", "deine", "sag", "halte"),
	}
	formalWords := map[string]*regexp.Regexp{
		"es": words("usted", "dígame", "dígamelo", "avíseme", "cuénteme", "páseme"),
		"fr": words("vous", "votre", "vos", "dites-moi", "prévenez-moi"),
		"de": regexp.MustCompile(`(?:^|[^\pL])(Ihnen|Ihre|Ihr|Sagen Sie|Halten Sie)(?:[^\pL]|$)`),
	}
	for language := range informalWords {
		for _, tone := range []persona.Tone{persona.Formal, persona.Direct, persona.Casual, persona.Technical} {
			t.Run(language+"/"+string(tone), func(t *testing.T) {
				formal := g.corpora[language].Tones[toneKey(tone)].Register == "formal"
				wrong := formalWords[language]
				if formal {
					wrong = informalWords[language]
				}
				sender := newPersona("Ana Souza", "ana@acme.example", tone, language)
				recipient := newPersona("Bruno Lima", "bruno@acme.example", persona.Casual, language)
				r := seeded(3)
				for i := range 600 {
					req := Request{Sender: sender, Recipient: recipient, Topic: RandomTopic(r), Rand: r}
					if i%2 == 1 {
						req.Parent = &Parent{Subject: "Re: x", Body: "x", FromName: "Bruno Lima"}
					}
					got := generate(t, g, req)
					text := strings.ToLower(strings.Join(ownLines(got.Body), "\n"))
					if language == "de" {
						text = strings.Join(ownLines(got.Body), "\n")
					}
					if m := wrong.FindString(text); m != "" {
						t.Fatalf("register formal=%v, but the message says %q:\n%s", formal, m, got.Body)
					}
				}
			})
		}
	}
}

// TestGreetingFormConsistent checks that a sender addresses a recipient
// the same way in every message: by first name, or always formally.
func TestGreetingFormConsistent(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, language := range languages {
		for i := range 12 {
			sender := newPersona("Ana Souza", fmt.Sprintf("ana%d@acme.example", i), persona.Formal, language)
			recipient := newPersona("Bruno Lima", "bruno@acme.example", persona.Casual, language)
			forms := make(map[string]bool)
			r := seeded(uint64(i))
			for range 100 {
				got := generate(t, g, Request{Sender: sender, Recipient: recipient, Topic: RandomTopic(r), Rand: r})
				greeting, _, _ := strings.Cut(got.Body, "\n")
				switch {
				case strings.Contains(greeting, "Bruno Lima"):
					forms["formal"] = true
				case strings.Contains(greeting, "Bruno"):
					forms["first name"] = true
				default:
					forms["formal"] = true
				}
			}
			if len(forms) != 1 {
				t.Errorf("%s: sender %s greets by %v", language, sender.Email, forms)
			}
		}
	}
}

func TestTopicsFor(t *testing.T) {
	tests := []struct {
		role     string
		contains []string
		excludes []string
	}{
		{"Chief Financial Officer", []string{"budget review", "invoice discrepancy"}, []string{"IT maintenance window"}},
		{"IT Administrator", []string{"IT maintenance window", "password policy change"}, []string{"budget review"}},
		{"HR Business Partner", []string{"hiring", "performance reviews"}, []string{"invoice discrepancy"}},
		{"Responsable des Achats", []string{"vendor onboarding", "supplier delay"}, []string{"IT maintenance window"}},
		{"Leiterin Personal", []string{"hiring", "quarterly planning"}, []string{"IT maintenance window"}},
		{"Analista de Marketing", []string{"marketing campaign"}, []string{"password policy change"}},
		{"Manager", Topics, nil},
		{"", Topics, nil},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			got := TopicsFor(tt.role)
			for _, topic := range got {
				if !slices.Contains(Topics, topic) {
					t.Errorf("TopicsFor(%q) returns %q, which is not in Topics", tt.role, topic)
				}
			}
			for _, topic := range tt.contains {
				if !slices.Contains(got, topic) {
					t.Errorf("TopicsFor(%q) lacks %q", tt.role, topic)
				}
			}
			for _, topic := range tt.excludes {
				if slices.Contains(got, topic) {
					t.Errorf("TopicsFor(%q) contains %q", tt.role, topic)
				}
			}
			for _, topic := range everyoneTopics {
				if !slices.Contains(got, topic) {
					t.Errorf("TopicsFor(%q) lacks %q, which everyone writes about", tt.role, topic)
				}
			}
		})
	}
}

func TestRandomTopicForStaysInRole(t *testing.T) {
	r := seeded(1)
	for range 200 {
		if topic := RandomTopicFor(r, "IT Administrator"); !slices.Contains(TopicsFor("IT Administrator"), topic) {
			t.Fatalf("RandomTopicFor() = %q, not a topic of the role", topic)
		}
	}
}

// TestForeignTopicIsAQuestion checks that a sender whose role does not own
// a topic asks its owner about it rather than reporting its figures.
func TestForeignTopicIsAQuestion(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	sender := ana
	sender.Role = "IT Administrator"
	for seed := range uint64(50) {
		got := generate(t, g, Request{Sender: sender, Recipient: bruno, Topic: "budget review", Rand: seeded(seed)})
		if strings.Contains(got.Body, "%") || strings.Contains(got.Body, "$") {
			t.Fatalf("IT administrator reports budget figures:\n%s", got.Body)
		}
		if !regexp.MustCompile(`Finance|budget|numbers`).MatchString(got.Body) {
			t.Fatalf("question names neither the topic nor its owner:\n%s", got.Body)
		}
	}
}

func TestParentFactsValue(t *testing.T) {
	slots := map[string][]string{"weekday": {"Monday", "Thursday"}, "time": {"9:30", "11:00"}}
	f := &parentFacts{text: "Meet on Thursday at 19:30, or Monday at 11:00.", slots: slots, found: map[string]string{}}
	if got, ok := f.value("weekday"); !ok || got != "Thursday" {
		t.Errorf("value(weekday) = %q, %v, want the first named, Thursday", got, ok)
	}
	if got, ok := f.value("time"); !ok || got != "11:00" {
		t.Errorf("value(time) = %q, %v, want 11:00, not the 9:30 inside 19:30", got, ok)
	}
	if _, ok := f.value("vendor"); ok {
		t.Errorf("value(vendor) found a value in a slot with no values")
	}
}

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		tmpl, subject string
		want          bool
	}{
		{"Interviews on {weekday}", "Interviews on Thursday", true},
		{"Interviews on {weekday}", "Interview schedule for Thursday", false},
		{"{vendor} shipment delayed", "Tandem Print shipment delayed", true},
		{"Onboarding {vendor}", "Onboarding plan for the new hire", true},
		{"Holiday rota", "Holiday rota", true},
		{"Holiday rota", "Holiday rota 2", false},
		{"{a} and {b}", "x and y", true},
		{"{a} and {b}", "x or y", false},
	}
	for _, tt := range tests {
		t.Run(tt.tmpl+"/"+tt.subject, func(t *testing.T) {
			if got := matchPattern(subjectPattern(tt.tmpl), tt.subject); got != tt.want {
				t.Errorf("matchPattern(%q, %q) = %v, want %v", tt.tmpl, tt.subject, got, tt.want)
			}
		})
	}
}

func TestReplyToUnknownParentNamesNoFact(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	c := g.corpora["en"]
	parent := &Parent{Subject: "Coffee machine", Body: "It is broken again.", FromName: "Bruno Lima", Date: time.Now()}
	for seed := range uint64(100) {
		body := strings.Join(ownLines(generate(t, g, Request{Sender: ana, Recipient: bruno, Topic: "hiring", Parent: parent, Rand: seeded(seed)}).Body), "\n")
		for _, slot := range factSlots {
			for _, value := range c.Slots[slot] {
				if slot != "weekday" && indexWord(body, value) >= 0 {
					t.Fatalf("reply to an unrelated parent names %s %q:\n%s", slot, value, body)
				}
			}
		}
	}
}
