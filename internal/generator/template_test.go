package generator

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/decnet/emailgend/internal/message"
	"github.com/decnet/emailgend/internal/persona"
)

func seeded(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 2)) }

func newPersona(name, email string, tone persona.Tone, language string) persona.Persona {
	return persona.Persona{
		Name:     name,
		Email:    email,
		Role:     "Manager",
		Tone:     tone,
		Language: language,
	}
}

// languages are the corpus languages.
var languages = []string{"de", "en", "es", "fr", "pt"}

var (
	ana   = newPersona("Ana Souza", "ana.souza@acme-corp.example", persona.Formal, "en")
	bruno = newPersona("Bruno Lima", "bruno.lima@acme-corp.example", persona.Casual, "en")
	jose  = newPersona("José Núñez", "jose.nunez@grupo-iberia.example", persona.Formal, "es")
	maria = newPersona("María Pérez", "maria.perez@grupo-iberia.example", persona.Direct, "es")
)

func generate(t testing.TB, g *Template, req Request) Content {
	t.Helper()
	got, err := g.Generate(context.Background(), req)
	if err != nil {
		t.Fatalf("Generate() error: %v", err)
	}
	return got
}

// encodable checks that content makes a message that Encode accepts.
func encodable(t *testing.T, req Request, got Content) {
	t.Helper()
	m := message.Message{
		From:    message.Address{Name: req.Sender.Name, Email: req.Sender.Email},
		To:      message.Address{Name: req.Recipient.Name, Email: req.Recipient.Email},
		Subject: got.Subject,
		Date:    time.Date(2026, 3, 3, 14, 7, 31, 0, time.FixedZone("", -3*3600)),
		ID:      message.NewID(message.IDDomain(req.Sender.Email), req.Rand),
		Body:    got.Body,
	}
	if req.Parent != nil {
		m.InReplyTo = "parent@example.com"
	}
	if _, err := m.Encode(); err != nil {
		t.Errorf("encoding the generated message: %v\nsubject: %q\nbody:\n%s", err, got.Subject, got.Body)
	}
}

// checkText reports leftover template syntax and dashes in generated text.
func checkText(t *testing.T, field, text string) {
	t.Helper()
	if strings.ContainsAny(text, "{}[]<>") {
		t.Errorf("%s has template syntax left: %q", field, text)
	}
	if strings.ContainsAny(text, "\u2014\u2013") {
		t.Errorf("%s contains an em-dash or en-dash: %q", field, text)
	}
	if strings.Contains(text, "  ") {
		t.Errorf("%s contains a double space: %q", field, text)
	}
}

func TestTemplateEveryCombination(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	tones := []persona.Tone{persona.Formal, persona.Direct, persona.Casual, persona.Technical, persona.Custom}
	parent := &Parent{
		Subject:  "Budget review",
		Body:     "Hi,\n\nThe numbers are in the shared folder.\n\nAna",
		FromName: "Bruno Lima",
		Date:     time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC),
	}
	for _, language := range languages {
		for _, tone := range tones {
			for _, topic := range Topics {
				for _, reply := range []bool{false, true} {
					name := fmt.Sprintf("%s/%s/%s/root", language, tone, topic)
					if reply {
						name = strings.TrimSuffix(name, "root") + "reply"
					}
					t.Run(name, func(t *testing.T) {
						sender := newPersona("Ana Souza", "ana@acme-corp.example", tone, language)
						req := Request{Sender: sender, Recipient: bruno, Topic: topic, Rand: seeded(uint64(len(name)))}
						if reply {
							req.Parent = parent
						}
						got := generate(t, g, req)
						if strings.TrimSpace(got.Subject) == "" {
							t.Errorf("subject is empty")
						}
						if strings.TrimSpace(got.Body) == "" {
							t.Errorf("body is empty")
						}
						if got.Generator != "template" {
							t.Errorf("Generator = %q, want template", got.Generator)
						}
						checkText(t, "subject", got.Subject)
						for _, line := range strings.Split(got.Body, "\n") {
							if !strings.HasPrefix(line, ">") {
								checkText(t, "body line", line)
							}
						}
						encodable(t, req, got)
					})
				}
			}
		}
	}
}

func TestTemplateManySeedsClean(t *testing.T) {
	// Every corpus entry and alternative is reached across this many
	// messages, so leftover syntax anywhere shows up here.
	g := NewTemplate(zap.NewNop())
	r := seeded(99)
	var pairs [][2]persona.Persona
	for _, language := range languages {
		for _, tone := range []persona.Tone{persona.Formal, persona.Direct, persona.Casual, persona.Technical} {
			a := newPersona("Ana Souza", "ana."+string(tone)+"@acme-corp.example", tone, language)
			b := newPersona("Bruno Lima", "bruno."+string(tone)+"@acme-corp.example", persona.Casual, language)
			pairs = append(pairs, [2]persona.Persona{a, b})
		}
	}
	for i := range 8000 {
		pair := pairs[i%len(pairs)]
		req := Request{Sender: pair[0], Recipient: pair[1], Topic: RandomTopic(r), Rand: r}
		if i%3 == 0 {
			req.Parent = &Parent{Subject: "Re: Plan", Body: "Line one.\n\nLine two.", FromName: pair[1].Name, Date: time.Now()}
		}
		got := generate(t, g, req)
		checkText(t, "subject", got.Subject)
		for _, line := range strings.Split(got.Body, "\n") {
			if strings.HasPrefix(line, ">") {
				continue
			}
			checkText(t, "body line", line)
		}
	}
}

func TestTemplateSignature(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	tests := []struct {
		name      string
		signature string
		want      string
	}{
		{"plain", "Ana Souza\nHead of Finance\nAcme Corp", "\nAna Souza\nHead of Finance\nAcme Corp\n"},
		{"with sign-off", "Best,\nAna", "\nBest,\nAna\n"},
		{"unicode and dashes", "Ana Souza \u2014 Finanças\n+55 11 5555-0100", "\nAna Souza \u2014 Finanças\n+55 11 5555-0100\n"},
		{"trailing newline", "Ana S.\n", "\nAna S.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sender := ana
			sender.Signature = tt.signature
			for seed := range uint64(20) {
				req := Request{Sender: sender, Recipient: bruno, Topic: "hiring", Rand: seeded(seed)}
				got := generate(t, g, req)
				if !strings.HasSuffix(got.Body, tt.want) {
					t.Fatalf("body does not end with the signature %q:\n%s", tt.want, got.Body)
				}
			}
		})
	}
}

func TestTemplateSignatureSignoffNotDoubled(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	sender := ana
	sender.Signature = "Best,\nAna"
	got := generate(t, g, Request{Sender: sender, Recipient: bruno, Topic: "hiring", Rand: seeded(1)})
	lines := strings.Split(strings.TrimSpace(got.Body), "\n")
	if before := lines[len(lines)-3]; strings.HasSuffix(before, ",") {
		t.Errorf("a sign-off %q precedes the signature's own sign-off:\n%s", before, got.Body)
	}
}

func TestTemplateMadeUpSignatureStable(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, sender := range []persona.Persona{ana, bruno, jose, maria} {
		t.Run(sender.Name, func(t *testing.T) {
			signatures := make(map[string]int)
			for seed := range uint64(50) {
				w := newComposer(g.corpora[sender.Language], Request{Sender: sender, Recipient: ana, Rand: seeded(seed)})
				w.compose()
				signatures[w.signature()]++
			}
			if len(signatures) != 1 {
				t.Errorf("made-up signature changes between messages: %v", signatures)
			}
			for sig := range signatures {
				if !strings.Contains(sig, firstName(sender.Name)) {
					t.Errorf("made-up signature %q does not contain the sender's name", sig)
				}
			}
		})
	}
}

func TestTemplateReplySubject(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	tests := []struct {
		name   string
		parent string
		want   string
	}{
		{"root subject", "Q3 budget review", "Re: Q3 budget review"},
		{"reply subject", "Re: Q3 budget review", "Re: Q3 budget review"},
		{"localized prefixes", "AW: RE: Revisión del presupuesto", "Re: Revisión del presupuesto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{
				Sender: jose, Recipient: maria, Topic: "budget review", Rand: seeded(4),
				Parent: &Parent{Subject: tt.parent, Body: "Hola", FromName: "María Pérez", Date: time.Now()},
			}
			if got := generate(t, g, req).Subject; got != tt.want {
				t.Errorf("reply subject = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTemplateReplyQuotes(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	date := time.Date(2026, 3, 3, 14, 7, 0, 0, time.FixedZone("", -3*3600))
	parentBody := "Hi Ana,\n\nThe vendor sent the revised quote this morning.\n\nBruno\n\n" +
		"On Mon, 2 Mar 2026 at 10:00, Ana Souza wrote:\n> Older text that must not be quoted again.\n"
	tests := []struct {
		name       string
		sender     persona.Persona
		wantHeader []string
	}{
		{"english", ana, []string{
			"On Tue, 3 Mar 2026 at 14:07, Bruno Lima wrote:",
			"On Tue, Mar 3, 2026 at 2:07 PM Bruno Lima wrote:",
			"On 3/3/2026 14:07, Bruno Lima wrote:",
		}},
		{"spanish", jose, []string{
			"El mar, 3 mar 2026 a las 14:07, Bruno Lima escribió:",
			"El 3/3/2026 a las 14:07, Bruno Lima escribió:",
			"El 3 mar 2026, a las 14:07, Bruno Lima escribió:",
		}},
		{"portuguese", newPersona("Ana Souza", "ana@acme.example", persona.Formal, "pt"), []string{
			"Em ter., 3 de mar. de 2026 às 14:07, Bruno Lima escreveu:",
			"Em 3/3/2026 14:07, Bruno Lima escreveu:",
			"Em 3 de mar. de 2026, às 14:07, Bruno Lima escreveu:",
		}},
		{"french", newPersona("Ana Souza", "ana@acme.example", persona.Formal, "fr"), []string{
			"Le mar. 3 mars 2026 à 14:07, Bruno Lima a écrit\u00a0:",
			"Le 3/3/2026 à 14:07, Bruno Lima a écrit\u00a0:",
			"Le 3 mars 2026 à 14:07, Bruno Lima a écrit\u00a0:",
		}},
		{"german", newPersona("Ana Souza", "ana@acme.example", persona.Formal, "de"), []string{
			"Am Di., 3. März 2026 um 14:07 Uhr schrieb Bruno Lima:",
			"Am 3.3.2026 um 14:07 schrieb Bruno Lima:",
			"Bruno Lima schrieb am 3.3.2026 um 14:07:",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quoted := 0
			for seed := range uint64(40) {
				req := Request{
					Sender: tt.sender, Recipient: bruno, Topic: "contract renewal", Rand: seeded(seed),
					Parent: &Parent{Subject: "Renewal", Body: parentBody, FromName: "Bruno Lima", Date: date},
				}
				body := generate(t, g, req).Body
				_, quote, ok := strings.Cut(body, "\n> ")
				if !ok {
					continue
				}
				quoted++
				header := body[:len(body)-len(quote)-3]
				header = header[strings.LastIndexByte(header, '\n')+1:]
				if !slices.Contains(tt.wantHeader, header) {
					t.Errorf("quote header = %q, want one of %q", header, tt.wantHeader)
				}
				wantQuote := "Hi Ana,\n>\n> The vendor sent the revised quote this morning.\n>\n> Bruno\n"
				if quote != wantQuote {
					t.Errorf("quoted excerpt (-want +got):\n%s", cmp.Diff(wantQuote, quote))
				}
			}
			if quoted == 0 {
				t.Errorf("no reply out of 40 quoted its parent")
			}
		})
	}
}

func TestTemplateReplyWithoutDateDoesNotQuote(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for seed := range uint64(30) {
		req := Request{
			Sender: ana, Recipient: bruno, Topic: "hiring", Rand: seeded(seed),
			Parent: &Parent{Subject: "Hiring", Body: "Some text", FromName: "Bruno Lima"},
		}
		if body := generate(t, g, req).Body; strings.Contains(body, "> ") {
			t.Fatalf("reply to a parent without a date quotes it:\n%s", body)
		}
	}
}

func TestTemplateLanguageFallback(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	g := NewTemplate(zap.New(core))
	for _, language := range []string{"it", "nl", "it", "pt-BR", "DE", "es", "en", "", "not a language", "not a language"} {
		sender := newPersona("Ana Souza", "ana@example.com", persona.Formal, language)
		got := generate(t, g, Request{Sender: sender, Recipient: bruno, Topic: "hiring", Rand: seeded(5)})
		english := ana
		english.Email, english.Language = sender.Email, "en"
		want := generate(t, g, Request{Sender: english, Recipient: bruno, Topic: "hiring", Rand: seeded(5)})
		fallsBack := !slices.Contains([]string{"pt-BR", "DE", "es"}, language)
		diff := cmp.Diff(want, got)
		if fallsBack && diff != "" {
			t.Errorf("language %q: content differs from English (-want +got):\n%s", language, diff)
		}
		if !fallsBack && diff == "" {
			t.Errorf("language %q: content is the English text", language)
		}
	}

	var languages []string
	for _, entry := range logs.FilterMessage("no template corpus for language, writing in english").All() {
		if entry.Level != zapcore.InfoLevel {
			t.Errorf("fallback logged at %s, want info", entry.Level)
		}
		languages = append(languages, entry.ContextMap()["language"].(string))
	}
	want := []string{"it", "nl", "not a language"}
	if diff := cmp.Diff(want, languages); diff != "" {
		t.Errorf("logged fallback languages (-want +got):\n%s", diff)
	}
	if n := logs.Len(); n != len(want) {
		t.Errorf("%d log entries, want %d", n, len(want))
	}
}

func TestTemplateConcurrentUse(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	var wg sync.WaitGroup
	for worker := range 8 {
		wg.Go(func() {
			sender := newPersona("Ana Souza", "ana@example.com", persona.Formal, []string{"en", "es", "de", "fr", "it"}[worker%5])
			r := seeded(uint64(worker))
			for range 50 {
				if _, err := g.Generate(context.Background(), Request{Sender: sender, Recipient: bruno, Rand: r}); err != nil {
					t.Errorf("Generate() error: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestTemplateDeterministic(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, parent := range []*Parent{nil, {Subject: "Plan", Body: "Text", FromName: "Bruno", Date: time.Now()}} {
		a := generate(t, g, Request{Sender: jose, Recipient: maria, Topic: "office move", Parent: parent, Rand: seeded(8)})
		b := generate(t, g, Request{Sender: jose, Recipient: maria, Topic: "office move", Parent: parent, Rand: seeded(8)})
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("same seed gave different content (-first +second):\n%s", diff)
		}
	}
}

func TestTemplateUnknownTopic(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	got := generate(t, g, Request{Sender: ana, Recipient: bruno, Topic: "parking permits", Rand: seeded(3)})
	if !strings.Contains(strings.ToLower(got.Subject+got.Body), "parking permits") {
		t.Errorf("content on an unknown topic does not name it:\n%s\n%s", got.Subject, got.Body)
	}
}

func TestTemplateErrors(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		req  Request
		want string
	}{
		{"nil rand", context.Background(), Request{Sender: ana, Recipient: bruno}, "no Rand"},
		{"canceled", canceled, Request{Sender: ana, Recipient: bruno, Rand: seeded(1)}, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := g.Generate(tt.ctx, tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Generate() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestTopics(t *testing.T) {
	if len(Topics) < 20 {
		t.Errorf("%d topics, want at least 20", len(Topics))
	}
	r := seeded(1)
	for range 100 {
		if topic := RandomTopic(r); !slices.Contains(Topics, topic) {
			t.Fatalf("RandomTopic() = %q, not in Topics", topic)
		}
	}
}

func BenchmarkTemplateGenerate(b *testing.B) {
	g := NewTemplate(zap.NewNop())
	r := seeded(1)
	parent := &Parent{Subject: "Budget review", Body: "Hi,\n\nNumbers attached.\n\nAna", FromName: "Ana Souza", Date: time.Now()}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		req := Request{Sender: ana, Recipient: bruno, Topic: RandomTopic(r), Rand: r}
		if i%2 == 1 {
			req.Parent = parent
		}
		if _, err := g.Generate(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
