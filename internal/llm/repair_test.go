package llm

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/persona"
)

var (
	ana = persona.Persona{
		Name:       "Ana Souza",
		Email:      "ana.souza@acme-corp.example",
		Role:       "Finance Manager",
		Tone:       persona.Formal,
		Language:   "en",
		Mannerisms: []string{"starts with a one-line summary", "uses numbered lists", "mentions the coffee machine"},
	}
	maria = persona.Persona{
		Name:     "Maria Pérez",
		Email:    "maria.perez@acme-corp.example",
		Role:     "Procurement Lead",
		Tone:     persona.Direct,
		Language: "es",
	}
)

func seeded(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }

func rootRequest(sender persona.Persona) generator.Request {
	return generator.Request{Sender: sender, Recipient: maria, Topic: "budget review", Rand: seeded(1)}
}

func replyRequest(sender persona.Persona) generator.Request {
	req := rootRequest(sender)
	req.Parent = &generator.Parent{
		Subject:  "RE: Re: Budget review",
		Body:     "Hola Ana,\n\nLas cifras del Q3 están listas.\n\nMaria",
		FromName: "Maria Pérez",
		Date:     time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC),
	}
	return req
}

func withSignature(p persona.Persona, sig string) persona.Persona {
	p.Signature = sig
	return p
}

func heavy(p persona.Persona) persona.Persona {
	p.UsesLLMsHeavily = true
	return p
}

const plainBody = "Hi Maria,\n\nThe Q3 figures are ready for review.\n\nBest regards,\nAna Souza"

func TestRepair(t *testing.T) {
	tests := []struct {
		name        string
		req         generator.Request
		raw         string
		wantSubject string
		wantBody    string
	}{
		{
			name:        "clean output",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\n" + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "code fence",
			req:         rootRequest(ana),
			raw:         "```\nSubject: Q3 budget review\n\n" + plainBody + "\n```",
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "code fence with language and preamble",
			req:         rootRequest(ana),
			raw:         "Here is the email:\n\n```text\nSubject: Q3 budget review\n\n" + plainBody + "\n```\n",
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "sure preamble and bold label",
			req:         rootRequest(ana),
			raw:         "Sure! Here's a draft for you:\n\n**Subject:** Q3 budget review\n\n" + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "whole line bold",
			req:         rootRequest(ana),
			raw:         "**Subject: Q3 budget review**\n\n" + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "markdown heading label",
			req:         rootRequest(ana),
			raw:         "## Subject: Q3 budget review\n\n" + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "spanish label",
			req:         rootRequest(maria),
			raw:         "Asunto: Revisión del presupuesto\n\nHola Ana,\n\nTe envío las cifras.\n\nSaludos,\nMaria",
			wantSubject: "Revisión del presupuesto",
			wantBody:    "Hola Ana,\n\nTe envío las cifras.\n\nSaludos,\nMaria",
		},
		{
			name:        "portuguese label",
			req:         rootRequest(ana),
			raw:         "Assunto: Revisão do orçamento\n\nOlá Maria,\n\nSegue a planilha.\n\nAbraço,\nAna",
			wantSubject: "Revisão do orçamento",
			wantBody:    "Olá Maria,\n\nSegue a planilha.\n\nAbraço,\nAna",
		},
		{
			name:        "french label with space before colon",
			req:         rootRequest(ana),
			raw:         "Objet : Déménagement des bureaux\n\nBonjour Maria,\n\nLe planning est prêt.\n\nCordialement,\nAna",
			wantSubject: "Déménagement des bureaux",
			wantBody:    "Bonjour Maria,\n\nLe planning est prêt.\n\nCordialement,\nAna",
		},
		{
			name:        "german label in capitals",
			req:         rootRequest(ana),
			raw:         "BETREFF: Budgetplanung Q3\n\nHallo Maria,\n\nanbei die Zahlen.\n\nGrüße\nAna",
			wantSubject: "Budgetplanung Q3",
			wantBody:    "Hallo Maria,\n\nanbei die Zahlen.\n\nGrüße\nAna",
		},
		{
			name:        "italian bold label",
			req:         rootRequest(ana),
			raw:         "**Oggetto:** Revisione del budget\n\nCiao Maria,\n\necco i numeri.\n\nAna",
			wantSubject: "Revisione del budget",
			wantBody:    "Ciao Maria,\n\necco i numeri.\n\nAna",
		},
		{
			name:        "subject on the line below its label",
			req:         rootRequest(ana),
			raw:         "Subject:\nQ3 budget review\n\n" + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "quoted subject",
			req:         rootRequest(ana),
			raw:         "Subject: \"Q3 budget review\"\n\n" + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "reply prefix removed from new thread",
			req:         rootRequest(ana),
			raw:         "Subject: Re: Fwd: Q3 budget review\n\n" + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "missing subject takes short first line",
			req:         rootRequest(ana),
			raw:         "Q3 budget review\n\n" + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "missing subject falls back on topic",
			req:         rootRequest(ana),
			raw:         plainBody,
			wantSubject: "Budget review",
			wantBody:    plainBody,
		},
		{
			name:        "greeting without comma is not a subject",
			req:         rootRequest(ana),
			raw:         "Hi Maria\n\nThe Q3 figures are ready.\n\nAna",
			wantSubject: "Budget review",
			wantBody:    "Hi Maria\n\nThe Q3 figures are ready.\n\nAna",
		},
		{
			name:        "preamble without subject",
			req:         rootRequest(ana),
			raw:         "Certainly! Here is a short email to Maria.\n\n" + plainBody,
			wantSubject: "Budget review",
			wantBody:    plainBody,
		},
		{
			name:        "reply subject forced",
			req:         replyRequest(ana),
			raw:         "Subject: Budget review follow-up\n\n" + plainBody,
			wantSubject: "Re: Budget review",
			wantBody:    plainBody,
		},
		{
			name:        "reply with doubled prefix",
			req:         replyRequest(ana),
			raw:         "Subject: Re: Re: Budget review\n\n" + plainBody,
			wantSubject: "Re: Budget review",
			wantBody:    plainBody,
		},
		{
			name:        "reply without subject",
			req:         replyRequest(ana),
			raw:         plainBody,
			wantSubject: "Re: Budget review",
			wantBody:    plainBody,
		},
		{
			name:        "reply with bare re line",
			req:         replyRequest(ana),
			raw:         "Re: Budget review\n\n" + plainBody,
			wantSubject: "Re: Budget review",
			wantBody:    plainBody,
		},
		{
			name:        "spaced em-dash",
			req:         rootRequest(ana),
			raw:         "Subject: Budget \u2014 Q3\n\nHi Maria,\n\nThe numbers look good \u2014 we can sign off.\n\nAna",
			wantSubject: "Budget, Q3",
			wantBody:    "Hi Maria,\n\nThe numbers look good, we can sign off.\n\nAna",
		},
		{
			name:        "unspaced em-dash",
			req:         rootRequest(ana),
			raw:         "Subject: Budget\n\nThe budget\u2014and the plan\u2014is ready.\n\nAna",
			wantSubject: "Budget",
			wantBody:    "The budget, and the plan, is ready.\n\nAna",
		},
		{
			name:        "spaced en-dash",
			req:         rootRequest(ana),
			raw:         "Subject: Budget\n\nAll good \u2013 thanks for the quick turnaround.\n\nAna",
			wantSubject: "Budget",
			wantBody:    "All good, thanks for the quick turnaround.\n\nAna",
		},
		{
			name:        "en-dash range kept",
			req:         rootRequest(ana),
			raw:         "Subject: Budget\n\nFigures for 2019\u20132020 attached.\n\nAna",
			wantSubject: "Budget",
			wantBody:    "Figures for 2019\u20132020 attached.\n\nAna",
		},
		{
			name:        "em-dash between digits",
			req:         rootRequest(ana),
			raw:         "Subject: Budget\n\nSee pages 10\u201412.\n\nAna",
			wantSubject: "Budget",
			wantBody:    "See pages 10-12.\n\nAna",
		},
		{
			name:        "em-dash at line start and end",
			req:         rootRequest(ana),
			raw:         "Subject: Budget\n\nPlan:\n\u2014 book the room\nThen we wait \u2014\n\n\u2014Ana",
			wantSubject: "Budget",
			wantBody:    "Plan:\n- book the room\nThen we wait\n\n- Ana",
		},
		{
			name:        "em-dash before comma",
			req:         rootRequest(ana),
			raw:         "Subject: Budget\n\nThanks \u2014, see you.\n\nAna",
			wantSubject: "Budget",
			wantBody:    "Thanks, see you.\n\nAna",
		},
		{
			name:        "heavy LLM user keeps em-dashes",
			req:         rootRequest(heavy(ana)),
			raw:         "Subject: Budget \u2014 Q3\n\nThe numbers look good \u2014 we can sign off.\n\nAna",
			wantSubject: "Budget \u2014 Q3",
			wantBody:    "The numbers look good \u2014 we can sign off.\n\nAna",
		},
		{
			name:        "signature em-dash kept",
			req:         rootRequest(withSignature(ana, "Ana Souza \u2014 Finance\nACME Corp")),
			raw:         "Subject: Budget\n\nAll set \u2014 thanks.\n\nAna Souza \u2014 Finance\nACME Corp",
			wantSubject: "Budget",
			wantBody:    "All set, thanks.\n\nAna Souza \u2014 Finance\nACME Corp",
		},
		{
			name:        "quoted em-dash kept",
			req:         replyRequest(ana),
			raw:         "Subject: Re: Budget review\n\nAgreed \u2014 go ahead.\n\n> Shall we \u2014 finally \u2014 approve it?\n\nAna",
			wantSubject: "Re: Budget review",
			wantBody:    "Agreed, go ahead.\n\n> Shall we \u2014 finally \u2014 approve it?\n\nAna",
		},
		{
			name:        "horizontal bar",
			req:         rootRequest(ana),
			raw:         "Subject: Budget \u2015 Q3\n\nThe numbers look good \u2015 we can sign off.\n\nAna",
			wantSubject: "Budget, Q3",
			wantBody:    "The numbers look good, we can sign off.\n\nAna",
		},
		{
			name:        "two-em dash",
			req:         rootRequest(ana),
			raw:         "Subject: Budget\n\nThe numbers look good\u2e3awe can sign off.\n\nAna",
			wantSubject: "Budget",
			wantBody:    "The numbers look good, we can sign off.\n\nAna",
		},
		{
			name:        "spaced double hyphen",
			req:         rootRequest(ana),
			raw:         "Subject: Budget -- Q3\n\nAll good -- thanks for the quick turnaround.\nSee pages 10 -- 12.\n\nAna",
			wantSubject: "Budget, Q3",
			wantBody:    "All good, thanks for the quick turnaround.\nSee pages 10-12.\n\nAna",
		},
		{
			name:        "unspaced double hyphen and delimiter kept",
			req:         rootRequest(ana),
			raw:         "Subject: Deploy\n\nRun it with --dry-run first.\n\n--\nAna Souza",
			wantSubject: "Deploy",
			wantBody:    "Run it with --dry-run first.\n\n--\nAna Souza",
		},
		{
			name:        "made-up quote in new thread",
			req:         rootRequest(ana),
			raw:         "Subject: Budget\n\nAs you wrote last week:\n\n> Shall we \u2014 finally \u2014 approve it?\n>\u2014 Tom\n> > **Yes** \u2015 approve\n\nAna",
			wantSubject: "Budget",
			wantBody:    "As you wrote last week:\n\n> Shall we, finally, approve it?\n>- Tom\n> > Yes, approve\n\nAna",
		},
		{
			name:        "heavy LLM user keeps quote em-dashes",
			req:         rootRequest(heavy(ana)),
			raw:         "Subject: Budget\n\nAs you wrote:\n\n> Shall we \u2014 finally \u2014 approve it?\n\nAna",
			wantSubject: "Budget",
			wantBody:    "As you wrote:\n\n> Shall we \u2014 finally \u2014 approve it?\n\nAna",
		},
		{
			name:        "signature horizontal bar and double hyphen kept",
			req:         rootRequest(withSignature(ana, "Ana Souza \u2015 Finance -- ACME")),
			raw:         "Subject: Budget\n\nAll set -- thanks.\n\nAna Souza \u2015 Finance -- ACME",
			wantSubject: "Budget",
			wantBody:    "All set, thanks.\n\nAna Souza \u2015 Finance -- ACME",
		},
		{
			name:        "trailing offer to change",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\n" + plainBody + "\n\nLet me know if you need any changes!",
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "trailing separator and note",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\n" + plainBody + "\n\n---\n\nNote: I kept the tone formal as requested.",
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "trailing offer with hope",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\n" + plainBody + "\n\nI hope this helps! Feel free to adjust the tone.\n\n(Note: replace the figures with the real ones.)",
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "trailing spanish offer",
			req:         rootRequest(maria),
			raw:         "Asunto: Presupuesto\n\nHola Ana,\n\nTe envío las cifras.\n\nSaludos,\nMaria\n\n¡Avísame si necesitas algún cambio!",
			wantSubject: "Presupuesto",
			wantBody:    "Hola Ana,\n\nTe envío las cifras.\n\nSaludos,\nMaria",
		},
		{
			name:        "question offer inside body kept",
			req:         rootRequest(ana),
			raw:         "Subject: Q3\n\nHi Maria,\n\nLet me know if you want to change the meeting time.\n\nBest,\nAna",
			wantSubject: "Q3",
			wantBody:    "Hi Maria,\n\nLet me know if you want to change the meeting time.\n\nBest,\nAna",
		},
		{
			name:        "sign-off paragraph with offer kept",
			req:         rootRequest(ana),
			raw:         "Subject: Q3\n\nHi Maria,\n\nFigures attached.\n\nLet me know if you'd like changes.\nBest,\nAna",
			wantSubject: "Q3",
			wantBody:    "Hi Maria,\n\nFigures attached.\n\nLet me know if you'd like changes.\nBest,\nAna",
		},
		{
			name:        "header lines after subject",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\nTo: Maria Pérez\nFrom: Ana Souza\n\n" + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "more header lines after subject",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\nBcc: audit@acme-corp.example\nCc: Tom Reyes\nReply-To: ana.souza@acme-corp.example\nX-Priority: 1 (Highest)\nMessage-ID: <20260303.1@acme-corp.example>\nIn-Reply-To: <20260302.9@acme-corp.example>\n\n" + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "bold header lines",
			req:         rootRequest(ana),
			raw:         "**Subject:** Q3 budget review\n**Bcc:** audit@acme-corp.example\n**X-Mailer:** Outlook 16.0\n\n" + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "header line without subject is not a subject",
			req:         rootRequest(ana),
			raw:         "Bcc: audit@acme-corp.example\n\n" + plainBody,
			wantSubject: "Budget review",
			wantBody:    plainBody,
		},
		{
			name:        "header-like line inside body kept",
			req:         rootRequest(ana),
			raw:         "Subject: Q3\n\nHi Maria,\n\nCc: Tom, who owns the forecast.\n\nAna",
			wantSubject: "Q3",
			wantBody:    "Hi Maria,\n\nCc: Tom, who owns the forecast.\n\nAna",
		},
		{
			name:        "body label",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\nBody:\n" + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "body label with text on its line",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n**Body:** " + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "name placeholder",
			req:         rootRequest(ana),
			raw:         "Subject: Q3\n\nHi Maria,\n\nFigures attached.\n\nBest,\n[Your Name]",
			wantSubject: "Q3",
			wantBody:    "Hi Maria,\n\nFigures attached.\n\nBest,\nAna Souza",
		},
		{
			name:        "markdown bold in body",
			req:         rootRequest(ana),
			raw:         "Subject: Q3\n\nHi Maria,\n\n**Action items:** review the __draft__ by Friday.\n\nAna",
			wantSubject: "Q3",
			wantBody:    "Hi Maria,\n\nAction items: review the draft by Friday.\n\nAna",
		},
		{
			name:        "crlf line endings and trailing spaces",
			req:         rootRequest(ana),
			raw:         "\ufeffSubject: Q3 budget review  \r\n\r\nHi Maria,  \r\n\r\nThe Q3 figures are ready for review.\r\n\r\nBest regards,\r\nAna Souza\r\n",
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "blank line runs collapse",
			req:         rootRequest(ana),
			raw:         "Subject: Q3\n\n\n\nHi Maria,\n\n\n\nFigures attached.\n\n\nAna\n\n\n",
			wantSubject: "Q3",
			wantBody:    "Hi Maria,\n\nFigures attached.\n\nAna",
		},
		{
			name:        "subject label deep in body ignored",
			req:         rootRequest(ana),
			raw:         "Hi Maria,\n\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\nSubject: forwarded\n\nAna",
			wantSubject: "Budget review",
			wantBody:    "Hi Maria,\n\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\nSubject: forwarded\n\nAna",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRepair(t, tt.raw, tt.req, tt.wantSubject, tt.wantBody)
		})
	}
}

func TestRepairUnusable(t *testing.T) {
	tests := []struct {
		name string
		raw  string
	}{
		{name: "empty", raw: ""},
		{name: "white space", raw: "  \n\t\n "},
		{name: "empty fences", raw: "```\n```"},
		{name: "subject only", raw: "Subject: Q3 budget review"},
		{name: "subject and offer only", raw: "Subject: Q3\n\nLet me know if you'd like any changes!"},
		{name: "preamble only", raw: "Here is the email:"},
		{name: "refusal", raw: "I'm sorry, but I can't help with that request."},
		{name: "ai disclaimer", raw: "As an AI language model, I cannot write emails that impersonate people."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject, body, err := Repair(tt.raw, rootRequest(ana))
			if !errors.Is(err, ErrUnusable) {
				t.Fatalf("Repair() = %q, %q, %v, want an ErrUnusable error", subject, body, err)
			}
		})
	}
}

// TestRepairSubjectFallbackLanguage checks that output without a subject
// gets the topic's name in the sender's language.
func TestRepairSubjectFallbackLanguage(t *testing.T) {
	tests := []struct {
		language, topic, want string
	}{
		{"en", "budget review", "Budget review"},
		{"es", "budget review", "Revisión del presupuesto"},
		{"pt", "budget review", "Revisão do orçamento"},
		{"fr", "budget review", "Revue budgétaire"},
		{"de", "budget review", "Budgetreview"},
		{"en", "IT maintenance window", "IT maintenance window"},
		{"es", "office move", "Mudanza de oficina"},
		{"pt-BR", "hiring", "Vaga em aberto"},
		{"fr", "travel policy", "Politique de voyages"},
		{"de", "supplier delay", "Lieferverzug"},
		{"en", "", "Quick question"},
		{"es", "", "Consulta rápida"},
		{"pt", "", "Pergunta rápida"},
		{"fr", "", "Petite question"},
		{"de", "", "Kurze Frage"},
		{"es", "parking permits", "Parking permits"},
		{"it", "budget review", "Budget review"},
	}
	for _, tt := range tests {
		t.Run(tt.language+"/"+tt.topic, func(t *testing.T) {
			sender := ana
			sender.Language = tt.language
			req := rootRequest(sender)
			req.Topic = tt.topic
			subject, body, err := Repair(plainBody, req)
			if err != nil {
				t.Fatalf("Repair() error: %v", err)
			}
			if subject != tt.want {
				t.Errorf("subject = %q, want %q", subject, tt.want)
			}
			if body != plainBody {
				t.Errorf("body (-want +got):\n%s", cmp.Diff(plainBody, body))
			}
		})
	}
}

func TestRepairCapsSubject(t *testing.T) {
	long := strings.Repeat("budget ", 60)
	subject, _, err := Repair("Subject: "+long+"\n\n"+plainBody, rootRequest(ana))
	if err != nil {
		t.Fatalf("Repair() error: %v", err)
	}
	if n := utf8.RuneCountInString(subject); n > maxSubjectRunes {
		t.Errorf("subject has %d characters, want at most %d", n, maxSubjectRunes)
	}
	if strings.HasSuffix(subject, " ") || !strings.HasSuffix(subject, "budget") {
		t.Errorf("subject %q is not cut at a word end", subject)
	}
}

func TestRepairCapsBody(t *testing.T) {
	line := strings.Repeat("ñ", 59) + "\n" // 60 characters, 119 bytes
	raw := "Subject: Q3\n\n" + strings.Repeat(line, 1000)
	_, body, err := Repair(raw, rootRequest(ana))
	if err != nil {
		t.Fatalf("Repair() error: %v", err)
	}
	if n := utf8.RuneCountInString(body); n > maxBodyRunes {
		t.Errorf("body has %d characters, want at most %d", n, maxBodyRunes)
	}
	if n := utf8.RuneCountInString(body); n < maxBodyRunes-60 {
		t.Errorf("body has %d characters, want close to %d", n, maxBodyRunes)
	}
	for i, l := range strings.Split(body, "\n") {
		if l != strings.TrimSuffix(line, "\n") {
			t.Fatalf("body line %d = %q, want whole lines only", i, l)
		}
	}
}

func TestCutAtLineEnd(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{name: "short", in: "abc", limit: 5, want: "abc"},
		{name: "line end", in: "ab\ncd\nef", limit: 7, want: "ab\ncd"},
		{name: "space", in: "ab cd ef", limit: 6, want: "ab cd"},
		{name: "one word", in: "abcdef", limit: 3, want: "abc"},
		{name: "multibyte", in: "ééé ééé", limit: 5, want: "ééé"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cutAtLineEnd(tt.in, tt.limit); got != tt.want {
				t.Errorf("cutAtLineEnd(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
		})
	}
}

func FuzzRepair(f *testing.F) {
	f.Add("Subject: Q3\n\n" + plainBody)
	f.Add("```\n**Asunto:** x\u2014y\n\nHola\n```")
	f.Add("Sure! Here's the email:\n\n" + plainBody + "\n\nLet me know if you need changes.")
	f.Fuzz(func(t *testing.T, raw string) {
		for _, req := range []generator.Request{rootRequest(ana), replyRequest(ana)} {
			subject, body, err := Repair(raw, req)
			if err != nil {
				if !errors.Is(err, ErrUnusable) {
					t.Fatalf("Repair() error %v does not wrap ErrUnusable", err)
				}
				continue
			}
			if strings.TrimSpace(body) == "" || subject == "" {
				t.Fatalf("Repair() = %q, %q: empty subject or body without an error", subject, body)
			}
			if strings.Contains(subject, "\n") {
				t.Fatalf("subject %q has a line break", subject)
			}
			if utf8.RuneCountInString(body) > maxBodyRunes {
				t.Fatalf("body has %d characters", utf8.RuneCountInString(body))
			}
			if req.Parent != nil && subject != "Re: Budget review" {
				t.Fatalf("reply subject = %q", subject)
			}
		}
	})
}

func TestRepairRejectsWrongOutput(t *testing.T) {
	tests := []struct {
		name string
		raw  string
	}{
		{name: "refusal after greeting", raw: "Hi Kenji,\n\nI'm sorry, but I can't help with writing this email.\n\nBest,\nMaria"},
		{name: "refusal with subject", raw: "Subject: Q3\n\nHi Maria,\n\nUnfortunately I cannot fulfill that request.\n\nAna"},
		{name: "refusal in subject", raw: "Subject: Sorry, I can't write this email\n\nHi Maria,\n\nThe figures are ready.\n\nAna"},
		{name: "spanish refusal after greeting", raw: "Asunto: Q3\n\nHola Maria,\n\nLo siento, no puedo ayudar con esa solicitud.\n\nAna"},
		{name: "portuguese refusal after greeting", raw: "Assunto: Q3\n\nOlá Maria,\n\nDesculpe, não posso escrever esse e-mail.\n\nAna"},
		{name: "french refusal after greeting", raw: "Objet : Q3\n\nBonjour Maria,\n\nDésolé, je ne peux pas rédiger ce courriel.\n\nAna"},
		{name: "german refusal after greeting", raw: "Betreff: Q3\n\nHallo Maria,\n\nDabei kann ich leider nicht helfen.\n\nAna"},
		{name: "generated by chatgpt", raw: "Subject: Q3\n\nHi Maria,\n\nThe figures are ready.\n\nAna\n\nThis email was generated by ChatGPT."},
		{name: "ai language model", raw: "Subject: Q3\n\nHi Maria,\n\nAs an AI language model, here are the figures.\n\nAna"},
		{name: "spanish ai credit", raw: "Asunto: Q3\n\nHola Maria,\n\nLas cifras están listas.\n\nAna\n\nGenerado por IA."},
		{name: "meta note between paragraphs", raw: "Subject: Q3\n\nHi Maria,\n\nI have written this in a formal tone as requested.\n\nThe figures are ready.\n\nAna"},
		{name: "french meta note", raw: "Objet : Q3\n\nBonjour Maria,\n\nJ'ai rédigé ce message sur un ton formel comme demandé.\n\nAna"},
		{name: "json without body", raw: `{"subject": "Q3 budget review"}`},
		{name: "invalid json", raw: `{"subject": "Q3", "body": }`},
		{name: "html", raw: "Subject: Q3\n\n<p>Hi Maria,</p>\n<p>The figures are ready.</p>"},
		{name: "html line break", raw: "Subject: Q3\n\nHi Maria,<br>\nThe figures are ready.\n\nAna"},
		{name: "markdown table", raw: "Subject: Q3\n\nHi Maria,\n\n| Item | Cost |\n|------|------|\n| Laptops | 12,000 |\n\nAna"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject, body, err := Repair(tt.raw, rootRequest(ana))
			if !errors.Is(err, ErrUnusable) {
				t.Fatalf("Repair() = %q, %q, %v, want an ErrUnusable error", subject, body, err)
			}
		})
	}
}

func TestRepairFixesWrongOutput(t *testing.T) {
	tests := []struct {
		name        string
		req         generator.Request
		raw         string
		wantSubject string
		wantBody    string
	}{
		{
			name:        "trailing italic meta note",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\n" + plainBody + "\n\n*I have written this in a formal tone as requested.*",
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "trailing underscore italic note",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\n" + plainBody + "\n\n_Feel free to adjust the tone._",
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "second subject cut",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\n" + plainBody + "\n\n---\n\nSubject: Q3 figures\n\nHey Maria,\n\nFigures are in.\n\nAna",
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "alternative version heading cut",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\n" + plainBody + "\n\n**Alternative version (more casual):**\n\nHey Maria, figures are in.\n\nAna",
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "option 2 heading cut",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\n" + plainBody + "\n\n### Option 2\n\nHey Maria, figures are in.\n\nAna",
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "alternative as a sentence kept",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\nHi Maria,\n\nAlternative: we meet on Friday.\n\nAna",
			wantSubject: "Q3 budget review",
			wantBody:    "Hi Maria,\n\nAlternative: we meet on Friday.\n\nAna",
		},
		{
			name:        "forwarded subject kept",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\nHi Maria,\n\nSee below.\n\nFrom: Kenji Sato\nDate: Mon, 2 Mar 2026\nSubject: Q3 figures\n\nFigures attached.\n\nAna",
			wantSubject: "Q3 budget review",
			wantBody:    "Hi Maria,\n\nSee below.\n\nFrom: Kenji Sato\nDate: Mon, 2 Mar 2026\nSubject: Q3 figures\n\nFigures attached.\n\nAna",
		},
		{
			name:        "json object",
			req:         rootRequest(ana),
			raw:         `{"subject": "Q3 budget review", "body": "Hi Maria,\n\nThe Q3 figures are ready for review.\n\nBest regards,\nAna Souza"}`,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "json object in fence without subject",
			req:         rootRequest(ana),
			raw:         "```json\n{\"body\": \"Hi Maria,\\n\\nThe Q3 figures are ready for review.\\n\\nBest regards,\\nAna Souza\"}\n```",
			wantSubject: "Budget review",
			wantBody:    plainBody,
		},
		{
			name:        "markdown headings",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\nHi Maria,\n\n## Figures\n\nThe Q3 figures are ready. Item #3 is late.\n\nAna",
			wantSubject: "Q3 budget review",
			wantBody:    "Hi Maria,\n\nFigures\n\nThe Q3 figures are ready. Item #3 is late.\n\nAna",
		},
		{
			name:        "empty subject line before greeting",
			req:         rootRequest(ana),
			raw:         "Subject:\n\n" + plainBody,
			wantSubject: "Budget review",
			wantBody:    plainBody,
		},
		{
			name:        "subject on line below label",
			req:         rootRequest(ana),
			raw:         "**Subject:**\nQ3 budget review\n\n" + plainBody,
			wantSubject: "Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "reported refusal kept",
			req:         rootRequest(ana),
			raw:         "Subject: Vendor\n\nHi Maria,\n\nThey asked for the password. I said I can't help with that request.\n\nAna",
			wantSubject: "Vendor",
			wantBody:    "Hi Maria,\n\nThey asked for the password. I said I can't help with that request.\n\nAna",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRepair(t, tt.raw, tt.req, tt.wantSubject, tt.wantBody)
		})
	}
}

func TestReplaceDashesVariants(t *testing.T) {
	tests := []struct {
		name string
		line string
		want string
	}{
		{name: "figure dash", line: "The figures\u2012all of them\u2012are ready.", want: "The figures, all of them, are ready."},
		{name: "minus sign spaced", line: "The figures \u2212 all of them \u2212 are ready.", want: "The figures, all of them, are ready."},
		{name: "small em dash", line: "Ready\ufe58mostly.", want: "Ready, mostly."},
		{name: "fullwidth hyphen-minus", line: "Ready \uff0d mostly.", want: "Ready, mostly."},
		{name: "hyphen spaced", line: "Ready \u2010 mostly.", want: "Ready, mostly."},
		{name: "minus between digits", line: "Rooms 3\u22125", want: "Rooms 3-5"},
		{name: "minus before number", line: "Costs fell \u22125% this quarter.", want: "Costs fell -5% this quarter."},
		{name: "line start figure dash", line: "\u2012 laptops", want: "- laptops"},
		{name: "dash only line", line: "\u2012\u2212\uff0d", want: ""},
		{name: "unspaced hyphen kept", line: "well\u2010known", want: "well\u2010known"},
		{name: "ascii hyphen kept", line: "Ready - mostly.", want: "Ready - mostly."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := replaceDashes(tt.line); got != tt.want {
				t.Errorf("replaceDashes(%q) = %q, want %q", tt.line, got, tt.want)
			}
		})
	}
}

// TestReplaceDashesEveryPd checks every Unicode dash punctuation character
// except the ASCII hyphen-minus, used as a spaced sentence dash.
func TestReplaceDashesEveryPd(t *testing.T) {
	for _, table := range unicode.Pd.R16 {
		for r := rune(table.Lo); r <= rune(table.Hi); r += rune(table.Stride) {
			if r == '-' {
				continue
			}
			line := "Ready " + string(r) + " mostly."
			if got := replaceDashes(line); got != "Ready, mostly." {
				t.Errorf("replaceDashes(%q) = %q, want %q", line, got, "Ready, mostly.")
			}
		}
	}
}

// checkRepair runs Repair on raw and checks the subject and body it returns.
func checkRepair(t *testing.T, raw string, req generator.Request, wantSubject, wantBody string) {
	t.Helper()
	subject, body, err := Repair(raw, req)
	if err != nil {
		t.Fatalf("Repair() error: %v", err)
	}
	if subject != wantSubject {
		t.Errorf("subject = %q, want %q", subject, wantSubject)
	}
	if diff := cmp.Diff(wantBody, body); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}
