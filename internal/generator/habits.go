package generator

import (
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"sync"
)

// habits are the choices a real person makes the same way in most of
// their mail: a usual greeting and sign-off, one form of address, one
// signature, one mail
// client (which fixes the quote header and line wrapping) and how often
// they quote. They are derived from the sender's address, so they stay the
// same from one message to the next and across restarts.
type habits struct {
	greeting, signoff, signature, quoteHeader int
	// wrapWidth is the column body lines are wrapped at, or zero for
	// clients that send each paragraph as one line.
	wrapWidth int
	// formalAddress is set for senders who greet by full name, or with a
	// formal form that names nobody, where the tone has such greetings.
	formalAddress bool
	// quotePercent is the chance, in percent, that a reply quotes its
	// parent.
	quotePercent int
	// seed feeds the random parts of a made-up signature, such as the
	// phone extension.
	seed uint64
	// company is the company name made from the address's domain (see
	// companyName).
	company string
}

// usualPercent is how often a persona uses their usual greeting and
// sign-off rather than another one of the same tone.
const usualPercent = 70

// habitsCache contains the habitsOf result of each address, because every
// message needs its sender's habits and computing them takes a hash and a
// random generator. It grows by one entry per distinct sender address.
var habitsCache sync.Map

func habitsOf(email string) habits {
	if v, ok := habitsCache.Load(email); ok {
		return v.(habits)
	}
	h := computeHabits(email)
	habitsCache.Store(email, h)
	return h
}

func computeHabits(email string) habits {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(email)))
	seed := h.Sum64()
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	return habits{
		greeting:      r.IntN(1 << 20),
		signoff:       r.IntN(1 << 20),
		signature:     r.IntN(1 << 20),
		quoteHeader:   r.IntN(1 << 20),
		wrapWidth:     []int{0, 72, 72, 76}[r.IntN(4)],
		quotePercent:  45 + r.IntN(50),
		formalAddress: r.IntN(2) == 0,
		seed:          seed,
		company:       companyName(email),
	}
}

// pick returns the usual entry of list most of the time, and a random one
// otherwise.
func (h habits) pick(r *rand.Rand, list []string, usual int) string {
	if r.IntN(100) < usualPercent {
		return list[usual%len(list)]
	}
	return pick(r, list)
}

// usualIndex returns the index, below n, of the option that the sender
// always takes for one choice, such as the label of their P.S. Each choice
// passes its own salt, so the choices do not follow each other.
func (h habits) usualIndex(n int, salt uint64) int {
	// MurmurHash3's 64-bit finalizer (fmix64) spreads the seed and salt
	// over all bits before the modulo.
	x := h.seed ^ salt*0x9e3779b97f4a7c15
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return int(x % uint64(n))
}

// signature returns the sender's signature verbatim, without trailing
// line breaks, or a made-up one in their usual form.
func (w *composer) signature() string {
	if sig := strings.TrimRight(w.req.Sender.Signature, "\r\n"); strings.TrimSpace(sig) != "" {
		return sig
	}
	forms := w.c.Signatures[w.toneKey]
	// The signature's own random parts come from the habits seed, so the
	// extension number does not change between messages.
	ex := newExpander(rand.New(rand.NewPCG(w.habits.seed, 1)), w.c.Slots, w.ex.fixed)
	return ex.expand(forms[w.habits.signature%len(forms)])
}

// genericSecondLevel are labels that sit between a company name and the
// country code, as in example.co.uk or example.com.br.
var genericSecondLevel = map[string]bool{
	"co": true, "com": true, "org": true, "net": true, "gov": true,
	"gob": true, "ac": true, "edu": true, "ltd": true, "plc": true,
}

// companyName makes a company name from the domain of email:
// "ana@mail.acme-corp.co.uk" gives "Acme Corp".
func companyName(email string) string {
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	labels := strings.Split(strings.Trim(domain, "."), ".")
	if len(labels) > 1 {
		labels = labels[:len(labels)-1]
	}
	if len(labels) > 1 && genericSecondLevel[labels[len(labels)-1]] {
		labels = labels[:len(labels)-1]
	}
	words := strings.FieldsFunc(labels[len(labels)-1], func(r rune) bool { return r == '-' || r == '_' })
	if len(words) == 1 && len(words[0]) <= 3 {
		return strings.ToUpper(words[0])
	}
	for i, word := range words {
		words[i] = upperFirst(word)
	}
	return strings.Join(words, " ")
}
