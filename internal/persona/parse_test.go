package persona

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// webUIFile is shaped like a file saved by DECNET's web UI: every field is
// written, unused optional fields are empty strings, and tone_custom is
// present on every entry.
const webUIFile = `[
  {
    "name": "María José Fernández",
    "email": "mj.fernandez@acme-logistics.es",
    "role": "Directora Financiera",
    "tone": "formal",
    "tone_custom": "",
    "mannerisms": ["starts with 'Buenos días'", "numbers every point"],
    "language": "es",
    "signature": "María José Fernández\nDirectora Financiera\nAcme Logistics S.L.",
    "active_hours": "08:30-17:30",
    "reply_latency": "slow",
    "uses_llms_heavily": false
  },
  {
    "name": "Tom Becker",
    "email": "t.becker@acme-logistics.es",
    "role": "IT Administrator",
    "tone": "custom",
    "tone_custom": "terse, lowercase, never greets, ends with -tb",
    "mannerisms": [],
    "language": "de",
    "signature": "",
    "active_hours": "22:00-06:00",
    "reply_latency": "fast",
    "uses_llms_heavily": true
  },
  {
    "name": "Priya Nair",
    "email": "priya.nair@acme-logistics.es",
    "role": "Procurement Lead",
    "tone": "Casual",
    "tone_custom": "",
    "mannerisms": ["uses :) a lot"],
    "language": "en",
    "signature": "",
    "active_hours": "",
    "reply_latency": "normal",
    "uses_llms_heavily": false
  }
]`

func TestParseWebUIFile(t *testing.T) {
	list, problems, err := Parse([]byte(webUIFile), testDefaults(t))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(problems) != 0 {
		t.Errorf("problems = %v, want none", problems)
	}

	want := List{
		{
			Name:         "María José Fernández",
			Email:        "mj.fernandez@acme-logistics.es",
			Role:         "Directora Financiera",
			Tone:         Formal,
			Mannerisms:   []string{"starts with 'Buenos días'", "numbers every point"},
			Language:     "es",
			Signature:    "María José Fernández\nDirectora Financiera\nAcme Logistics S.L.",
			ActiveHours:  "08:30-17:30",
			ReplyLatency: Slow,
			Timezone:     "Europe/Madrid",
			ActiveDays:   DefaultActiveDays,
		},
		{
			Name:            "Tom Becker",
			Email:           "t.becker@acme-logistics.es",
			Role:            "IT Administrator",
			Tone:            Custom,
			ToneCustom:      "terse, lowercase, never greets, ends with -tb",
			Mannerisms:      []string{},
			Language:        "de",
			ActiveHours:     "22:00-06:00",
			ReplyLatency:    Fast,
			UsesLLMsHeavily: true,
			Timezone:        "Europe/Madrid",
			ActiveDays:      DefaultActiveDays,
		},
		{
			Name:         "Priya Nair",
			Email:        "priya.nair@acme-logistics.es",
			Role:         "Procurement Lead",
			Tone:         Casual,
			Mannerisms:   []string{"uses :) a lot"},
			Language:     "en",
			ActiveHours:  DefaultActiveHours,
			ReplyLatency: Normal,
			Timezone:     "Europe/Madrid",
			ActiveDays:   DefaultActiveDays,
		},
	}
	if diff := cmp.Diff(want, list, ignoreParsed); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
}

func TestParseDefaults(t *testing.T) {
	data := []byte(`[{"name": "Ana Ruiz", "email": "ana@example.com", "role": "CFO",
		"tone": null, "language": null, "timezone": null, "reply_latency": null}]`)
	tests := []struct {
		name string
		def  Defaults
		want Persona
	}{
		{
			name: "zero defaults",
			def:  Defaults{},
			want: Persona{Language: "en", Timezone: "UTC"},
		},
		{
			name: "source defaults",
			def:  testDefaults(t),
			want: Persona{Language: "es", Timezone: "Europe/Madrid"},
		},
		{
			name: "region in default language",
			def:  Defaults{Language: "PT-br", Location: time.UTC},
			want: Persona{Language: "pt", Timezone: "UTC"},
		},
		{
			name: "invalid default language",
			def:  Defaults{Language: "Spanish", Location: time.UTC},
			want: Persona{Language: "en", Timezone: "UTC"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, problems, err := Parse(data, tc.def)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(problems) != 0 {
				t.Errorf("problems = %v, want none", problems)
			}
			if len(list) != 1 {
				t.Fatalf("got %d personas, want 1", len(list))
			}

			want := tc.want
			want.Name, want.Email, want.Role = "Ana Ruiz", "ana@example.com", "CFO"
			want.Tone, want.ReplyLatency = Formal, Normal
			want.Mannerisms = []string{}
			want.ActiveHours, want.ActiveDays = "09:00-18:00", "mon-fri"
			if diff := cmp.Diff(want, list[0], ignoreParsed); diff != "" {
				t.Errorf("persona (-want +got):\n%s", diff)
			}
			if got := list[0].Location.String(); got != want.Timezone {
				t.Errorf("Location = %q, want %q", got, want.Timezone)
			}
		})
	}
}

func TestParseDuplicateEmails(t *testing.T) {
	data := []byte(`[
		{"name": "Ana Ruiz", "email": "ana@example.com", "role": "CFO"},
		{"name": "Luis Gil", "email": "luis@example.com", "role": "CTO"},
		{"name": "Ana Ruiz Copy", "email": "ANA@Example.com", "role": "CFO"},
		{"name": "Bad", "email": "ana@example.com", "role": ""},
		{"name": "Luis Again", "email": "luis@example.com", "role": "COO"}
	]`)
	list, problems, err := Parse(data, testDefaults(t))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}

	wantProblems := []Problem{
		{Index: 2, Field: "email", Reason: `duplicates the address of persona 0 (got "ANA@Example.com")`, Dropped: true},
		// An entry dropped for another reason does not also count as a
		// duplicate.
		{Index: 3, Field: "role", Reason: `must not be blank (got "")`, Dropped: true},
		{Index: 4, Field: "email", Reason: `duplicates the address of persona 1 (got "luis@example.com")`, Dropped: true},
	}
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}

	var names []string
	for _, p := range list {
		names = append(names, p.Name)
	}
	if diff := cmp.Diff([]string{"Ana Ruiz", "Luis Gil"}, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func TestParseNotList(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		wantErr string
	}{
		{name: "object", data: `{"personas": []}`, wantErr: "persona list must be a JSON array (got object)"},
		{name: "string", data: `"ana@example.com"`, wantErr: "persona list must be a JSON array (got string)"},
		{name: "number", data: ` 42 `, wantErr: "persona list must be a JSON array (got number)"},
		{name: "null", data: `null`, wantErr: "persona list must be a JSON array (got null)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, problems, err := Parse([]byte(tc.data), testDefaults(t))
			if !errors.Is(err, ErrNotList) {
				t.Fatalf("Parse error = %v, want ErrNotList", err)
			}
			if err.Error() != tc.wantErr {
				t.Errorf("Parse error = %q, want %q", err, tc.wantErr)
			}
			if list != nil || problems != nil {
				t.Errorf("Parse = %v, %v, want nil list and problems", list, problems)
			}
		})
	}
}

func TestParseSyntaxError(t *testing.T) {
	tests := []struct {
		name       string
		data       string
		wantOffset int64
	}{
		{name: "empty", data: ``, wantOffset: 0},
		{name: "missing value", data: `[{"name": }]`, wantOffset: 11},
		{name: "trailing comma", data: `[{"name": "a"},]`, wantOffset: 16},
		{name: "truncated", data: `[{"name": "a"`, wantOffset: 13},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse([]byte(tc.data), testDefaults(t))
			var syntaxErr *json.SyntaxError
			if !errors.As(err, &syntaxErr) {
				t.Fatalf("Parse error = %v, want a *json.SyntaxError", err)
			}
			if syntaxErr.Offset != tc.wantOffset {
				t.Errorf("Offset = %d, want %d", syntaxErr.Offset, tc.wantOffset)
			}
			if errors.Is(err, ErrNotList) {
				t.Errorf("Parse error %v wraps ErrNotList, want only the syntax error", err)
			}
			if !strings.Contains(err.Error(), "at byte") {
				t.Errorf("Parse error %q does not name the byte offset", err)
			}
		})
	}
}

func TestParseEmptyList(t *testing.T) {
	list, problems, err := Parse([]byte(" [ ] "), testDefaults(t))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if list == nil || len(list) != 0 {
		t.Errorf("list = %#v, want an empty non-nil list", list)
	}
	if problems != nil {
		t.Errorf("problems = %v, want none", problems)
	}
}

func TestParseProblemsNameEntry(t *testing.T) {
	data := []byte(`[
		{"name": "Ana Ruiz", "email": "ana@example.com", "role": "CFO"},
		{"name": "", "email": "bob@localhost", "role": "Clerk", "tone": "grumpy"},
		"not an entry",
		{"name": "Eva Sanz", "email": "eva@example.com", "role": "HR", "timezone": "Nowhere/City"},
		{"name": "Luis Gil", "email": "luis@example.com", "role": "CTO"}
	]`)
	list, problems, err := Parse(data, testDefaults(t))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}

	want := []string{
		`persona 1: field "name": must not be blank (got "")`,
		`persona 1: field "email": must look like local@domain with a dot in the domain (got "bob@localhost")`,
		`persona 1: field "tone": must be one of formal, direct, casual, technical or custom (got "grumpy")`,
		`persona 2: must be a JSON object (got string)`,
		`persona 3: field "timezone": must be an IANA time zone name such as "Europe/Madrid" (got "Nowhere/City")`,
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
		if !p.Dropped {
			t.Errorf("problem %q has Dropped false, want true", p)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if len(list) != 2 {
		t.Errorf("got %d personas, want 2", len(list))
	}
}

func TestParseScheduleWarnings(t *testing.T) {
	tests := []struct {
		name       string
		hours      string
		days       string
		wantFields []string
	}{
		{name: "hours", hours: "9am-5pm", days: "mon-fri", wantFields: []string{"active_hours"}},
		{name: "days", hours: "09:00-17:00", days: "weekdays", wantFields: []string{"active_days"}},
		{name: "both", hours: "all day", days: "weekdays", wantFields: []string{"active_hours", "active_days"}},
		{name: "32 characters", hours: strings.Repeat("9", 32), days: "mon-fri", wantFields: []string{"active_hours"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entry := baseEntry()
			entry["active_hours"] = tc.hours
			entry["active_days"] = tc.days
			list, problems, err := Parse(encodeList(t, entry), testDefaults(t))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(list) != 1 {
				t.Fatalf("got %d personas, want the entry kept", len(list))
			}

			var fields []string
			for _, p := range problems {
				fields = append(fields, p.Field)
				if p.Dropped {
					t.Errorf("problem %q has Dropped true, want a warning", p)
				}
				if p.Index != 0 {
					t.Errorf("problem %q has Index %d, want 0", p, p.Index)
				}
				if !strings.Contains(p.Reason, "always active") {
					t.Errorf("problem reason %q does not say the persona is always active", p.Reason)
				}
			}
			if diff := cmp.Diff(tc.wantFields, fields); diff != "" {
				t.Errorf("problem fields (-want +got):\n%s", diff)
			}

			// The fields show the schedule in force, so a canonical file
			// carries no value that the daemon ignores.
			if list[0].ActiveHours != "00:00-00:00" {
				t.Errorf("ActiveHours = %q, want 00:00-00:00 for always active", list[0].ActiveHours)
			}
			if list[0].ActiveDays != "mon-sun" {
				t.Errorf("ActiveDays = %q, want mon-sun for always active", list[0].ActiveDays)
			}
			// A Sunday at 03:00 is outside any ordinary working window.
			sunday := time.Date(2025, time.March, 2, 3, 0, 0, 0, list[0].Location)
			if !list[0].ActiveAt(sunday) {
				t.Errorf("ActiveAt(%v) = false, want always active", sunday)
			}
		})
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		name    string
		problem Problem
		want    string
	}{
		{
			name:    "field",
			problem: Problem{Index: 3, Field: "email", Reason: `must look like local@domain with a dot in the domain (got "bob@localhost")`, Dropped: true},
			want:    `persona 3: field "email": must look like local@domain with a dot in the domain (got "bob@localhost")`,
		},
		{
			name:    "whole entry",
			problem: Problem{Index: 0, Reason: "must be a JSON object (got array)", Dropped: true},
			want:    "persona 0: must be a JSON object (got array)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.problem.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseBadEntryKeepsOthers(t *testing.T) {
	// One bad entry between good ones must not change how the good ones
	// load.
	good := encodeList(t, baseEntry())
	entry := baseEntry()
	entry["email"] = "luis@example.com"
	mixed := encodeList(t, baseEntry(), map[string]any{"name": 5}, entry)

	goodList, _, err := Parse(good, testDefaults(t))
	if err != nil {
		t.Fatalf("Parse good: %v", err)
	}
	mixedList, _, err := Parse(mixed, testDefaults(t))
	if err != nil {
		t.Fatalf("Parse mixed: %v", err)
	}
	if len(mixedList) != 2 {
		t.Fatalf("got %d personas, want 2", len(mixedList))
	}
	if diff := cmp.Diff(goodList[0], mixedList[0], ignoreParsed, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("first persona (-good +mixed):\n%s", diff)
	}
}
