package generator

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/persona"
)

// genderMarker matches the forms that write both genders at once, such as
// Portuguese "Prezado(a)", French "prévenu(e)", German "geehrte(r)" and
// Spanish "Estimado/a".
var genderMarker = regexp.MustCompile(`\pL\((?:a|e|r|s|n|as|es|os|en|in|innen)\)|\pL/(?:a|as|o|os|e|es|in|innen|r)(?:[^\pL]|$)`)

func TestCorpusNoGenderMarkers(t *testing.T) {
	for language, c := range corpora(t) {
		for label, tmpl := range templates(c) {
			if m := genderMarker.FindString(tmpl); m != "" {
				t.Errorf("%s/%s: template %q writes both genders with %q", language, label, tmpl, m)
			}
		}
	}
}

// conversation returns messages between the people of one decky in
// language: new threads and replies to them, in every tone.
func conversation(t *testing.T, g *Template, language string, seed uint64, threads int) []Content {
	t.Helper()
	r := seeded(seed)
	people := deckyPersonas(language)
	people[3].Role = "Manager"
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var out []Content
	for range threads {
		from, to := pickTwo(r, people)
		sender, recipient := people[from], people[to]
		date := start.Add(time.Duration(r.IntN(365*24)) * time.Hour)
		topic := RandomTopic(r)
		root := generate(t, g, Request{Sender: sender, Recipient: recipient, Topic: topic, Rand: r, Date: date})
		parent := &Parent{Subject: root.Subject, Body: root.Body, FromName: sender.Name, Date: date}
		reply := generate(t, g, Request{Sender: recipient, Recipient: sender, Topic: topic, Parent: parent, Rand: r, Date: date.Add(time.Hour)})
		out = append(out, root, reply)
	}
	return out
}

func TestOutputNoGenderMarkers(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, language := range languages {
		for _, msg := range conversation(t, g, language, 5, 1500) {
			text := msg.Subject + "\n" + strings.Join(ownLines(msg.Body), "\n")
			if m := genderMarker.FindString(text); m != "" {
				t.Fatalf("%s message writes both genders with %q:\n%s", language, m, text)
			}
		}
	}
}

// TestGreetingNotFullName checks that Portuguese, French and Spanish
// greetings address the recipient by first name or by no name, as a mail
// merge would not.
func TestGreetingNotFullName(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, language := range []string{"pt", "fr", "es"} {
		for i := range 20 {
			sender := newPersona("Ana Souza", "ana"+string(rune('a'+i))+"@acme.example", persona.Formal, language)
			recipient := newPersona("Bruno Lima", "bruno@acme.example", persona.Casual, language)
			r := seeded(uint64(i))
			for range 20 {
				got := generate(t, g, Request{Sender: sender, Recipient: recipient, Topic: RandomTopic(r), Rand: r})
				if greeting, _, _ := strings.Cut(got.Body, "\n"); strings.Contains(greeting, "Bruno Lima") {
					t.Fatalf("%s greeting uses the full name: %q", language, greeting)
				}
			}
		}
	}
}

// thanksWords matches the words that thank, in every corpus language.
var thanksWords = regexp.MustCompile(`(?i)(?:^|[^\pL])(thank|gracias|agradec|agradezc|obrigad|agradeç|valeu|merci|remerci|dank|bedank)`)

// splitSentences splits text at line breaks and at sentence ends followed
// by white space.
var splitSentences = regexp.MustCompile(`[.!?…]+[ \t]+|\n+`)

// TestCorpusToneListsThankless checks that each tone list the composer
// picks from next to other text has an entry without thanks, so a
// message never has to thank twice in a row.
func TestCorpusToneListsThankless(t *testing.T) {
	for language, c := range corpora(t) {
		for tone, text := range c.Tones {
			for field, list := range map[string][]string{
				"openers": text.Openers, "reply_openers": text.ReplyOpeners,
				"answer_openers": text.AnswerOpeners, "closers": text.Closers, "signoffs": text.Signoffs,
			} {
				free := 0
				for _, s := range list {
					if c.measure(s).thanks == 0 {
						free++
					}
				}
				if free == 0 {
					t.Errorf("%s/%s.%s: every entry thanks", language, tone, field)
				}
			}
		}
	}
}

func TestThanksAtMostTwiceNotInARow(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, language := range languages {
		t.Run(language, func(t *testing.T) {
			for _, msg := range conversation(t, g, language, 17, 2000) {
				own := strings.Join(ownLines(msg.Body), "\n")
				total := 0
				previous := false
				for _, sentence := range splitSentences.Split(own, -1) {
					n := len(thanksWords.FindAllString(sentence, -1))
					total += n
					if n > 0 && previous {
						t.Fatalf("two sentences in a row thank:\n%s", own)
					}
					if strings.TrimSpace(sentence) != "" {
						previous = n > 0
					}
				}
				if total > maxThanks {
					t.Fatalf("message thanks %d times, want at most %d:\n%s", total, maxThanks, own)
				}
			}
		})
	}
}

// germanCapitalAfterGreeting are the words that the German corpus starts
// a line after a greeting with in upper case: the formal "you" and nouns.
var germanCapitalAfterGreeting = []string{"Sie", "Ihnen", "Nachfrage"}

// TestGermanCaseAfterGreeting checks that German mail goes on after
// "Hallo Bruno," with a lower-case word, a noun or "Sie", and that every
// other paragraph starts with a capital.
func TestGermanCaseAfterGreeting(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	for _, msg := range conversation(t, g, "de", 23, 1500) {
		paras := strings.Split(strings.Join(ownLines(msg.Body), "\n"), "\n\n")
		greeted := strings.HasSuffix(paras[0], ",") && !strings.ContainsAny(paras[0], ".!?")
		for i, p := range paras {
			first, _ := utf8.DecodeRuneInString(p)
			word := strings.FieldsFunc(p, func(r rune) bool { return !unicode.IsLetter(r) })[0]
			switch {
			case i == 0 && greeted:
			case i == 1 && greeted:
				if unicode.IsUpper(first) && !slices.Contains(germanCapitalAfterGreeting, word) {
					t.Errorf("line after greeting %q starts with %q in upper case:\n%s", paras[0], word, msg.Body)
				}
			default:
				if unicode.IsLower(first) {
					t.Errorf("paragraph %d starts in lower case:\n%s", i, msg.Body)
				}
			}
		}
	}
}

func TestParentRegister(t *testing.T) {
	c := corpora(t)
	tests := []struct {
		language, text string
		formal, ok     bool
	}{
		{"de", "Hallo Ana,\n\nkönnen Sie mir die Zahlen schicken? Ihr Bericht fehlt noch.", true, true},
		{"de", "Hi Ana,\n\nkannst du mir deine Zahlen schicken? Du weißt ja, wo sie liegen.", false, true},
		{"de", "Hallo,\n\nanbei die Zahlen.", false, false},
		{"fr", "Bonjour Ana,\n\nPouvez-vous m'envoyer votre rapport\u00a0?", true, true},
		{"fr", "Salut Ana,\n\nTu peux m'envoyer ton rapport\u00a0?", false, true},
		{"es", "Buenos días:\n\n¿Podría usted confirmar la fecha? Avíseme.", true, true},
		{"es", "Hola, Ana:\n\n¿Me confirmas tu fecha? Dime algo.", false, true},
		{"pt", "Oi, Ana,\n\nVocê pode confirmar a data?", false, false},
		{"en", "Hi Ana,\n\nCould you confirm the date?", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.language+"/"+tt.text, func(t *testing.T) {
			formal, ok := c[tt.language].parentRegister(tt.text)
			if ok != tt.ok {
				t.Errorf("parentRegister() ok = %v, want %v", ok, tt.ok)
			}
			if ok && formal != tt.formal {
				t.Errorf("parentRegister() formal = %v, want %v", formal, tt.formal)
			}
		})
	}
}

// informalYou and formalYou match the informal and the formal "you",
// which a reply in the other register must not use.
var (
	informalYou = map[string]*regexp.Regexp{
		"es": words("te", "tu", "tus", "dime", "dímelo", "avísame", "cuéntame", "pásame", "quieres", "necesitas"),
		"fr": words("tu", "te", "toi", "ton", "ta", "tes", "dis-moi", "préviens-moi"),
		"de": words("du", "dich", "dir", "dein", "deine", "sag"),
	}
	formalYou = map[string]*regexp.Regexp{
		"es": words("usted", "dígame", "dígamelo", "avíseme", "cuénteme", "páseme"),
		"fr": words("vous", "votre", "vos", "dites-moi", "prévenez-moi"),
		"de": regexp.MustCompile(`(?:^|[^\pL])(Ihnen|Ihre|Ihr|Sagen Sie|Halten Sie)(?:[^\pL]|$)`),
	}
)

// TestReplyMirrorsParentRegister checks that a reply addresses the parent's
// writer in the register the parent used, whatever the replier's tone.
func TestReplyMirrorsParentRegister(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	tones := []persona.Tone{persona.Formal, persona.Direct, persona.Casual, persona.Technical}
	for language := range informalYou {
		c := g.corpora[language]
		for _, parentTone := range tones {
			for _, replyTone := range tones {
				t.Run(language+"/"+string(parentTone)+"/"+string(replyTone), func(t *testing.T) {
					writer := newPersona("Bruno Lima", "bruno@acme.example", parentTone, language)
					replier := newPersona("Ana Souza", "ana@acme.example", replyTone, language)
					r := seeded(31)
					detected := 0
					for range 200 {
						topic := RandomTopic(r)
						root := generate(t, g, Request{Sender: writer, Recipient: replier, Topic: topic, Rand: r})
						formal, ok := c.parentRegister(ownText(root.Body))
						if !ok {
							continue
						}
						detected++
						if formal != (c.Tones[toneKey(parentTone)].Register == "formal") {
							t.Fatalf("parent in the %s tone read as formal=%v:\n%s", parentTone, formal, root.Body)
						}
						parent := &Parent{Subject: root.Subject, Body: root.Body, FromName: writer.Name, Date: time.Now()}
						reply := generate(t, g, Request{Sender: replier, Recipient: writer, Topic: topic, Parent: parent, Rand: r})
						own := strings.Join(ownLines(reply.Body), "\n")
						wrong := formalYou[language]
						if formal {
							wrong = informalYou[language]
						}
						if language != "de" {
							own = strings.ToLower(own)
						}
						if m := wrong.FindString(own); m != "" {
							t.Fatalf("parent formal=%v, but the reply says %q:\nparent:\n%s\nreply:\n%s", formal, m, root.Body, own)
						}
					}
					if detected < 50 {
						t.Errorf("register read from %d of 200 parents, want at least 50", detected)
					}
				})
			}
		}
	}
}

// TestReplyRegisterFallsBackToTone checks that a reply to a parent that
// shows no register uses the register of the replier's tone.
func TestReplyRegisterFallsBackToTone(t *testing.T) {
	g := NewTemplate(zap.NewNop())
	parent := &Parent{Subject: "Plan", Body: "Hallo,\n\nanbei der Plan.\n\nBruno", FromName: "Bruno Lima", Date: time.Now()}
	for _, tone := range []persona.Tone{persona.Formal, persona.Casual} {
		replier := newPersona("Ana Souza", "ana@acme.example", tone, "de")
		w := newComposer(g.corpora["de"], Request{Sender: replier, Recipient: bruno, Parent: parent, Rand: seeded(1)})
		if got, want := w.tone.Register, g.corpora["de"].Tones[toneKey(tone)].Register; got != want {
			t.Errorf("%s replier writes in register %q, want the tone's %q", tone, got, want)
		}
	}
}
