package llm

import (
	"errors"
	"testing"

	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/persona"
)

// withEmail returns p with another address, which changes the company
// name that placeholders are filled with.
func withEmail(p persona.Persona, email string) persona.Persona {
	p.Email = email
	return p
}

// to returns req addressed to recipient.
func to(req generator.Request, recipient persona.Persona) generator.Request {
	req.Recipient = recipient
	return req
}

func TestRepairFillsPlaceholders(t *testing.T) {
	tests := []struct {
		name        string
		req         generator.Request
		raw         string
		wantSubject string
		wantBody    string
	}{
		{
			name:        "full signature block",
			req:         rootRequest(ana),
			raw:         "Subject: Q3 budget review\n\nDear [Recipient's Name],\n\nThe Q3 figures are ready for review.\n\nBest regards,\n[Your Name]\n[Your Position]\n[Company Name]",
			wantSubject: "Q3 budget review",
			wantBody:    "Dear Maria,\n\nThe Q3 figures are ready for review.\n\nBest regards,\nAna Souza\nFinance Manager\nAcme Corp",
		},
		{
			name:        "recipient name variants",
			req:         rootRequest(ana),
			raw:         "Subject: Q3\n\nHi [Name],\n\n[First Name], [Recipient Name] and [recipient\u2019s name] all mean you.\n\nAna",
			wantSubject: "Q3",
			wantBody:    "Hi Maria,\n\nMaria, Maria and Maria all mean you.\n\nAna",
		},
		{
			name:        "title role and company variants",
			req:         rootRequest(ana),
			raw:         "Subject: Q3\n\nFigures attached.\n\nAna Souza\n[Your Title] | [Your Company]\n[Your Role], [Company]",
			wantSubject: "Q3",
			wantBody:    "Figures attached.\n\nAna Souza\nFinance Manager | Acme Corp\nFinance Manager, Acme Corp",
		},
		{
			name:        "company from country domain",
			req:         rootRequest(withEmail(ana, "ana.souza@mail.globex.co.uk")),
			raw:         "Subject: Q3\n\nFigures attached.\n\n[Your Name]\n[Company Name]",
			wantSubject: "Q3",
			wantBody:    "Figures attached.\n\nAna Souza\nGlobex",
		},
		{
			name:        "company line dropped without domain",
			req:         rootRequest(withEmail(ana, "")),
			raw:         "Subject: Q3\n\nFigures attached.\n\nBest,\n[Your Name]\n[Company Name]",
			wantSubject: "Q3",
			wantBody:    "Figures attached.\n\nBest,\nAna Souza",
		},
		{
			name:        "placeholder in subject",
			req:         rootRequest(ana),
			raw:         "Subject: [Company Name] Q3 budget review\n\n" + plainBody,
			wantSubject: "Acme Corp Q3 budget review",
			wantBody:    plainBody,
		},
		{
			name:        "bare subject placeholder without value falls back on topic",
			req:         rootRequest(withEmail(ana, "")),
			raw:         "Subject: [Company Name]\n\n" + plainBody,
			wantSubject: "Budget review",
			wantBody:    plainBody,
		},
		{
			name:        "spanish placeholders",
			req:         to(rootRequest(maria), ana),
			raw:         "Asunto: Presupuesto\n\nHola [Nombre],\n\nTe envío las cifras.\n\nSaludos,\n[Su nombre]\n[Su cargo]\n[Nombre de la empresa]",
			wantSubject: "Presupuesto",
			wantBody:    "Hola Ana,\n\nTe envío las cifras.\n\nSaludos,\nMaria Pérez\nProcurement Lead\nAcme Corp",
		},
		{
			name:        "french placeholders",
			req:         rootRequest(pierre),
			raw:         "Objet : Budget\n\nBonjour [Prénom],\n\nLe planning est prêt.\n\nCordialement,\n[Votre nom]\n[Votre poste]",
			wantSubject: "Budget",
			wantBody:    "Bonjour Maria,\n\nLe planning est prêt.\n\nCordialement,\nPierre Martin\nIT Manager",
		},
		{
			name:        "german placeholders",
			req:         rootRequest(jonas),
			raw:         "Betreff: Budget\n\nHallo [Vorname],\n\nanbei die Zahlen.\n\nGrüße\n[Ihr Name]\n[Firmenname]",
			wantSubject: "Budget",
			wantBody:    "Hallo Maria,\n\nanbei die Zahlen.\n\nGrüße\nJonas Weber\nAcme Corp",
		},
		{
			name:        "portuguese placeholders",
			req:         rootRequest(joao),
			raw:         "Assunto: Orçamento\n\nOlá [Nome],\n\nSegue a planilha.\n\nAbraço,\n[Seu nome]\n[Nome da empresa]",
			wantSubject: "Orçamento",
			wantBody:    "Olá Maria,\n\nSegue a planilha.\n\nAbraço,\nJoão Lima\nAcme Corp",
		},
		{
			name:        "brackets that are not placeholders",
			req:         rootRequest(ana),
			raw:         "Subject: Q3\n\nHi Maria,\n\nSee [JIRA-123] and the [Q3 dashboard](https://intranet.example/q3) [1].\nThe vendor mail was tagged [EXTERNAL] and showed [image: logo.png].\n- [x] figures\n- [ ] sign-off\n\n[1] Finance wiki\n\nAna",
			wantSubject: "Q3",
			wantBody:    "Hi Maria,\n\nSee [JIRA-123] and the [Q3 dashboard](https://intranet.example/q3) [1].\nThe vendor mail was tagged [EXTERNAL] and showed [image: logo.png].\n- [x] figures\n- [ ] sign-off\n\n[1] Finance wiki\n\nAna",
		},
		{
			name:        "placeholder in verbatim signature kept",
			req:         rootRequest(withSignature(ana, "Ana Souza\n[ACME Finance]")),
			raw:         "Subject: Q3\n\nFigures attached.\n\nAna Souza\n[ACME Finance]",
			wantSubject: "Q3",
			wantBody:    "Figures attached.\n\nAna Souza\n[ACME Finance]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRepair(t, tt.raw, tt.req, tt.wantSubject, tt.wantBody)
		})
	}
}

func TestRepairRejectsLeftoverPlaceholders(t *testing.T) {
	tests := []struct {
		name string
		req  generator.Request
		raw  string
	}{
		{
			name: "date in body",
			req:  rootRequest(ana),
			raw:  "Subject: Q3 budget review\n\nHi Maria,\n\nCan we meet on [Date] to go through the figures?\n\nBest,\nAna Souza",
		},
		{
			name: "lowercase instruction",
			req:  rootRequest(ana),
			raw:  "Subject: Q3\n\nHi Maria,\n\nThe review is at [insert meeting time].\n\nAna",
		},
		{
			name: "contact details in signature",
			req:  rootRequest(ana),
			raw:  "Subject: Q3\n\nFigures attached.\n\nBest regards,\n[Your Name]\n[Your Phone Number]",
		},
		{
			name: "company beside filled value without domain",
			req:  rootRequest(withEmail(ana, "")),
			raw:  "Subject: Q3\n\nFigures attached.\n\n[Your Name]\n[Your Title] | [Company Name]",
		},
		{
			name: "company mid-sentence without domain",
			req:  rootRequest(withEmail(ana, "")),
			raw:  "Subject: Q3\n\nEveryone at [Company Name] gets the new laptops.\n\nAna",
		},
		{
			name: "recipient name without recipient",
			req:  to(rootRequest(ana), persona.Persona{}),
			raw:  "Subject: Q3\n\nHi [Name],\n\nFigures attached.\n\nAna",
		},
		{
			name: "placeholder in subject",
			req:  rootRequest(ana),
			raw:  "Subject: Meeting on [Date]\n\n" + plainBody,
		},
		{
			name: "spanish placeholder",
			req:  rootRequest(maria),
			raw:  "Asunto: Proyecto\n\nHola Ana,\n\nEl proyecto [Nombre del proyecto] arranca el [Fecha].\n\nMaria",
		},
		{
			name: "french placeholder",
			req:  rootRequest(pierre),
			raw:  "Objet : Réunion\n\nBonjour Maria,\n\nRendez-vous à [Lieu de la réunion].\n\nPierre",
		},
		{
			name: "placeholder in made-up quote",
			req:  rootRequest(ana),
			raw:  "Subject: Q3\n\nAs agreed:\n\n> Budget owner: [Manager Name]\n\nAna",
		},
		{
			name: "placeholder in reply quote",
			req:  replyRequest(ana),
			raw:  "Subject: Re: Budget review\n\nAgreed.\n\n> Figures due [Date]\n\nAna",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject, body, err := Repair(tt.raw, tt.req)
			if !errors.Is(err, ErrUnusable) {
				t.Fatalf("Repair() = %q, %q, %v, want an ErrUnusable error", subject, body, err)
			}
		})
	}
}

func TestFindPlaceholder(t *testing.T) {
	tests := []struct {
		text string
		want string
	}{
		{text: "Meet on [Date].", want: "[Date]"},
		{text: "Ask [Manager's Name] first", want: "[Manager's Name]"},
		{text: "[Position/Title]", want: "[Position/Title]"},
		{text: "Project [Nombre del proyecto]", want: "[Nombre del proyecto]"},
		{text: "see [1] and [23]", want: ""},
		{text: "fixed in [JIRA-123] and [OPS-7]", want: ""},
		{text: "the [report](https://intranet.example/r)", want: ""},
		{text: "the [report][2]", want: ""},
		{text: "[EXTERNAL] vendor mail, [sic]", want: ""},
		{text: "[cid:image001.png@01DA] [mailto:ana@acme.example]", want: ""},
		{text: "- [x] done\n- [ ] open", want: ""},
		{text: "[...] and [\u2026]", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := findPlaceholder(tt.text); got != tt.want {
				t.Errorf("findPlaceholder(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestCompanyName(t *testing.T) {
	tests := []struct {
		email string
		want  string
	}{
		{"ana@acme-corp.com", "Acme Corp"},
		{"ana@mail.globex.co.uk", "Globex"},
		{"ana@initech.com.br", "Initech"},
		{"ana@ibm.com", "IBM"},
		{"ana@grupo_iberia.es", "Grupo Iberia"},
		{"ana@localhost", "Localhost"},
		{"ana@", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			if got := companyName(tt.email); got != tt.want {
				t.Errorf("companyName(%q) = %q, want %q", tt.email, got, tt.want)
			}
		})
	}
}

func TestRepairOtherPlaceholderForms(t *testing.T) {
	tests := []struct {
		name        string
		raw         string
		wantSubject string
		wantBody    string
	}{
		{
			name:        "angle brackets",
			raw:         "Subject: Q3\n\nDear <Recipient's Name>,\n\nFigures attached.\n\n<Your Name>\n<Company Name>",
			wantSubject: "Q3",
			wantBody:    "Dear Maria,\n\nFigures attached.\n\nAna Souza\nAcme Corp",
		},
		{
			name:        "single braces",
			raw:         "Subject: Q3\n\nHi {recipient_name},\n\nFigures attached.\n\n{your_name}",
			wantSubject: "Q3",
			wantBody:    "Hi Maria,\n\nFigures attached.\n\nAna Souza",
		},
		{
			name:        "double braces",
			raw:         "Subject: Q3 for {{ company_name }}\n\nHi {{name}},\n\nFigures attached.\n\nAna",
			wantSubject: "Q3 for Acme Corp",
			wantBody:    "Hi Maria,\n\nFigures attached.\n\nAna",
		},
		{
			name:        "address in angle brackets kept",
			raw:         "Subject: Q3\n\nHi Maria,\n\nAsk Kenji <kenji@acme-corp.example> or see <https://intranet.example/q3>.\n\nAna",
			wantSubject: "Q3",
			wantBody:    "Hi Maria,\n\nAsk Kenji <kenji@acme-corp.example> or see <https://intranet.example/q3>.\n\nAna",
		},
		{
			name:        "real dates and times kept",
			raw:         "Subject: Q3\n\nHi Maria,\n\nWe meet on 12/05/2025 at 10:30 (room 4).\n\nAna",
			wantSubject: "Q3",
			wantBody:    "Hi Maria,\n\nWe meet on 12/05/2025 at 10:30 (room 4).\n\nAna",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRepair(t, tt.raw, rootRequest(ana), tt.wantSubject, tt.wantBody)
		})
	}
}

func TestRepairRejectsOtherPlaceholderForms(t *testing.T) {
	tests := []struct {
		name string
		raw  string
	}{
		{name: "unknown angle placeholder", raw: "Subject: Q3\n\nHi Maria,\n\nThe review is on <Meeting Date>.\n\nAna"},
		{name: "unknown brace placeholder", raw: "Subject: Q3\n\nHi Maria,\n\nPlease reply by {deadline}.\n\nAna"},
		{name: "double brace placeholder", raw: "Subject: Q3\n\nHi Maria,\n\nPlease reply by {{deadline}}.\n\nAna"},
		{name: "insert instruction", raw: "Subject: Q3\n\nHi Maria,\n\nThe review is on (insert date).\n\nAna"},
		{name: "spanish instruction", raw: "Asunto: Q3\n\nHola Maria,\n\nLa reunión es el (insertar fecha).\n\nAna"},
		{name: "x date", raw: "Subject: Q3\n\nHi Maria,\n\nThe review is on XX/XX/2025.\n\nAna"},
		{name: "x time", raw: "Subject: Q3\n\nHi Maria,\n\nThe review is at XX:XX tomorrow.\n\nAna"},
		{name: "unknown placeholders in signature", raw: "Subject: Q3\n\nFigures attached.\n\nAna Souza\n{{phone}} | XX:XX"},
		{name: "x date in subject", raw: "Subject: Review on XX/XX\n\nHi Maria,\n\nSee you there.\n\nAna"},
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

func TestFindPlaceholderOtherForms(t *testing.T) {
	tests := []struct {
		text string
		want string
	}{
		{text: "due XX/XX/2025.", want: "XX/XX/2025"},
		{text: "on 2025-XX-XX", want: "2025-XX-XX"},
		{text: "by {{deadline}}", want: "{{deadline}}"},
		{text: "by (insert date)", want: "(insert date)"},
		{text: "for <Project Name>", want: "<Project Name>"},
		{text: "on 12/05/2025 (room 4)", want: ""},
		{text: "x-ray and 3x/week", want: ""},
	}
	for _, tt := range tests {
		if got := findPlaceholder(tt.text); got != tt.want {
			t.Errorf("findPlaceholder(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
