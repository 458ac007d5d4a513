package llm

import (
	"errors"
	"testing"

	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/persona"
)

var (
	pierre = persona.Persona{Name: "Pierre Martin", Email: "pierre.martin@acme-corp.example", Role: "IT Manager", Tone: persona.Formal, Language: "fr"}
	jonas  = persona.Persona{Name: "Jonas Weber", Email: "jonas.weber@acme-corp.example", Role: "Controller", Tone: persona.Direct, Language: "de"}
	joao   = persona.Persona{Name: "João Lima", Email: "joao.lima@acme-corp.example", Role: "Analyst", Tone: persona.Casual, Language: "pt"}
)

func TestRepairRejectsRefusals(t *testing.T) {
	tests := []struct {
		name string
		req  generator.Request
		raw  string
	}{
		{
			name: "english ai disclaimer",
			req:  rootRequest(ana),
			raw:  "As an AI language model, I cannot write emails that impersonate real people or organizations.",
		},
		{
			name: "english sorry cannot help",
			req:  rootRequest(ana),
			raw:  "I'm sorry, but I can't help with that request.",
		},
		{
			name: "english cannot write because",
			req:  rootRequest(ana),
			raw:  "I can't write that email because it asks me to pose as a specific employee.",
		},
		{
			name: "english won't be able to",
			req:  rootRequest(ana),
			raw:  "I won't be able to create this content.",
		},
		{
			name: "english typographic apostrophes",
			req:  rootRequest(ana),
			raw:  "I\u2019m sorry, but I can\u2019t assist with creating that email.",
		},
		{
			name: "english refusal with alternative offer",
			req:  rootRequest(ana),
			raw:  "I'm unable to fulfill this request.\n\nIf you'd like, I can help you write a general update for the team instead.",
		},
		{
			name: "english refusal after subject",
			req:  rootRequest(ana),
			raw:  "Subject: Q3 budget review\n\nI'm sorry, but I can't help with that request.",
		},
		{
			name: "english refusal after bold subject",
			req:  rootRequest(ana),
			raw:  "**Subject:** Budget review\n\nI cannot comply with this request, as it involves impersonating a real employee.",
		},
		{
			name: "english refusal in reply",
			req:  replyRequest(ana),
			raw:  "Subject: Re: Budget review\n\nI'm sorry, but I can't help with that.",
		},
		{
			name: "english refusal before generic email",
			req:  rootRequest(ana),
			raw:  "I can't write an email pretending to be a real person, but here is a generic version:\n\nSubject: Budget update\n\n" + plainBody,
		},
		{
			name: "english disclaimer inside body",
			req:  rootRequest(ana),
			raw:  "Subject: Q3 budget review\n\nHi Maria,\n\nAs an AI language model, I don't have access to the actual Q3 figures, so the numbers below are examples.\n\nBest regards,\nAna Souza",
		},
		{
			name: "english disclaimer in trailing note",
			req:  rootRequest(ana),
			raw:  "Subject: Q3 budget review\n\n" + plainBody + "\n\nNote: As an AI, I don't know your real figures, so please check them.",
		},
		{
			name: "english assistant self-description",
			req:  rootRequest(ana),
			raw:  "Subject: Q3\n\nHi Maria,\n\nI'm an AI assistant, so I can't attend the meeting, but here is a summary.\n\nAna",
		},
		{
			name: "english knowledge cutoff",
			req:  rootRequest(ana),
			raw:  "Subject: Q3\n\nHi Maria,\n\nAs of my last update, the travel policy allowed economy fares only.\n\nAna",
		},
		{
			name: "spanish refusal",
			req:  rootRequest(maria),
			raw:  "Lo siento, pero no puedo ayudar con esa solicitud.",
		},
		{
			name: "spanish refusal after subject",
			req:  rootRequest(maria),
			raw:  "Asunto: Revisión del presupuesto\n\nLo siento, pero no puedo ayudar con esa solicitud.",
		},
		{
			name: "spanish language model",
			req:  rootRequest(maria),
			raw:  "Como modelo de lenguaje, no puedo redactar correos que suplanten a personas reales.",
		},
		{
			name: "spanish cannot write email",
			req:  rootRequest(maria),
			raw:  "Asunto: Presupuesto\n\nLo siento, no puedo escribir ese correo porque suplantaría a una persona real.",
		},
		{
			name: "portuguese refusal",
			req:  rootRequest(joao),
			raw:  "Desculpe, mas não posso ajudar com isso.",
		},
		{
			name: "portuguese refusal after subject",
			req:  rootRequest(joao),
			raw:  "Assunto: Revisão do orçamento\n\nDesculpe, mas não posso ajudar com isso.",
		},
		{
			name: "portuguese language model",
			req:  rootRequest(joao),
			raw:  "Como um modelo de linguagem, não posso criar esse tipo de conteúdo.",
		},
		{
			name: "french refusal",
			req:  rootRequest(pierre),
			raw:  "Je suis désolé, mais je ne peux pas répondre à cette demande.",
		},
		{
			name: "french refusal after subject",
			req:  rootRequest(pierre),
			raw:  "Objet : Budget du T3\n\nJe suis désolé, mais je ne peux pas répondre à cette demande.",
		},
		{
			name: "french language model",
			req:  rootRequest(pierre),
			raw:  "En tant que modèle de langage, je ne peux pas rédiger cet e-mail.",
		},
		{
			name: "french elided ai",
			req:  rootRequest(pierre),
			raw:  "Objet : Budget\n\nBonjour Maria,\n\nEn tant qu\u2019IA, je ne peux pas me faire passer pour une personne réelle.\n\nPierre",
		},
		{
			name: "german refusal",
			req:  rootRequest(jonas),
			raw:  "Es tut mir leid, aber dabei kann ich nicht helfen.",
		},
		{
			name: "german refusal after subject",
			req:  rootRequest(jonas),
			raw:  "Betreff: Budgetplanung Q3\n\nEs tut mir leid, aber dabei kann ich nicht helfen.",
		},
		{
			name: "german language model",
			req:  rootRequest(jonas),
			raw:  "Als KI-Sprachmodell kann ich keine E-Mails im Namen echter Personen verfassen.",
		},
		{
			name: "german request refused",
			req:  rootRequest(jonas),
			raw:  "Betreff: Budget\n\nEs tut mir leid, aber ich kann diese Anfrage leider nicht erfüllen.",
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

func TestRepairKeepsApologies(t *testing.T) {
	tests := []struct {
		name string
		req  generator.Request
		raw  string
		body string
	}{
		{
			name: "english missed call",
			req:  rootRequest(ana),
			raw:  "Subject: Missed call\n\nI'm sorry I missed the call this morning. Are you free at 3?\n\nAna",
			body: "I'm sorry I missed the call this morning. Are you free at 3?\n\nAna",
		},
		{
			name: "english cannot make meeting",
			req:  rootRequest(ana),
			raw:  "Subject: Thursday\n\nHi Maria,\n\nI'm sorry, I can't make the meeting on Thursday.\n\nAna",
			body: "Hi Maria,\n\nI'm sorry, I can't make the meeting on Thursday.\n\nAna",
		},
		{
			name: "english cannot approve request",
			req:  rootRequest(ana),
			raw:  "Subject: Laptop request\n\nUnfortunately I can't approve this request until the budget is signed off.\n\nAna",
			body: "Unfortunately I can't approve this request until the budget is signed off.\n\nAna",
		},
		{
			name: "english apology without subject",
			req:  rootRequest(ana),
			raw:  "I'm sorry I missed the call. Free at 3?\n\nAna",
			body: "I'm sorry I missed the call. Free at 3?\n\nAna",
		},
		{
			name: "english ai as business topic",
			req:  rootRequest(ana),
			raw:  "Subject: Helpdesk pilot\n\nHi Maria,\n\nWe're evaluating an AI language model for the helpdesk. As an AI-first team, IT wants the budget by Friday.\n\nAna",
			body: "Hi Maria,\n\nWe're evaluating an AI language model for the helpdesk. As an AI-first team, IT wants the budget by Friday.\n\nAna",
		},
		{
			name: "spanish cannot attend",
			req:  rootRequest(maria),
			raw:  "Asunto: Reunión del jueves\n\nLo siento, no podré asistir el jueves. ¿Lo movemos al viernes?\n\nMaria",
			body: "Lo siento, no podré asistir el jueves. ¿Lo movemos al viernes?\n\nMaria",
		},
		{
			name: "portuguese cannot join",
			req:  rootRequest(joao),
			raw:  "Assunto: Reunião\n\nDesculpe, não posso participar da reunião amanhã.\n\nJoão",
			body: "Desculpe, não posso participar da reunião amanhã.\n\nJoão",
		},
		{
			name: "french cannot attend",
			req:  rootRequest(pierre),
			raw:  "Objet : Réunion\n\nJe suis désolé, je ne pourrai pas être présent à la réunion de lundi.\n\nPierre",
			body: "Je suis désolé, je ne pourrai pas être présent à la réunion de lundi.\n\nPierre",
		},
		{
			name: "german cannot on thursday",
			req:  rootRequest(jonas),
			raw:  "Betreff: Termin\n\nEs tut mir leid, ich kann am Donnerstag nicht.\n\nJonas",
			body: "Es tut mir leid, ich kann am Donnerstag nicht.\n\nJonas",
		},
		{
			name: "refusal wording later in body",
			req:  rootRequest(ana),
			raw:  "Subject: Vendor question\n\nHi Maria,\n\nThe vendor asked for our admin password. I told them I can't help with that request.\n\nAna",
			body: "Hi Maria,\n\nThe vendor asked for our admin password. I told them I can't help with that request.\n\nAna",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body, err := Repair(tt.raw, tt.req)
			if err != nil {
				t.Fatalf("Repair() error: %v", err)
			}
			if body != tt.body {
				t.Errorf("body = %q, want %q", body, tt.body)
			}
		})
	}
}

func TestIsRefusal(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{text: "I'm sorry, but I can't help with that request.", want: true},
		{text: "I'm sorry, but I can't help with that.", want: true},
		{text: "I can't write that email because it names a real employee.", want: true},
		{text: "I won't be able to create this content.", want: true},
		{text: "I\u2019m sorry, but I can\u2019t assist with creating that email.", want: true},
		{text: "I'm unable to fulfill this request.", want: true},
		{text: "I am not able to\nhelp with this request.", want: true},
		{text: "I can't write an email pretending to be a real person.", want: true},
		{text: "I cannot impersonate a real employee.", want: true},
		{text: "Lo siento, pero no puedo ayudar con esa solicitud.", want: true},
		{text: "No puedo ayudarte a escribir ese correo.", want: true},
		{text: "Desculpe, mas não posso ajudar com isso.", want: true},
		{text: "Não posso criar esse tipo de conteúdo.", want: true},
		{text: "Je suis désolé, mais je ne peux pas répondre à cette demande.", want: true},
		{text: "Je ne peux pas t'aider avec ça.", want: true},
		{text: "Es tut mir leid, aber dabei kann ich nicht helfen.", want: true},
		{text: "Ich kann Ihnen damit leider nicht helfen.", want: true},
		{text: "Es tut mir leid, aber ich kann diese Anfrage nicht erfüllen.", want: true},
		{text: "Ich bin nicht in der Lage, dabei zu helfen.", want: true},
		{text: "Leider kann ich keine E-Mails im Namen echter Personen verfassen.", want: true},

		{text: "I'm sorry I missed the call.", want: false},
		{text: "I'm sorry, I can't make the meeting on Thursday.", want: false},
		{text: "I can't approve this request until the budget is signed off.", want: false},
		{text: "I can't provide those figures until Monday.", want: false},
		{text: "I can't make it, so could you do that for me?", want: false},
		{text: "Lo siento, no podré asistir el jueves.", want: false},
		{text: "No puedo ayudar con la migración esta semana.", want: false},
		{text: "Desculpe, não posso participar da reunião amanhã.", want: false},
		{text: "Je ne pourrai pas assister à la réunion de lundi.", want: false},
		{text: "Je ne peux pas répondre à cette question avant lundi.", want: false},
		{text: "Es tut mir leid, ich kann am Donnerstag nicht.", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := isRefusal(tt.text); got != tt.want {
				t.Errorf("isRefusal(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestMentionsBeingAI(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{text: "As an AI language model, I cannot do that.", want: true},
		{text: "Note: As an AI, I don't know your figures.", want: true},
		{text: "As a large language model, I have no calendar.", want: true},
		{text: "I'm an AI assistant, so I can't attend.", want: true},
		{text: "I am just an AI.", want: true},
		{text: "I'm a language model trained on public text.", want: true},
		{text: "As of my last update, the policy allowed economy fares.", want: true},
		{text: "My knowledge cutoff is 2024.", want: true},
		{text: "Como modelo de lenguaje, no puedo redactar eso.", want: true},
		{text: "Soy una inteligencia artificial y no tengo agenda.", want: true},
		{text: "Como um modelo de linguagem, não posso.", want: true},
		{text: "Sou apenas uma IA.", want: true},
		{text: "En tant que modèle de langage, je ne peux pas.", want: true},
		{text: "En tant qu\u2019IA, je ne peux pas.", want: true},
		{text: "Je ne suis qu'une IA.", want: true},
		{text: "Als KI-Sprachmodell kann ich das nicht.", want: true},
		{text: "Als KI, kann ich das nicht.", want: true},
		{text: "Ich bin nur eine KI.", want: true},

		{text: "We're evaluating an AI language model for the helpdesk.", want: false},
		{text: "As an AI-first team, we need the budget by Friday.", want: false},
		{text: "I'm an AI enthusiast, so count me in for the pilot.", want: false},
		{text: "Como IA generativa usamos el piloto de TI del proveedor.", want: false},
		{text: "Wir starten das als KI-Projekt im dritten Quartal.", want: false},
		{text: "Le fournisseur propose une IA pour le support.", want: false},
		{text: "O fornecedor vende uma IA para o suporte.", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := mentionsBeingAI(tt.text); got != tt.want {
				t.Errorf("mentionsBeingAI(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}
