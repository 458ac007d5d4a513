package generator

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/decnet/emailgend/internal/persona"
)

// dayTimeSamples are local times across one week, every hour of each day.
func dayTimeSamples(loc *time.Location) []time.Time {
	monday := time.Date(2026, time.March, 2, 0, 0, 0, 0, loc)
	out := make([]time.Time, 0, 7*24)
	for h := 0; h < 7*24; h++ {
		out = append(out, monday.Add(time.Duration(h)*time.Hour+21*time.Minute))
	}
	return out
}

// misfitPhrase returns the first phrase of the language's rules in text
// that does not fit local time at, or "".
func misfitPhrase(language, text string, at time.Time) string {
	lower := strings.ToLower(text)
	for _, r := range timeRules[language] {
		if strings.Contains(lower, r.phrase) && !r.fits(at) {
			return r.phrase
		}
	}
	return ""
}

func TestTimeWordingFitsLocalTime(t *testing.T) {
	g := NewTemplate(nil)
	// The sender's zone is far from UTC, so a test that read the hour in
	// UTC would fail.
	loc := time.FixedZone("", -5*3600)
	for _, language := range languages {
		for _, tone := range []persona.Tone{persona.Formal, persona.Direct, persona.Casual, persona.Technical} {
			for seed, at := range dayTimeSamples(loc) {
				sender := newPersona("Ana Souza", fmt.Sprintf("ana%d@acme-corp.example", seed%5), tone, language)
				sender.Location = loc
				recipient := newPersona("Bruno Lima", "bruno.lima@acme-corp.example", persona.Casual, language)
				req := Request{Sender: sender, Recipient: recipient, Topic: Topics[seed%len(Topics)], Date: at, Rand: seeded(uint64(seed))}
				root := generate(t, g, req)
				if p := misfitPhrase(language, root.Subject+"\n"+root.Body, at); p != "" {
					t.Errorf("%s %s at %s: new thread says %q:\n%s", language, tone, at.Format("Mon 15:04"), p, root.Body)
				}

				req.Parent = &Parent{Subject: root.Subject, Body: root.Body, FromName: recipient.Name, Date: at.Add(-time.Hour)}
				req.Rand = seeded(uint64(seed) + 1000)
				reply := generate(t, g, req)
				if p := misfitPhrase(language, ownPart(reply.Body), at); p != "" {
					t.Errorf("%s %s at %s: reply says %q:\n%s", language, tone, at.Format("Mon 15:04"), p, reply.Body)
				}
			}
		}
	}
}

func TestTimeRuleExamples(t *testing.T) {
	evening := time.Date(2026, time.March, 2, 19, 21, 0, 0, time.FixedZone("", 3600)) // a Monday
	friday := time.Date(2026, time.March, 6, 16, 0, 0, 0, time.UTC)
	cases := []struct {
		language, text string
		at             time.Time
		want           bool
	}{
		{"en", "Good morning José,", evening, false},
		{"en", "Good morning José,", evening.Add(-10 * time.Hour), true},
		{"es", "Buenos días:", evening, false},
		{"es", "Buenas tardes:", evening, true},
		{"de", "Schönes Wochenende", evening, false},
		{"de", "Schönes Wochenende", friday, true},
		{"fr", "Bonne journée,", evening, false},
		{"fr", "Bonne soirée,", evening, true},
		{"pt", "Bom dia,", evening, false},
		{"en", "Maintenance tonight from 22:00", evening.Add(3 * time.Hour), false},
	}
	cs := corpora(t)
	for _, tc := range cases {
		if got := cs[tc.language].fitsTime(tc.text, tc.at); got != tc.want {
			t.Errorf("fitsTime(%s, %q, %s) = %v, want %v", tc.language, tc.text, tc.at.Format("Mon 15:04"), got, tc.want)
		}
	}
}
