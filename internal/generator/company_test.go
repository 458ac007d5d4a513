package generator

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/decnet/emailgend/internal/persona"
)

// namedValues returns the values of slot in c that text names.
func namedValues(c *corpus, slot, text string) []string {
	var out []string
	for _, v := range c.Slots[slot] {
		if indexWord(text, v) >= 0 {
			out = append(out, v)
		}
	}
	return out
}

// companyValues generates messages on topic from several senders of
// domain and returns every value of slot they name.
func companyValues(t *testing.T, g *Template, language, domain, topic, slot string) []string {
	t.Helper()
	c := corpora(t)[language]
	var all []string
	for i := range 12 {
		sender := newPersona("Ana Souza", fmt.Sprintf("person%d@%s", i, domain), persona.Formal, language)
		sender.Role = "Operations Manager"
		recipient := newPersona("Bruno Lima", "bruno@"+domain, persona.Casual, language)
		got := generate(t, g, Request{Sender: sender, Recipient: recipient, Topic: topic,
			Date: time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC), Rand: seeded(uint64(i))})
		for _, v := range namedValues(c, slot, got.Subject+"\n"+got.Body) {
			if !slices.Contains(all, v) {
				all = append(all, v)
			}
		}
	}
	slices.Sort(all)
	return all
}

func TestCompanyFactsSameWithinDomain(t *testing.T) {
	g := NewTemplate(nil)
	for _, language := range languages {
		cities := companyValues(t, g, language, "acme-corp.example", "team offsite", "city")
		if len(cities) == 0 {
			t.Errorf("%s: no offsite message names a city", language)
		}
		if len(cities) > 1 {
			t.Errorf("%s: offsite messages of one company name cities %q", language, cities)
		}
		floors := companyValues(t, g, language, "acme-corp.example", "office move", "floor")
		if len(floors) > 1 {
			t.Errorf("%s: office move messages of one company name floors %q", language, floors)
		}
		vendors := companyValues(t, g, language, "acme-corp.example", "vendor onboarding", "vendor")
		if len(vendors) > mainVendors {
			t.Errorf("%s: one company names %d vendors %q, want at most %d", language, len(vendors), vendors, mainVendors)
		}
	}
}

func TestCompanyFactsDifferAcrossDomains(t *testing.T) {
	g := NewTemplate(nil)
	seen := map[string]bool{}
	for i := range 8 {
		domain := fmt.Sprintf("company%d.example", i)
		cities := companyValues(t, g, "en", domain, "team offsite", "city")
		seen[strings.Join(cities, ",")] = true
	}
	if len(seen) < 2 {
		t.Errorf("eight companies all name the same offsite city: %v", seen)
	}
}

func TestCompanyOfSameForOneDomain(t *testing.T) {
	a, b := companyOf("ana@Acme-Corp.example"), companyOf("bruno@acme-corp.example")
	if a.seed != b.seed || !slices.Equal(a.slots["vendor"], b.slots["vendor"]) {
		t.Errorf("companyOf differs between senders of one domain: %v and %v", a, b)
	}
}
