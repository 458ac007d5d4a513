package llm

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/persona"
)

func TestPromptRoot(t *testing.T) {
	req := rootRequest(ana)
	system, user := Prompt(req, []string{"uses numbered lists"})

	for _, want := range []string{
		"English (en)",
		"Do not use em-dashes",
		"without \"Re:\"",
		"Sign the email with the sender's name, Ana Souza",
		"\"Subject: \"",
		"one blank line, then the body",
		"Output nothing else",
	} {
		if !strings.Contains(system, want) {
			t.Errorf("system prompt lacks %q:\n%s", want, system)
		}
	}
	for _, want := range []string{
		"Sender: Ana Souza, Finance Manager.",
		"formal",
		"uses numbered lists",
		"Recipient: Maria Pérez, Procurement Lead.",
		"Topic: budget review.",
	} {
		if !strings.Contains(user, want) {
			t.Errorf("user prompt lacks %q:\n%s", want, user)
		}
	}
	if strings.Contains(user, "mentions the coffee machine") {
		t.Errorf("user prompt names a mannerism that was not chosen:\n%s", user)
	}
}

func TestPromptReply(t *testing.T) {
	req := replyRequest(maria)
	req.Parent.Body = "Hi Maria,\n\nCan you send the figures?\n\nOn Monday Ana wrote:\n> older text that stays out\n\nAna"
	system, user := Prompt(req, nil)

	if !strings.Contains(system, "Spanish (es)") {
		t.Errorf("system prompt does not name Spanish (es):\n%s", system)
	}
	if !strings.Contains(system, "The subject must be exactly: Re: Budget review\n") {
		t.Errorf("system prompt lacks the exact reply subject:\n%s", system)
	}
	for _, want := range []string{"Reply to this email from Maria Pérez.", "Its subject: RE: Re: Budget review", "Can you send the figures?"} {
		if !strings.Contains(user, want) {
			t.Errorf("user prompt lacks %q:\n%s", want, user)
		}
	}
	if strings.Contains(user, "older text") {
		t.Errorf("user prompt contains the parent's quoted lines:\n%s", user)
	}
	if strings.Contains(user, "Work these habits") {
		t.Errorf("user prompt names mannerisms although none were chosen:\n%s", user)
	}
}

func TestPromptExcerptCapped(t *testing.T) {
	req := replyRequest(ana)
	req.Parent.Body = strings.Repeat("The vendor list needs another pass.\n", 200)
	_, user := Prompt(req, nil)

	start := strings.Index(user, "<<<\n")
	end := strings.Index(user, "\n>>>")
	if start < 0 || end < start {
		t.Fatalf("user prompt has no delimited excerpt:\n%s", user)
	}
	quoted := user[start+4 : end]
	if n := utf8.RuneCountInString(quoted); n > maxExcerptRunes {
		t.Errorf("excerpt has %d characters, want at most %d", n, maxExcerptRunes)
	}
	if !strings.HasSuffix(quoted, "another pass.") {
		t.Errorf("excerpt is not cut at a line end: ...%q", quoted[len(quoted)-40:])
	}
}

func TestPromptSignatureVerbatim(t *testing.T) {
	sig := "Ana Souza\nFinance Manager | ACME Corp\n+1 555 0100"
	system, _ := Prompt(rootRequest(withSignature(ana, sig)), nil)
	if !strings.Contains(system, "copied exactly, line by line:\n"+sig+"\n") {
		t.Errorf("system prompt lacks the verbatim signature:\n%s", system)
	}
	if strings.Contains(system, "Sign the email with the sender's name") {
		t.Errorf("system prompt asks for a name signature despite a set signature:\n%s", system)
	}
}

func TestPromptHeavyLLMUser(t *testing.T) {
	system, _ := Prompt(rootRequest(heavy(ana)), nil)
	if strings.Contains(system, "Do not use em-dashes") {
		t.Errorf("system prompt forbids em-dashes for a heavy LLM user:\n%s", system)
	}
	if !strings.Contains(system, "Em-dashes are allowed.") {
		t.Errorf("system prompt does not allow em-dashes:\n%s", system)
	}
}

func TestPromptCustomTone(t *testing.T) {
	p := ana
	p.Tone = persona.Custom
	p.ToneCustom = "dry humour, overly precise about dates"
	_, user := Prompt(rootRequest(p), nil)
	if !strings.Contains(user, "Sender's tone: dry humour, overly precise about dates.") {
		t.Errorf("user prompt lacks the custom tone:\n%s", user)
	}
}

func TestLanguageName(t *testing.T) {
	tests := map[string]string{
		"":      "English (en)",
		"es":    "Spanish (es)",
		"pt-BR": "Portuguese (pt-BR)",
		"DE":    "German (DE)",
		"xx":    "the language with ISO 639-1 code xx",
	}
	for code, want := range tests {
		if got := languageName(code); got != want {
			t.Errorf("languageName(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestPickMannerisms(t *testing.T) {
	all := []string{"a", "b", " ", "c", "d"}
	counts := map[int]int{}
	for seed := range uint64(200) {
		got := pickMannerisms(all, seeded(seed))
		counts[len(got)]++
		if len(got) < 1 || len(got) > 2 {
			t.Fatalf("seed %d: picked %q, want one or two", seed, got)
		}
		for _, m := range got {
			if !slices.Contains([]string{"a", "b", "c", "d"}, m) {
				t.Fatalf("seed %d: picked %q, not a non-blank mannerism", seed, m)
			}
		}
		if len(got) == 2 && got[0] == got[1] {
			t.Fatalf("seed %d: picked %q twice", seed, got[0])
		}
		if again := pickMannerisms(all, seeded(seed)); !slices.Equal(got, again) {
			t.Fatalf("seed %d: picked %q, then %q with the same seed", seed, got, again)
		}
	}
	if counts[1] == 0 || counts[2] == 0 {
		t.Errorf("pick sizes over 200 seeds = %v, want both one and two", counts)
	}
}

func TestPickMannerismsFew(t *testing.T) {
	if got := pickMannerisms(nil, seeded(1)); got != nil {
		t.Errorf("pickMannerisms(nil) = %q, want nil", got)
	}
	if got := pickMannerisms([]string{"  ", ""}, seeded(1)); got != nil {
		t.Errorf("pickMannerisms(blank) = %q, want nil", got)
	}
	if got := pickMannerisms([]string{" only one "}, seeded(1)); !slices.Equal(got, []string{"only one"}) {
		t.Errorf("pickMannerisms(one) = %q, want [only one]", got)
	}
}

func TestPromptNamesDateInSenderZone(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	req := generator.Request{
		Sender:    persona.Persona{Name: "Ana", Role: "Finance", Location: madrid},
		Recipient: persona.Persona{Name: "Raj", Role: "Ops"},
		Topic:     "budget review",
		Date:      time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC),
		Rand:      rand.New(rand.NewPCG(1, 2)),
	}
	_, user := Prompt(req, nil)
	if want := "The email is written on Saturday, 5 December 2026 at 00:30."; !strings.Contains(user, want) {
		t.Errorf("user prompt does not contain %q:\n%s", want, user)
	}
}
