package persona

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRejectsInvalidUTF8(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{
			name: "latin-1 name",
			data: `[{"name": "Ana", "email": "ana@example.com", "role": "Ops"},` +
				` {"name": "Jos` + "\xe9" + `", "email": "jose@example.com", "role": "Ops"}]`,
			want: `invalid byte 0xe9 at byte 74 (persona 1, field "name")`,
		},
		{
			name: "after byte order mark",
			data: "\xef\xbb\xbf" + `[{"name": "Ana", "email": "ana@example.com", "role": "Ops` + "\xff" + `"}]`,
			want: `invalid byte 0xff at byte 60 (persona 0, field "role")`,
		},
		{
			name: "in a key",
			data: `[{"name": "Ana", "email": "ana@example.com", "role": "Ops", "n` + "\x80" + `": 1}]`,
			// The decoder replaces invalid bytes in keys, so the key
			// cannot be named.
			want: "invalid byte 0x80 at byte 62 (persona 0); save",
		},
		{
			name: "entry not an object",
			data: `["` + "\xc3" + `"]`,
			want: "invalid byte 0xc3 at byte 2 (persona 0); save",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, _, err := Parse([]byte(tt.data), Defaults{})
			if !errors.Is(err, ErrNotUTF8) {
				t.Fatalf("Parse error = %v, want ErrNotUTF8", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "save the file with UTF-8 encoding") {
				t.Errorf("error = %q, want it to say how to fix the file", err)
			}
			if list != nil {
				t.Errorf("list = %v, want nothing loaded", list)
			}
		})
	}
}

func TestParseValidUTF8Loads(t *testing.T) {
	data := `[{"name": "José Müller 李", "email": "jose@example.com", "role": "Ops"}]`
	list, problems, err := Parse([]byte(data), Defaults{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(problems) != 0 {
		t.Errorf("problems = %v, want none", problems)
	}
	if len(list) != 1 || list[0].Name != "José Müller 李" {
		t.Errorf("list = %v, want the name unchanged", list)
	}
}

func TestParseInvisibleName(t *testing.T) {
	const invisible = "must contain a visible character, not only zero-width or bidi characters"
	const bidi = "must not contain bidi embedding, override or isolate controls U+202A to U+202E or U+2066 to U+2069, which reorder the text a reader sees"
	runRuleCases(t, []ruleCase{
		{name: "zero-width space", set: map[string]any{"name": "\u200b"},
			problems: dropped("name", invisible+` (got "\u200b")`)},
		{name: "joiners and spaces", set: map[string]any{"name": " \u200d\u200c\ufeff "},
			problems: dropped("name", invisible+` (got " \u200d\u200c\ufeff ")`)},
		{name: "only right-to-left mark", set: map[string]any{"name": "\u200f"},
			problems: dropped("name", invisible+` (got "\u200f")`)},
		{name: "right-to-left override", set: map[string]any{"name": "Ana\u202egpj.exe"},
			problems: dropped("name", bidi+` (got "Ana\u202egpj.exe")`)},
		{name: "isolate", set: map[string]any{"name": "\u2067Ana\u2069"},
			problems: dropped("name", bidi+` (got "\u2067Ana\u2069")`)},
		{name: "override in role", set: map[string]any{"role": "Ops\u202d"},
			problems: dropped("role", bidi+` (got "Ops\u202d")`)},
		{
			// A zero-width joiner inside an emoji sequence or a script is
			// ordinary text.
			name: "joiner between letters",
			set:  map[string]any{"name": "Ana\u200dRuiz"},
			want: func(p *Persona) { p.Name = "Ana\u200dRuiz" },
		},
	})
}

func TestParseEmailDomainTooLongForFileName(t *testing.T) {
	// A message file name is a 36-byte UUID, "_at_", the domain and
	// ".eml", and the driver accepts at most 250 bytes.
	domain := func(n int) string {
		labels := strings.Repeat("abcdefghi.", n/10+1)
		return labels[:n-4] + ".com"
	}
	runRuleCases(t, []ruleCase{
		{
			name: "206-byte domain",
			set:  map[string]any{"email": "a@" + domain(206)},
			want: func(p *Persona) { p.Email = "a@" + domain(206) },
		},
		{
			name:     "207-byte domain",
			set:      map[string]any{"email": "a@" + domain(207)},
			problems: dropped("email", "domain must be at most 206 bytes (got 207), because each message is stored in a file named <uuid>_at_<domain>.eml of at most 250 bytes"),
		},
		{
			name:     "uppercase 207-byte domain",
			set:      map[string]any{"email": "a@" + strings.ToUpper(domain(207))},
			problems: dropped("email", "domain must be at most 206 bytes (got 207), because each message is stored in a file named <uuid>_at_<domain>.eml of at most 250 bytes"),
		},
	})
}
