package persona

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mustParse(t *testing.T, data string, def Defaults) List {
	t.Helper()
	list, problems, err := Parse([]byte(data), def)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(problems) != 0 {
		t.Fatalf("Parse problems: %v", problems)
	}
	return list
}

func TestPersonaDomain(t *testing.T) {
	tests := []struct {
		email string
		want  string
	}{
		{email: "ana@example.com", want: "example.com"},
		{email: "a.b@mail.Example.CO.UK", want: "mail.Example.CO.UK"},
		{email: "josé@empresa.es", want: "empresa.es"},
	}
	for _, tc := range tests {
		t.Run(tc.email, func(t *testing.T) {
			if got := (Persona{Email: tc.email}).Domain(); got != tc.want {
				t.Errorf("Domain() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestListByEmail(t *testing.T) {
	list := mustParse(t, `[
		{"name": "Ana Ruiz", "email": "Ana.Ruiz@example.com", "role": "CFO"},
		{"name": "Luis Gil", "email": "luis@example.com", "role": "CTO"}
	]`, testDefaults(t))

	tests := []struct {
		name     string
		email    string
		wantName string
		wantOK   bool
	}{
		{name: "exact", email: "luis@example.com", wantName: "Luis Gil", wantOK: true},
		{name: "other case", email: "ana.ruiz@EXAMPLE.com", wantName: "Ana Ruiz", wantOK: true},
		{name: "unknown", email: "eva@example.com", wantOK: false},
		{name: "empty", email: "", wantOK: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := list.ByEmail(tc.email)
			if ok != tc.wantOK {
				t.Fatalf("ByEmail(%q) ok = %v, want %v", tc.email, ok, tc.wantOK)
			}
			if p.Name != tc.wantName {
				t.Errorf("ByEmail(%q) name = %q, want %q", tc.email, p.Name, tc.wantName)
			}
		})
	}
}

func TestListActiveAt(t *testing.T) {
	list := mustParse(t, `[
		{"name": "Ana Ruiz", "email": "ana@example.com", "role": "CFO"},
		{"name": "Ken Sato", "email": "ken@example.com", "role": "Sales", "timezone": "Asia/Tokyo"},
		{"name": "Nadia Haddad", "email": "nadia@example.com", "role": "Ops",
		 "active_hours": "22:00-06:00", "active_days": "sun-thu"}
	]`, testDefaults(t))

	tests := []struct {
		name string
		at   time.Time
		want []string
	}{
		{
			// 10:00 in Madrid is 18:00 in Tokyo, where Ken has just left.
			name: "Madrid morning",
			at:   time.Date(2025, time.March, 4, 10, 0, 0, 0, list[0].Location),
			want: []string{"ana@example.com"},
		},
		{
			name: "Tokyo morning",
			at:   time.Date(2025, time.March, 4, 9, 30, 0, 0, list[1].Location),
			want: []string{"ken@example.com", "nadia@example.com"},
		},
		{
			name: "Saturday noon",
			at:   time.Date(2025, time.March, 8, 12, 0, 0, 0, list[0].Location),
			want: nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range list.ActiveAt(tc.at) {
				got = append(got, p.Email)
				if !p.ActiveAt(tc.at) {
					t.Errorf("%s.ActiveAt(%v) = false for a persona in List.ActiveAt", p.Email, tc.at)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("active emails (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarshalCanonical(t *testing.T) {
	list := mustParse(t, `[
		{"name": " Ana Ruiz ", "email": "ana@example.com", "role": "CFO",
		 "tone": "CUSTOM", "tone_custom": "curt <but> kind & brief", "language": "es-MX"}
	]`, testDefaults(t))

	got, err := list.MarshalCanonical()
	if err != nil {
		t.Fatalf("MarshalCanonical: %v", err)
	}
	want := `[
  {
    "name": "Ana Ruiz",
    "email": "ana@example.com",
    "role": "CFO",
    "tone": "custom",
    "tone_custom": "curt <but> kind & brief",
    "mannerisms": [],
    "language": "es",
    "active_hours": "09:00-18:00",
    "reply_latency": "normal",
    "uses_llms_heavily": false,
    "timezone": "Europe/Madrid",
    "active_days": "mon-fri"
  }
]
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("MarshalCanonical (-want +got):\n%s", diff)
	}

	// Another zone as the default must not change the reloaded persona,
	// because every default was written out.
	reloaded := mustParse(t, string(got), Defaults{Language: "de", Location: time.UTC})
	if diff := cmp.Diff(list, reloaded, ignoreParsed); diff != "" {
		t.Errorf("reloaded list (-want +got):\n%s", diff)
	}
}

func TestMarshalCanonicalEmpty(t *testing.T) {
	tests := []struct {
		name string
		list List
	}{
		{name: "nil", list: nil},
		{name: "empty", list: List{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.list.MarshalCanonical()
			if err != nil {
				t.Fatalf("MarshalCanonical: %v", err)
			}
			if strings.TrimSpace(string(got)) != "[]" {
				t.Errorf("MarshalCanonical = %q, want []", got)
			}
		})
	}
}
