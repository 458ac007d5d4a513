package persona

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzParse checks that Parse never panics, that every entry either loads
// or is reported as dropped, and that each loaded persona passes the rules
// again unchanged and without a problem after MarshalCanonical.
func FuzzParse(f *testing.F) {
	f.Add([]byte(webUIFile))
	f.Add([]byte(`[{"name": "Ana", "email": "ana@example.com", "role": "CFO"}]`))
	f.Add([]byte(`[{"name": " é ", "email": "a@b.c", "role": "x", "tone": "CUSTOM", "tone_custom": " v "}]`))
	f.Add([]byte(`[{"name": "A", "email": "A@B.C", "role": "r"}, {"name": "B", "email": "a@b.c", "role": "r"}]`))
	f.Add([]byte(`[{"name": "A", "email": "a@b.c", "role": "r", "active_hours": "25:00-", "active_days": "fri-mon"}]`))
	f.Add([]byte(`[{"name": "A", "email": "a@b.c", "role": "r", "language": "pt_BR", "timezone": "Asia/Kolkata"}]`))
	f.Add([]byte(`[{"name": "A", "email": "a@b.c", "role": "r", "mannerisms": ["", null, 1]}]`))
	f.Add([]byte(`[{"name": "A", "email": "a@b.c", "role": "r", "time_zone": "Asia/Tokyo", "Active-Hours": "x"}]`))
	f.Add([]byte(`[null, 1, "x", [], {}]`))
	f.Add([]byte(`{"personas": []}`))
	f.Add([]byte(`[{"name": "\ud800", "email": "\u0000@b.c", "role": "r"}]`))
	f.Add([]byte(``))

	def := Defaults{Language: "fr", Location: time.UTC}
	f.Fuzz(func(t *testing.T, data []byte) {
		list, problems, err := Parse(data, def)
		if err != nil {
			if list != nil || problems != nil {
				t.Fatalf("Parse returned a list or problems with error %v", err)
			}
			return
		}

		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			t.Fatalf("Parse accepted input that is not a JSON array: %v", err)
		}
		droppedEntries := make(map[int]bool)
		for _, p := range problems {
			if p.Index < 0 || p.Index >= len(items) {
				t.Errorf("problem %q has index outside the list of %d", p, len(items))
			}
			if p.Reason == "" {
				t.Errorf("problem at index %d has no reason", p.Index)
			}
			if p.Dropped {
				droppedEntries[p.Index] = true
			}
		}
		if got := len(list) + len(droppedEntries); got != len(items) {
			t.Errorf("%d loaded + %d dropped entries, want %d", len(list), len(droppedEntries), len(items))
		}

		for _, p := range list {
			revalidate(t, p, def)
		}
	})
}

// revalidate parses p's canonical form again and checks that it loads with
// no problem and no change.
func revalidate(t *testing.T, p Persona, def Defaults) {
	t.Helper()
	if p.Location == nil {
		t.Errorf("persona %q has no Location", p.Email)
	}

	data, err := List{p}.MarshalCanonical()
	if err != nil {
		t.Fatalf("MarshalCanonical: %v", err)
	}
	again, problems, err := Parse(data, def)
	if err != nil {
		t.Fatalf("Parse of canonical form: %v\n%s", err, data)
	}
	// The canonical form keeps only known fields and, for a malformed
	// schedule, the always-active values that replaced it, so it has
	// nothing left to warn about.
	for _, problem := range problems {
		t.Errorf("canonical form has a problem: %s\n%s", problem, data)
	}
	if diff := cmp.Diff(List{p}, again, ignoreParsed, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("canonical form changes the persona (-want +got):\n%s", diff)
	}
}
