package generator

import "fmt"

// properNames are the values of the name slots, the same in every
// language. A company or project keeps its name when the mail around it
// is in another language, so these are never translated, and the names
// carry no legal form such as GmbH or S.A. that would differ by country.
// No name starts with a vowel, because French would elide the "de" before
// it ("d'Orion") and the subject of a reply would no longer match its
// thread's subject template.
var properNames = map[string][]string{
	"vendor": {
		"Brightline Logistics", "Kestrel Software", "Halcyon Systems",
		"Bluepeak Consulting", "Fairhaven Facilities", "Tandem Print",
		"Meridian Data", "Copperleaf Services",
	},
	"client": {
		"Lakeside Health", "Vantage Retail", "Crestview Bank",
		"Pioneer Foods", "Summit Freight", "Redwood Insurance",
		"Birchfield Energy", "Granite Mutual",
	},
	"project": {
		"Beacon", "Phoenix", "Helix", "Northstar", "Mercury", "Kepler",
		"Cobalt", "Juniper", "Polaris", "Zenith",
	},
}

// addProperNames sets the name slots of c from properNames. A corpus
// that lists its own values for one of them is rejected, since those
// would be translations of names that must not change.
func (c *corpus) addProperNames() error {
	if c.Slots == nil {
		c.Slots = make(map[string][]string, len(properNames))
	}
	for slot, names := range properNames {
		if _, ok := c.Slots[slot]; ok {
			return fmt.Errorf("slot %q lists its own values, but its names are shared by every language", slot)
		}
		c.Slots[slot] = names
	}
	return nil
}
