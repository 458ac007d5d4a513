package generator

import (
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"sync"
)

// companyFacts are the facts that belong to a company rather than to one
// thread, such as where the offsite is or which vendors it works with.
// They are derived from the domain of the sender's address, so every
// persona of one company names the same ones, and companies differ.
type companyFacts struct {
	seed uint64
	// slots replace the corpus slot lists for the whole mailbox, such as
	// the company's main vendors in place of every vendor.
	slots map[string][]string
}

// mainVendors is how many vendors of properNames a company works with.
const mainVendors = 3

// companyTopicSlots are, for each topic, the slots whose values are
// company facts: the offsite city, the move date, floor and movers' time,
// the numbers of the travel policy and the current audit report.
//
// TODO: the offsite and the travel policy name {nextmonth}, which follows
// the message date, so messages of one company written in different
// months name different months.
var companyTopicSlots = map[string][]string{
	"team offsite":            {"city"},
	"office move":             {"day", "floor", "time", "room"},
	"travel policy":           {"n", "expense"},
	"security audit findings": {"n", "count"},
}

// companyCache contains the companyOf result of each domain. It grows by
// one entry per distinct sender domain.
var companyCache sync.Map

func companyOf(email string) companyFacts {
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	if v, ok := companyCache.Load(domain); ok {
		return v.(companyFacts)
	}
	f := companyFacts{seed: hashString("company:" + domain)}
	r := rand.New(rand.NewPCG(f.seed, 0x243f6a8885a308d3))
	vendors := properNames["vendor"]
	picked := make([]string, 0, mainVendors)
	for _, i := range r.Perm(len(vendors))[:mainVendors] {
		picked = append(picked, vendors[i])
	}
	f.slots = map[string][]string{"vendor": picked}
	companyCache.Store(domain, f)
	return f
}

// addCompanyFacts draws the company facts of the message's topic as if
// they had been drawn already, so the text names the company's values. A
// reply then replaces them with the values its parent names, which agree
// unless the parent came from elsewhere.
func (w *composer) addCompanyFacts(f companyFacts) {
	w.ex.pinned = f.slots
	slots := companyTopicSlots[w.topicKey]
	if len(slots) == 0 {
		return
	}
	// The company's own generator makes any random parts of a value,
	// such as digits, the same in every message too.
	ex := newExpander(rand.New(rand.NewPCG(f.seed, hashString(w.topicKey))), w.c.Slots, nil)
	for _, slot := range slots {
		values := w.c.Slots[slot]
		if len(values) == 0 {
			continue
		}
		i := int((f.seed ^ hashString(w.topicKey+"/"+slot)) % uint64(len(values)))
		w.ex.drawn[slot] = ex.expand(values[i])
	}
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
