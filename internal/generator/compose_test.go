package generator

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExpand(t *testing.T) {
	slots := map[string][]string{
		"vendor": {"Kestrel Software"},
		"ref":    {"INV-{#3}"},
		"city":   {"lisbon"},
	}
	tests := []struct {
		name string
		tmpl string
		want string
	}{
		{"plain", "Hello", "Hello"},
		{"fixed", "Hi {first},", "Hi Ana,"},
		{"slot", "Onboarding {vendor}", "Onboarding Kestrel Software"},
		{"capitalized", "{City} office", "Lisbon office"},
		{"single alternative", "[only]", "only"},
		{"nested slot in value", "Invoice {ref}", "Invoice INV-"},
		{"unknown placeholder kept", "Hi {nobody}", "Hi {nobody}"},
		{"unclosed brace kept", "Hi {first", "Hi {first"},
		{"unclosed bracket kept", "Hi [a|b", "Hi [a|b"},
		{"digits out of range kept", "{#0} {#x}", "{#0} {#x}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newExpander(seeded(1), slots, map[string]string{"first": "Ana"})
			got := e.expand(tt.tmpl)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("expand(%q) = %q, want %q", tt.tmpl, got, tt.want)
			}
		})
	}
}

func TestExpandRegister(t *testing.T) {
	for _, formal := range []bool{false, true} {
		e := newExpander(seeded(1), nil, map[string]string{"x": "X"})
		e.formal = formal
		got := e.expand("Hola, <dime|dígame> {x}.")
		want := map[bool]string{false: "Hola, dime X.", true: "Hola, dígame X."}[formal]
		if got != want {
			t.Errorf("formal=%v: expand = %q, want %q", formal, got, want)
		}
	}
}

func TestExpandDigits(t *testing.T) {
	e := newExpander(seeded(1), nil, nil)
	for range 200 {
		got := e.expand("{#4}")
		if len(got) != 4 || got[0] == '0' || strings.Trim(got, "0123456789") != "" {
			t.Fatalf("expand({#4}) = %q, want 4 digits without a leading zero", got)
		}
	}
}

func TestExpandKeepsDrawnValues(t *testing.T) {
	slots := map[string][]string{"vendor": {"A", "B", "C", "D", "E", "F", "G", "H"}}
	for seed := range uint64(20) {
		e := newExpander(seeded(seed), slots, nil)
		first, again := e.expand("{vendor}"), e.expand("{Vendor}")
		if first != again {
			t.Fatalf("second {vendor} = %q, want the first draw %q", again, first)
		}
	}
}

func TestExpandAlternatives(t *testing.T) {
	seen := make(map[string]bool)
	for seed := range uint64(200) {
		e := newExpander(seeded(seed), nil, map[string]string{"x": "X"})
		seen[e.expand("[a|b[c|d]|{x}]")] = true
	}
	want := map[string]bool{"a": true, "bc": true, "bd": true, "X": true}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("alternatives reached (-want +got):\n%s", diff)
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
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			if got := companyName(tt.email); got != tt.want {
				t.Errorf("companyName(%q) = %q, want %q", tt.email, got, tt.want)
			}
		})
	}
}

func TestFirstName(t *testing.T) {
	tests := []struct {
		name string
		want string
	}{
		{"Ana Souza", "Ana"},
		{"Dr. Ana Souza", "Ana"},
		{"José", "José"},
		{"  María  Pérez ", "María"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := firstName(tt.name); got != tt.want {
				t.Errorf("firstName(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width int
		want  string
	}{
		{"no wrapping", "one two three", 0, "one two three"},
		{"fits", "one two three", 13, "one two three"},
		{"breaks at spaces", "one two three", 8, "one two\nthree"},
		{"counts characters not bytes", "ñññ ñññ", 7, "ñññ ñññ"},
		{"long word kept whole", "a verylongword b", 5, "a\nverylongword\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wrap(tt.text, tt.width); got != tt.want {
				t.Errorf("wrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("word ", 30)
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"plain", "Hi,\r\n\r\nText.\r\n", []string{"Hi,", "", "Text."}},
		{"blank ends trimmed", "\n\nHi\n\n\n", []string{"Hi"}},
		{"nested quote dropped", "Sure.\n\nOn Mon, Ana wrote:\n> old\n", []string{"Sure."}},
		{"quote without attribution", "Sure.\n> old\n", []string{"Sure."}},
		{"long line rewrapped", long, strings.Split(wrap(long, quoteWidth), "\n")},
		{"cut at a paragraph end", strings.Repeat("line\n", 8) + "\n" + strings.Repeat("more\n", 8), strings.Split(strings.Repeat("line\n", 7)+"line", "\n")},
		{"cut mid paragraph when there is no end", strings.Repeat("line\n", 20), strings.Split(strings.Repeat("line\n", 11)+"line", "\n")},
		{"only a quote", "> old\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, excerpt(tt.body)); diff != "" {
				t.Errorf("excerpt (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStartsWithSignoff(t *testing.T) {
	tests := []struct {
		signature string
		want      bool
	}{
		{"Best,\nAna", true},
		{"¡Saludos!\nJosé", true},
		{"Ana Souza\nFinance", false},
		{"Souza, Ana\nFinance", false},
	}
	for _, tt := range tests {
		t.Run(tt.signature, func(t *testing.T) {
			if got := startsWithSignoff(tt.signature); got != tt.want {
				t.Errorf("startsWithSignoff(%q) = %v, want %v", tt.signature, got, tt.want)
			}
		})
	}
}
