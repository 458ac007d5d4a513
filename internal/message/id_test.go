package message

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func seeded(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

func TestIDDomain(t *testing.T) {
	tests := []struct {
		name  string
		email string
		want  string
	}{
		{"plain", "ana@example.com", "example.com"},
		{"upper case", "Ana@Example.COM", "example.com"},
		{"subdomain", "ana@mail.corp.example.com", "mail.corp.example.com"},
		{"hyphen", "ana@acme-corp.example", "acme-corp.example"},
		{"last at wins", `"a@b"@example.com`, "example.com"},
		{"no at", "example.com", "example.com"},
		{"path traversal", "ana@../../etc/passwd", "etcpasswd"},
		{"slashes", "ana@exa/mple.com", "example.com"},
		{"double dots", "ana@example..com", "example.com"},
		{"dots left by removed characters", "ana@a./.b", "a.b"},
		{"leading and trailing dots", "ana@.example.com.", "example.com"},
		{"non-ascii removed", "ana@exämple.com", "exmple.com"},
		{"brackets", "ana@[192.168.0.1]", "192.168.0.1"},
		{"empty", "", "localhost.localdomain"},
		{"empty domain", "ana@", "localhost.localdomain"},
		{"only dots", "ana@...", "localhost.localdomain"},
		{"only removed characters", "ana@/@/", "localhost.localdomain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IDDomain(tt.email); got != tt.want {
				t.Errorf("IDDomain(%q) = %q, want %q", tt.email, got, tt.want)
			}
		})
	}
}

func FuzzIDDomain(f *testing.F) {
	for _, s := range []string{"ana@example.com", "a@../..", "@@", "a@.-.-."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, email string) {
		got := IDDomain(email)
		if strings.ContainsAny(got, "/@") || strings.Contains(got, "..") || got == "" {
			t.Errorf("IDDomain(%q) = %q", email, got)
		}
		if err := validateID("Message-ID", "x@"+got); err != nil {
			t.Errorf("IDDomain(%q) = %q, not a valid id right-hand side: %v", email, got, err)
		}
	})
}

var uuidID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@example\.com$`)

func TestNewID(t *testing.T) {
	r := seeded(7)
	seen := make(map[string]bool)
	for range 1000 {
		id := NewID("Example.com", r)
		if !uuidID.MatchString(id) {
			t.Fatalf("NewID() = %q, want a version 4 UUID at example.com", id)
		}
		if err := validateID("Message-ID", id); err != nil {
			t.Fatalf("NewID() = %q is not a valid id: %v", id, err)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestNewIDDeterministic(t *testing.T) {
	a, b := NewID("example.com", seeded(3)), NewID("example.com", seeded(3))
	if a != b {
		t.Errorf("NewID with equal seeds = %q and %q, want equal", a, b)
	}
}

func TestNewIDCleansDomain(t *testing.T) {
	id := NewID("../Evil/..", seeded(1))
	if _, domain, _ := strings.Cut(id, "@"); domain != "evil" {
		t.Errorf("NewID domain = %q, want %q", domain, "evil")
	}
}
