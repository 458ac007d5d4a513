package message

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReplySubject(t *testing.T) {
	tests := []struct {
		name   string
		parent string
		want   string
	}{
		{"root", "Budget review", "Re: Budget review"},
		{"already reply", "Re: Budget review", "Re: Budget review"},
		{"upper case", "RE: Budget review", "Re: Budget review"},
		{"space before colon", "re : Budget review", "Re: Budget review"},
		{"counted", "Re[2]: Budget review", "Re: Budget review"},
		{"counted with parentheses", "Re(3): Budget review", "Re: Budget review"},
		{"german", "AW: Budget review", "Re: Budget review"},
		{"german mixed case", "Aw: Budget review", "Re: Budget review"},
		{"spanish", "RV: Revisión", "Re: Revisión"},
		{"nordic", "SV: Budget review", "Re: Budget review"},
		{"dutch", "Antw: Budget review", "Re: Budget review"},
		{"ref", "Ref: Budget review", "Re: Budget review"},
		{"portuguese", "RES: Revisão", "Re: Revisão"},
		{"run of prefixes", "Re: AW: re: RE[2]:Budget review", "Re: Budget review"},
		{"no space after colon", "Re:Re:Budget review", "Re: Budget review"},
		{"surrounding white space", "  \tRe:   Budget review  ", "Re: Budget review"},
		{"folded", "Re: Budget\r\n review", "Re: Budget  review"},
		{"word starting with re", "Reorg plan: next steps", "Re: Reorg plan: next steps"},
		{"research", "Research: draft", "Re: Research: draft"},
		{"forward kept", "Fwd: Budget review", "Re: Fwd: Budget review"},
		{"prefix inside kept", "Budget review Re: numbers", "Re: Budget review Re: numbers"},
		{"only prefixes", "Re: RE:", "Re:"},
		{"empty", "", "Re:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReplySubject(tt.parent); got != tt.want {
				t.Errorf("ReplySubject(%q) = %q, want %q", tt.parent, got, tt.want)
			}
		})
	}
}

func TestReferences(t *testing.T) {
	ids := func(from, to int) []string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, fmt.Sprintf("m%d@example.com", i))
		}
		return out
	}
	tests := []struct {
		name       string
		parentRefs []string
		parentID   string
		want       []string
	}{
		{"reply to root", nil, "m1@example.com", ids(1, 1)},
		{"third message", ids(1, 1), "m2@example.com", ids(1, 2)},
		{"empty ids dropped", []string{"", "m1@example.com"}, "m2@example.com", ids(1, 2)},
		{"empty parent id", ids(1, 2), "", ids(1, 2)},
		{"at the limit", ids(1, MaxReferences-1), fmt.Sprintf("m%d@example.com", MaxReferences), ids(1, MaxReferences)},
		{"one over the limit", ids(1, MaxReferences), "m21@example.com", append(ids(1, 1), ids(3, 21)...)},
		{"long thread", ids(1, 50), "m51@example.com", append(ids(1, 1), ids(33, 51)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := append([]string(nil), tt.parentRefs...)
			got := References(tt.parentRefs, tt.parentID)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("References (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, tt.parentRefs); diff != "" {
				t.Errorf("References changed its input (-before +after):\n%s", diff)
			}
		})
	}
}

func TestReferencesChainEncodes(t *testing.T) {
	m := baseMessage(t)
	var refs []string
	parent := "root@example.com"
	for i := range 40 {
		refs = References(refs, parent)
		m.InReplyTo = parent
		m.References = refs
		if _, err := m.Encode(); err != nil {
			t.Fatalf("reply %d: Encode() error: %v", i, err)
		}
		parent = NewID("example.com", seeded(uint64(i)))
	}
	if len(refs) != MaxReferences {
		t.Errorf("References after 40 replies has %d ids, want %d", len(refs), MaxReferences)
	}
	if refs[0] != "root@example.com" {
		t.Errorf("first reference = %q, want the root id", refs[0])
	}
}
