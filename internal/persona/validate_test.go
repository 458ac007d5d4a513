package persona

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ignoreParsed leaves out the fields that Parse derives from others, because
// a workhours.Schedule cannot be compared field by field.
var ignoreParsed = cmpopts.IgnoreFields(Persona{}, "Schedule", "Location")

func testDefaults(t *testing.T) Defaults {
	t.Helper()
	return Defaults{Language: "es", Location: mustLoadLocation(t, "Europe/Madrid")}
}

func mustLoadLocation(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("loading time zone %q: %v", name, err)
	}
	return loc
}

// baseEntry returns the fields of a minimal valid entry.
func baseEntry() map[string]any {
	return map[string]any{
		"name":  "Ana Ruiz",
		"email": "ana.ruiz@example.com",
		"role":  "Finance Manager",
	}
}

// basePersona is what Parse makes of baseEntry under testDefaults.
func basePersona() Persona {
	return Persona{
		Name:         "Ana Ruiz",
		Email:        "ana.ruiz@example.com",
		Role:         "Finance Manager",
		Tone:         Formal,
		Mannerisms:   []string{},
		Language:     "es",
		ActiveHours:  DefaultActiveHours,
		ReplyLatency: Normal,
		Timezone:     "Europe/Madrid",
		ActiveDays:   DefaultActiveDays,
	}
}

func encodeList(t *testing.T, entries ...any) []byte {
	t.Helper()
	data, err := json.Marshal(entries)
	if err != nil {
		t.Fatalf("encoding test entries: %v", err)
	}
	return data
}

func dropped(field, reason string) []Problem {
	return []Problem{{Index: 0, Field: field, Reason: reason, Dropped: true}}
}

// absent marks a field that the case removes from the base entry.
type absent struct{}

type ruleCase struct {
	name string
	// set overrides fields of the base entry. A nil value is written as
	// JSON null and an absent{} value removes the field.
	set map[string]any
	// want edits the expected persona. It is used only when no problem
	// drops the entry.
	want     func(p *Persona)
	problems []Problem
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			entry := baseEntry()
			for k, v := range tc.set {
				if _, ok := v.(absent); ok {
					delete(entry, k)
					continue
				}
				entry[k] = v
			}

			list, problems, err := Parse(encodeList(t, entry), testDefaults(t))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tc.problems, problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}

			var want List
			if !hasDropped(tc.problems) {
				p := basePersona()
				if tc.want != nil {
					tc.want(&p)
				}
				want = List{p}
			}
			if diff := cmp.Diff(want, list, ignoreParsed, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("list (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseName(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "missing", set: map[string]any{"name": absent{}}, problems: dropped("name", "is required")},
		{name: "null", set: map[string]any{"name": nil}, problems: dropped("name", "is required")},
		{name: "empty", set: map[string]any{"name": ""}, problems: dropped("name", `must not be blank (got "")`)},
		{name: "blank", set: map[string]any{"name": " \t "}, problems: dropped("name", `must not be blank (got " \t ")`)},
		{name: "line break", set: map[string]any{"name": "Evil\r\nBcc: x@evil.example"},
			problems: dropped("name", `must be one line without control characters (got "Evil\r\nBcc: x@evil.example")`)},
		{name: "number", set: map[string]any{"name": 7}, problems: dropped("name", "must be a string (got number)")},
		{
			name: "trimmed",
			set:  map[string]any{"name": "  Ana Ruiz  "},
		},
		{
			name: "128 characters",
			set:  map[string]any{"name": strings.Repeat("a", 128)},
			want: func(p *Persona) { p.Name = strings.Repeat("a", 128) },
		},
		{
			name:     "129 characters",
			set:      map[string]any{"name": strings.Repeat("a", 129)},
			problems: dropped("name", "must be at most 128 characters (got 129)"),
		},
		{
			name: "128 multi-byte characters",
			set:  map[string]any{"name": strings.Repeat("é", 128)},
			want: func(p *Persona) { p.Name = strings.Repeat("é", 128) },
		},
		{
			name:     "129 multi-byte characters",
			set:      map[string]any{"name": strings.Repeat("é", 129)},
			problems: dropped("name", "must be at most 128 characters (got 129)"),
		},
	})
}

func TestParseRole(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "missing", set: map[string]any{"role": absent{}}, problems: dropped("role", "is required")},
		{name: "blank", set: map[string]any{"role": "   "}, problems: dropped("role", `must not be blank (got "   ")`)},
		{name: "tab inside", set: map[string]any{"role": "IT\tLead"},
			problems: dropped("role", `must be one line without control characters (got "IT\tLead")`)},
		{name: "list", set: map[string]any{"role": []string{"CFO"}}, problems: dropped("role", "must be a string (got array)")},
		{
			name: "128 multi-byte characters",
			set:  map[string]any{"role": strings.Repeat("ñ", 128)},
			want: func(p *Persona) { p.Role = strings.Repeat("ñ", 128) },
		},
		{
			name:     "129 characters",
			set:      map[string]any{"role": strings.Repeat("r", 129)},
			problems: dropped("role", "must be at most 128 characters (got 129)"),
		},
	})
}

func TestParseEmail(t *testing.T) {
	longest := strings.Repeat("a", 255-len("@example.com")) + "@example.com"
	cases := []ruleCase{
		{name: "missing", set: map[string]any{"email": absent{}}, problems: dropped("email", "is required")},
		{name: "number", set: map[string]any{"email": 1}, problems: dropped("email", "must be a string (got number)")},
		{
			name:     "2 characters",
			set:      map[string]any{"email": "a@"},
			problems: dropped("email", "must be 3 to 255 characters (got 2)"),
		},
		{
			name:     "3 characters without dot",
			set:      map[string]any{"email": "a@b"},
			problems: dropped("email", `must look like local@domain with a dot in the domain (got "a@b")`),
		},
		{
			name: "255 characters",
			set:  map[string]any{"email": longest},
			want: func(p *Persona) { p.Email = longest },
		},
		{
			name:     "256 characters",
			set:      map[string]any{"email": "a" + longest},
			problems: dropped("email", "must be 3 to 255 characters (got 256)"),
		},
		{
			name: "shortest with dot",
			set:  map[string]any{"email": "a@b.c"},
			want: func(p *Persona) { p.Email = "a@b.c" },
		},
		{
			// Without SMTPUTF8 a header cannot carry it, so no message
			// from or to this persona could be written.
			name:     "non-ASCII local part",
			set:      map[string]any{"email": "josé@empresa.es"},
			problems: dropped("email", "local part must be ASCII letters, digits or !#$%&'*+-/=?^_`{|}~ separated by single dots (got \"josé@empresa.es\")"),
		},
		{
			name: "case kept",
			set:  map[string]any{"email": "Ana.Ruiz@Example.COM"},
			want: func(p *Persona) { p.Email = "Ana.Ruiz@Example.COM" },
		},
		{
			name:     "no at sign",
			set:      map[string]any{"email": "ana.example.com"},
			problems: dropped("email", `must contain exactly one @ (got "ana.example.com")`),
		},
		{
			name:     "two at signs",
			set:      map[string]any{"email": "ana@ruiz@example.com"},
			problems: dropped("email", `must contain exactly one @ (got "ana@ruiz@example.com")`),
		},
		{
			name:     "empty local part",
			set:      map[string]any{"email": "@example.com"},
			problems: dropped("email", `must look like local@domain with a dot in the domain (got "@example.com")`),
		},
		{
			name:     "empty domain",
			set:      map[string]any{"email": "ana@"},
			problems: dropped("email", `must look like local@domain with a dot in the domain (got "ana@")`),
		},
		{
			name:     "no dot in domain",
			set:      map[string]any{"email": "bob@localhost"},
			problems: dropped("email", `must look like local@domain with a dot in the domain (got "bob@localhost")`),
		},
		{
			name:     "only dot first",
			set:      map[string]any{"email": "bob@.com"},
			problems: dropped("email", `must look like local@domain with a dot in the domain (got "bob@.com")`),
		},
		{
			name:     "only dot last",
			set:      map[string]any{"email": "bob@com."},
			problems: dropped("email", `must look like local@domain with a dot in the domain (got "bob@com.")`),
		},
		{
			name:     "extra dot at start of domain",
			set:      map[string]any{"email": "bob@.mail.com"},
			problems: dropped("email", `domain must be ASCII letters, digits and hyphens separated by single dots (use punycode for international names) (got "bob@.mail.com")`),
		},
		{
			name:     "path in domain",
			set:      map[string]any{"email": "mallory@../../etc.com"},
			problems: dropped("email", `domain must be ASCII letters, digits and hyphens separated by single dots (use punycode for international names) (got "mallory@../../etc.com")`),
		},
		{
			name:     "quote in domain",
			set:      map[string]any{"email": "zoe@ex'ample.com"},
			problems: dropped("email", `domain must be ASCII letters, digits and hyphens separated by single dots (use punycode for international names) (got "zoe@ex'ample.com")`),
		},
		{
			name:     "double dot in local part",
			set:      map[string]any{"email": "ana..ruiz@example.com"},
			problems: dropped("email", "local part must be ASCII letters, digits or !#$%&'*+-/=?^_`{|}~ separated by single dots (got \"ana..ruiz@example.com\")"),
		},
		{
			name:     "space",
			set:      map[string]any{"email": "ana ruiz@example.com"},
			problems: dropped("email", `must not contain whitespace or control characters (got "ana ruiz@example.com")`),
		},
		{
			name:     "no-break space",
			set:      map[string]any{"email": "ana\u00a0ruiz@example.com"},
			problems: dropped("email", `must not contain whitespace or control characters (got "ana\u00a0ruiz@example.com")`),
		},
		{
			name:     "line feed",
			set:      map[string]any{"email": "ana@example.com\nBcc: x@example.com"},
			problems: dropped("email", `must not contain whitespace or control characters (got "ana@example.com\nBcc: x@example.com")`),
		},
		{
			name:     "delete character",
			set:      map[string]any{"email": "ana\x7f@example.com"},
			problems: dropped("email", `must not contain whitespace or control characters (got "ana\x7f@example.com")`),
		},
	}
	for _, special := range strings.Split(emailSpecials, "") {
		address := "ana" + special + "ruiz@example.com"
		cases = append(cases, ruleCase{
			name:     "special " + special,
			set:      map[string]any{"email": address},
			problems: dropped("email", fmt.Sprintf(`must not contain any of <>()[]\,;:" (got %q)`, address)),
		})
	}
	runRuleCases(t, cases)
}

func TestParseTone(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "missing", set: map[string]any{"tone": absent{}}},
		{name: "null", set: map[string]any{"tone": nil}},
		{name: "empty", set: map[string]any{"tone": ""}},
		{name: "direct", set: map[string]any{"tone": "direct"}, want: func(p *Persona) { p.Tone = Direct }},
		{name: "casual", set: map[string]any{"tone": "casual"}, want: func(p *Persona) { p.Tone = Casual }},
		{name: "uppercase", set: map[string]any{"tone": "TECHNICAL"}, want: func(p *Persona) { p.Tone = Technical }},
		{name: "mixed case", set: map[string]any{"tone": "Formal"}, want: func(p *Persona) { p.Tone = Formal }},
		{
			name:     "unknown",
			set:      map[string]any{"tone": "angry"},
			problems: dropped("tone", `must be one of formal, direct, casual, technical or custom (got "angry")`),
		},
		{name: "boolean", set: map[string]any{"tone": true}, problems: dropped("tone", "must be a string (got boolean)")},
	})
}

func TestParseToneCustom(t *testing.T) {
	voice := "short, dry sentences; signs off with a single initial"
	runRuleCases(t, []ruleCase{
		{
			name: "custom with description",
			set:  map[string]any{"tone": "Custom", "tone_custom": "  " + voice + " "},
			want: func(p *Persona) { p.Tone, p.ToneCustom = Custom, voice },
		},
		{
			name:     "custom without description",
			set:      map[string]any{"tone": "custom"},
			problems: dropped("tone_custom", `must describe the voice when tone is custom (got "")`),
		},
		{
			name:     "custom with blank description",
			set:      map[string]any{"tone": "custom", "tone_custom": "  "},
			problems: dropped("tone_custom", `must describe the voice when tone is custom (got "")`),
		},
		{
			name: "custom with 128 characters",
			set:  map[string]any{"tone": "custom", "tone_custom": strings.Repeat("ü", 128)},
			want: func(p *Persona) { p.Tone, p.ToneCustom = Custom, strings.Repeat("ü", 128) },
		},
		{
			name:     "custom with 129 characters",
			set:      map[string]any{"tone": "custom", "tone_custom": strings.Repeat("ü", 129)},
			problems: dropped("tone_custom", "must be at most 128 characters (got 129)"),
		},
		{
			name: "ignored with other tone",
			set:  map[string]any{"tone": "casual", "tone_custom": voice},
			want: func(p *Persona) { p.Tone = Casual },
		},
		{
			name:     "129 characters with other tone",
			set:      map[string]any{"tone": "casual", "tone_custom": strings.Repeat("x", 129)},
			problems: dropped("tone_custom", "must be at most 128 characters (got 129)"),
		},
		{
			name:     "number",
			set:      map[string]any{"tone_custom": 3},
			problems: dropped("tone_custom", "must be a string (got number)"),
		},
	})
}

func TestParseMannerisms(t *testing.T) {
	twelve := make([]any, 12)
	thirteen := make([]any, 13)
	wantTwelve := make([]string, 12)
	for i := range thirteen {
		thirteen[i] = fmt.Sprintf("habit %d", i)
		if i < 12 {
			twelve[i] = thirteen[i]
			wantTwelve[i] = thirteen[i].(string)
		}
	}
	runRuleCases(t, []ruleCase{
		{name: "missing", set: map[string]any{"mannerisms": absent{}}},
		{name: "null", set: map[string]any{"mannerisms": nil}},
		{
			name: "12 entries",
			set:  map[string]any{"mannerisms": twelve},
			want: func(p *Persona) { p.Mannerisms = wantTwelve },
		},
		{
			name:     "13 entries",
			set:      map[string]any{"mannerisms": thirteen},
			problems: dropped("mannerisms", "must have at most 12 entries (got 13)"),
		},
		{
			name: "blank entries left out",
			set:  map[string]any{"mannerisms": []any{"", "  ", "writes 'cheers' before the name"}},
			want: func(p *Persona) { p.Mannerisms = []string{"writes 'cheers' before the name"} },
		},
		{
			name:     "number entry",
			set:      map[string]any{"mannerisms": []any{"ok", 5}},
			problems: dropped("mannerisms", "entry 1 must be a string (got number)"),
		},
		{
			name:     "null entry",
			set:      map[string]any{"mannerisms": []any{nil}},
			problems: dropped("mannerisms", "entry 0 must be a string (got null)"),
		},
		{
			name:     "string",
			set:      map[string]any{"mannerisms": "uses bullet points"},
			problems: dropped("mannerisms", "must be a list of strings (got string)"),
		},
	})
}

func TestParseLanguage(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "missing uses default", set: map[string]any{"language": absent{}}},
		{name: "empty uses default", set: map[string]any{"language": ""}},
		{name: "lowercase", set: map[string]any{"language": "pt"}, want: func(p *Persona) { p.Language = "pt" }},
		{name: "uppercase", set: map[string]any{"language": "DE"}, want: func(p *Persona) { p.Language = "de" }},
		{name: "region", set: map[string]any{"language": "pt-BR"}, want: func(p *Persona) { p.Language = "pt" }},
		{name: "underscore region", set: map[string]any{"language": "fr_CA"}, want: func(p *Persona) { p.Language = "fr" }},
		{name: "numeric region", set: map[string]any{"language": "es-419"}, want: func(p *Persona) { p.Language = "es" }},
		{name: "8 characters", set: map[string]any{"language": "pt-BR-ao"}, want: func(p *Persona) { p.Language = "pt" }},
		{
			name:     "9 characters",
			set:      map[string]any{"language": "pt-BR-abc"},
			problems: dropped("language", "must be at most 8 characters (got 9)"),
		},
		{
			name:     "three letters",
			set:      map[string]any{"language": "eng"},
			problems: dropped("language", `must be an ISO 639-1 code such as "es" or "pt-BR" (got "eng")`),
		},
		{
			name:     "digit",
			set:      map[string]any{"language": "e1"},
			problems: dropped("language", `must be an ISO 639-1 code such as "es" or "pt-BR" (got "e1")`),
		},
		{
			name:     "empty subtag",
			set:      map[string]any{"language": "pt-"},
			problems: dropped("language", `must be an ISO 639-1 code such as "es" or "pt-BR" (got "pt-")`),
		},
		{
			name:     "name of language",
			set:      map[string]any{"language": "Spanish"},
			problems: dropped("language", `must be an ISO 639-1 code such as "es" or "pt-BR" (got "Spanish")`),
		},
		{name: "number", set: map[string]any{"language": 5}, problems: dropped("language", "must be a string (got number)")},
	})
}

func TestParseSignature(t *testing.T) {
	signature := "Ana Ruiz\nFinance Manager | Example Corp\n+34 600 000 000"
	runRuleCases(t, []ruleCase{
		{name: "missing", set: map[string]any{"signature": absent{}}},
		{name: "blank", set: map[string]any{"signature": " \n "}},
		{
			name: "kept verbatim",
			set:  map[string]any{"signature": signature + "\n"},
			want: func(p *Persona) { p.Signature = signature + "\n" },
		},
		{
			name: "512 characters",
			set:  map[string]any{"signature": strings.Repeat("ß", 512)},
			want: func(p *Persona) { p.Signature = strings.Repeat("ß", 512) },
		},
		{
			name:     "513 characters",
			set:      map[string]any{"signature": strings.Repeat("ß", 513)},
			problems: dropped("signature", "must be at most 512 characters (got 513)"),
		},
		{name: "object", set: map[string]any{"signature": map[string]any{}}, problems: dropped("signature", "must be a string (got object)")},
	})
}

func TestParseActiveHours(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "missing", set: map[string]any{"active_hours": absent{}}},
		{name: "empty", set: map[string]any{"active_hours": ""}},
		{
			name: "overnight",
			set:  map[string]any{"active_hours": "22:00-06:00"},
			want: func(p *Persona) { p.ActiveHours = "22:00-06:00" },
		},
		{
			name:     "33 characters",
			set:      map[string]any{"active_hours": "09:00-18:00" + strings.Repeat(" ", 22)},
			problems: dropped("active_hours", "must be at most 32 characters (got 33)"),
		},
		{name: "number", set: map[string]any{"active_hours": 9}, problems: dropped("active_hours", "must be a string (got number)")},
	})
}

func TestParseActiveDays(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "missing", set: map[string]any{"active_days": absent{}}},
		{name: "null", set: map[string]any{"active_days": nil}},
		{
			name: "range",
			set:  map[string]any{"active_days": "sun-thu"},
			want: func(p *Persona) { p.ActiveDays = "sun-thu" },
		},
		{
			name: "list",
			set:  map[string]any{"active_days": "mon,wed,fri"},
			want: func(p *Persona) { p.ActiveDays = "mon,wed,fri" },
		},
		{name: "list type", set: map[string]any{"active_days": []string{"mon"}}, problems: dropped("active_days", "must be a string (got array)")},
	})
}

func TestParseReplyLatency(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "missing", set: map[string]any{"reply_latency": absent{}}},
		{name: "fast", set: map[string]any{"reply_latency": "fast"}, want: func(p *Persona) { p.ReplyLatency = Fast }},
		{name: "uppercase", set: map[string]any{"reply_latency": "SLOW"}, want: func(p *Persona) { p.ReplyLatency = Slow }},
		{name: "normal", set: map[string]any{"reply_latency": "Normal"}, want: func(p *Persona) { p.ReplyLatency = Normal }},
		{
			name:     "unknown",
			set:      map[string]any{"reply_latency": "never"},
			problems: dropped("reply_latency", `must be one of fast, normal or slow (got "never")`),
		},
		{name: "number", set: map[string]any{"reply_latency": 30}, problems: dropped("reply_latency", "must be a string (got number)")},
	})
}

func TestParseUsesLLMsHeavily(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "missing", set: map[string]any{"uses_llms_heavily": absent{}}},
		{name: "null", set: map[string]any{"uses_llms_heavily": nil}},
		{name: "true", set: map[string]any{"uses_llms_heavily": true}, want: func(p *Persona) { p.UsesLLMsHeavily = true }},
		{name: "false", set: map[string]any{"uses_llms_heavily": false}},
		{
			name:     "string",
			set:      map[string]any{"uses_llms_heavily": "true"},
			problems: dropped("uses_llms_heavily", "must be true or false (got string)"),
		},
	})
}

func TestParseTimezone(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "missing uses default", set: map[string]any{"timezone": absent{}}},
		{name: "empty uses default", set: map[string]any{"timezone": ""}},
		{
			name: "IANA name",
			set:  map[string]any{"timezone": "America/Sao_Paulo"},
			want: func(p *Persona) { p.Timezone = "America/Sao_Paulo" },
		},
		{
			name: "UTC",
			set:  map[string]any{"timezone": "UTC"},
			want: func(p *Persona) { p.Timezone = "UTC" },
		},
		{
			name:     "unknown",
			set:      map[string]any{"timezone": "Mars/Olympus_Mons"},
			problems: dropped("timezone", `must be an IANA time zone name such as "Europe/Madrid" (got "Mars/Olympus_Mons")`),
		},
		{
			name:     "path",
			set:      map[string]any{"timezone": "../../etc/passwd"},
			problems: dropped("timezone", `must be an IANA time zone name such as "Europe/Madrid" (got "../../etc/passwd")`),
		},
		{name: "offset number", set: map[string]any{"timezone": -3}, problems: dropped("timezone", "must be a string (got number)")},
	})
}

func TestParseTimezoneLocation(t *testing.T) {
	entry := baseEntry()
	entry["timezone"] = "Asia/Tokyo"
	list, _, err := Parse(encodeList(t, entry, baseEntry()), testDefaults(t))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	// Both entries share an address, so only the first loads.
	if len(list) != 1 {
		t.Fatalf("got %d personas, want 1", len(list))
	}
	if got := list[0].Location.String(); got != "Asia/Tokyo" {
		t.Errorf("Location = %q, want Asia/Tokyo", got)
	}
	if got := list[0].Schedule.Location().String(); got != "Asia/Tokyo" {
		t.Errorf("Schedule.Location() = %q, want Asia/Tokyo", got)
	}
}

func TestParseUnknownFields(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "extra fields ignored",
			set: map[string]any{
				"department": "Finance",
				"avatar":     map[string]any{"url": "x"},
				"id":         42,
			},
			problems: []Problem{
				unknownField("avatar", "remove it or correct its name"),
				unknownField("department", "remove it or correct its name"),
				unknownField("id", "remove it or correct its name"),
			},
		},
		{
			// DECNET's schema is case-sensitive, so "Tone" is an unknown
			// field rather than the tone.
			name:     "keys are case-sensitive",
			set:      map[string]any{"Tone": "not a tone"},
			problems: []Problem{unknownField("Tone", `did you mean "tone"?`)},
		},
		{
			// The misspelled fields are ignored, so the defaults apply.
			name: "misspelled schedule",
			set: map[string]any{
				"time_zone":   "Asia/Tokyo",
				"active_hour": "22:00-06:00",
			},
			problems: []Problem{
				unknownField("active_hour", `did you mean "active_hours"?`),
				unknownField("time_zone", `did you mean "timezone"?`),
			},
		},
		{
			name: "misspelled required field",
			set:  map[string]any{"name": absent{}, "Name": "Ana Ruiz"},
			problems: []Problem{
				unknownField("Name", `did you mean "name"?`),
				{Index: 0, Field: "name", Reason: "is required", Dropped: true},
			},
		},
		{
			name:     "null value",
			set:      map[string]any{"signatur": nil},
			problems: []Problem{unknownField("signatur", `did you mean "signature"?`)},
		},
	})
}

func unknownField(key, advice string) Problem {
	return Problem{Index: 0, Field: key, Reason: "unknown field, ignored; " + advice}
}

func TestClosestField(t *testing.T) {
	tests := []struct {
		key  string
		want string
	}{
		{key: "active_hour", want: "active_hours"},
		{key: "activehours", want: "active_hours"},
		{key: "Active-Hours", want: "active_hours"},
		{key: "active hours", want: "active_hours"},
		{key: "time_zone", want: "timezone"},
		{key: "TimeZone", want: "timezone"},
		{key: "tone_costum", want: "tone_custom"},
		{key: "manerisms", want: "mannerisms"},
		{key: "reply_latnecy", want: "reply_latency"},
		{key: "uses_llm_heavily", want: "uses_llms_heavily"},
		{key: "acitve_days", want: "active_days"},
		{key: "EMAIL", want: "email"},
		{key: "e-mail", want: "email"},
		// Too short for an edit to be an obvious typo.
		{key: "zone", want: ""},
		{key: "mail", want: ""},
		{key: "nmae", want: ""},
		// Too far from every field.
		{key: "department", want: ""},
		{key: "lang", want: ""},
		{key: "active", want: ""},
		{key: "", want: ""},
		{key: strings.Repeat("x", 10000), want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			if got := closestField(tc.key); got != tc.want {
				t.Errorf("closestField(%q) = %q, want %q", tc.key, got, tc.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{a: "", b: "", want: 0},
		{a: "", b: "tone", want: 4},
		{a: "tone", b: "tone", want: 0},
		{a: "tone", b: "zone", want: 1},
		{a: "active_hour", b: "active_hours", want: 1},
		{a: "nmae", b: "name", want: 1},
		{a: "ca", b: "abc", want: 3},
		{a: "é", b: "e", want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.a+" "+tc.b, func(t *testing.T) {
			if got := editDistance(tc.a, tc.b); got != tc.want {
				t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
			if got := editDistance(tc.b, tc.a); got != tc.want {
				t.Errorf("editDistance(%q, %q) = %d, want %d", tc.b, tc.a, got, tc.want)
			}
		})
	}
}

// TestKnownFieldsMatchPersona keeps knownFields in step with the JSON
// fields of Persona, so that a new field is never reported as unknown.
func TestKnownFieldsMatchPersona(t *testing.T) {
	var tags []string
	typ := reflect.TypeFor[Persona]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			tags = append(tags, name)
		}
	}
	if diff := cmp.Diff(tags, knownFields); diff != "" {
		t.Errorf("knownFields (-Persona json tags +knownFields):\n%s", diff)
	}
}

// TestCanonicalDropsUnknownFields checks that a file written by
// MarshalCanonical carries no unknown field, so it loads without warnings.
func TestCanonicalDropsUnknownFields(t *testing.T) {
	entry := baseEntry()
	entry["active_hour"] = "22:00-06:00"
	list, _, err := Parse(encodeList(t, entry), testDefaults(t))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	data, err := list.MarshalCanonical()
	if err != nil {
		t.Fatalf("MarshalCanonical: %v", err)
	}
	if strings.Contains(string(data), "active_hour\"") {
		t.Errorf("canonical form keeps the unknown field:\n%s", data)
	}
	if _, problems, err := Parse(data, testDefaults(t)); err != nil || len(problems) != 0 {
		t.Errorf("Parse of canonical form = %v, %v, want no problems:\n%s", problems, err, data)
	}
}

func TestParseEntryNotObject(t *testing.T) {
	tests := []struct {
		name  string
		entry string
		kind  string
	}{
		{name: "string", entry: `"Ana Ruiz"`, kind: "string"},
		{name: "array", entry: `["Ana Ruiz"]`, kind: "array"},
		{name: "null", entry: `null`, kind: "null"},
		{name: "number", entry: `12`, kind: "number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte("[" + tc.entry + "]")
			list, problems, err := Parse(data, testDefaults(t))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := []Problem{{Index: 0, Reason: "must be a JSON object (got " + tc.kind + ")", Dropped: true}}
			if diff := cmp.Diff(want, problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if len(list) != 0 {
				t.Errorf("got %d personas, want 0", len(list))
			}
		})
	}
}
