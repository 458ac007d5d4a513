package generator

import (
	"fmt"
	"strings"
	"time"
)

// timeRule ties a phrase that names a part of the day or week, such as
// "good morning" or "have a good weekend", to the local times at which a
// message may use it. The hours run from From up to but not including To,
// and wrap past midnight when To is not after From. Friday restricts the
// phrase to Fridays.
type timeRule struct {
	phrase   string
	from, to int
	friday   bool
}

// fits reports whether the rule allows the phrase at local time t.
func (r timeRule) fits(t time.Time) bool {
	if r.friday && t.Weekday() != time.Friday {
		return false
	}
	h := t.Hour()
	if r.from < r.to {
		return h >= r.from && h < r.to
	}
	return h >= r.from || h < r.to
}

// timeRules are the phrases of each language, in lower case, that fit
// only some local times. A past "this morning" is odd before the working
// day starts, a future "tonight" is wrong once the evening is over, and a
// weekend wish belongs to Friday. French "bonjour" and German "Guten Tag" are
// missing on purpose: both open business mail at any hour.
var timeRules = map[string][]timeRule{
	"en": {
		{phrase: "good morning", from: 5, to: 12},
		{phrase: "good afternoon", from: 12, to: 18},
		{phrase: "good evening", from: 17, to: 5},
		{phrase: "this morning", from: 8, to: 24},
		{phrase: "tonight", from: 0, to: 21},
		{phrase: "this evening", from: 0, to: 18},
		{phrase: "have a good day", from: 5, to: 16},
		{phrase: "have a good evening", from: 15, to: 24},
		{phrase: "good weekend", from: 10, to: 24, friday: true},
		{phrase: "enjoy the weekend", from: 10, to: 24, friday: true},
	},
	"es": {
		{phrase: "buenos días", from: 5, to: 13},
		{phrase: "buen día", from: 5, to: 13},
		{phrase: "buenas tardes", from: 13, to: 21},
		{phrase: "buenas noches", from: 20, to: 5},
		{phrase: "esta mañana", from: 8, to: 24},
		{phrase: "esta noche", from: 0, to: 21},
		{phrase: "buen fin de semana", from: 10, to: 24, friday: true},
	},
	"pt": {
		{phrase: "bom dia", from: 5, to: 12},
		{phrase: "boa tarde", from: 12, to: 18},
		{phrase: "boa noite", from: 18, to: 5},
		{phrase: "hoje de manhã", from: 8, to: 24},
		{phrase: "hoje cedo", from: 8, to: 24},
		{phrase: "esta manhã", from: 8, to: 24},
		{phrase: "hoje à noite", from: 0, to: 21},
		{phrase: "esta noite", from: 0, to: 21},
		{phrase: "bom fim de semana", from: 10, to: 24, friday: true},
	},
	"fr": {
		{phrase: "bonsoir", from: 18, to: 5},
		{phrase: "bonne journée", from: 5, to: 16},
		{phrase: "belle journée", from: 5, to: 16},
		{phrase: "bonne fin de journée", from: 14, to: 20},
		{phrase: "bonne soirée", from: 16, to: 24},
		{phrase: "ce matin", from: 8, to: 24},
		{phrase: "ce soir", from: 0, to: 21},
		{phrase: "bon week-end", from: 10, to: 24, friday: true},
	},
	"de": {
		{phrase: "guten morgen", from: 5, to: 11},
		{phrase: "guten abend", from: 18, to: 5},
		{phrase: "heute morgen", from: 8, to: 24},
		{phrase: "heute früh", from: 8, to: 24},
		{phrase: "heute abend", from: 0, to: 21},
		{phrase: "schönen abend", from: 15, to: 24},
		{phrase: "schönen feierabend", from: 14, to: 24},
		{phrase: "schönes wochenende", from: 10, to: 24, friday: true},
	},
}

// fitsTime reports whether every time phrase in text fits local time t.
func (c *corpus) fitsTime(text string, t time.Time) bool {
	if len(c.timeRules) == 0 {
		return true
	}
	lower := strings.ToLower(text)
	for _, r := range c.timeRules {
		if strings.Contains(lower, r.phrase) && !r.fits(t) {
			return false
		}
	}
	return true
}

// rulesIn returns the rules of the corpus whose phrase text contains.
func (c *corpus) rulesIn(text string) []timeRule {
	var out []timeRule
	lower := strings.ToLower(text)
	for _, r := range c.timeRules {
		if strings.Contains(lower, r.phrase) {
			out = append(out, r)
		}
	}
	return out
}

func fitsAll(rules []timeRule, t time.Time) bool {
	for _, r := range rules {
		if !r.fits(t) {
			return false
		}
	}
	return true
}

// fitsEntry is fitsTime for an entry of a tone list, whose rules are
// found once when the corpus loads (see indexTimedEntries).
func (c *corpus) fitsEntry(entry string, t time.Time) bool {
	rules, ok := c.timedEntries[entry]
	return !ok || fitsAll(rules, t)
}

// indexTimedEntries sets the language's rules and records, for every
// entry of the tone lists that names a part of the day or week, the rules
// it must meet.
func (c *corpus) indexTimedEntries() {
	c.timeRules = timeRules[c.Language]
	c.timedEntries = make(map[string][]timeRule)
	for _, t := range c.Tones {
		for _, list := range [][]string{t.Greetings, t.Openers, t.ReplyOpeners, t.AnswerOpeners, t.Closers, t.Signoffs} {
			for _, entry := range list {
				if rules := c.rulesIn(entry); len(rules) > 0 {
					c.timedEntries[entry] = rules
				}
			}
		}
	}
}

// timelyTone returns t with every list cut to the entries that fit local
// time t. Lists that need no cut are shared, not copied.
func (c *corpus) timelyTone(t toneText, at time.Time) toneText {
	t.Greetings = c.timelyList(t.Greetings, at)
	t.firstGreetings = c.timelyList(t.firstGreetings, at)
	t.formalGreetings = c.timelyList(t.formalGreetings, at)
	t.Openers = c.timelyList(t.Openers, at)
	t.ReplyOpeners = c.timelyList(t.ReplyOpeners, at)
	t.AnswerOpeners = c.timelyList(t.AnswerOpeners, at)
	t.Closers = c.timelyList(t.Closers, at)
	t.Signoffs = c.timelyList(t.Signoffs, at)
	return t
}

// usualTimely returns the usual entry of all most of the time, as
// habits.pick does, but draws from timely, the entries of all that fit
// the message time, when the chosen one does not.
func (w *composer) usualTimely(all, timely []string, usual int) string {
	s := w.habits.pick(w.req.Rand, all, usual)
	if len(timely) != len(all) && !w.c.fitsEntry(s, w.date) {
		s = pick(w.req.Rand, timely)
	}
	return s
}

// timelyList returns the entries of list that fit local time t. It
// returns list itself, without copying, when all of them do, which is
// the common case.
func (c *corpus) timelyList(list []string, t time.Time) []string {
	for i, s := range list {
		if c.fitsEntry(s, t) {
			continue
		}
		out := append(make([]string, 0, len(list)-1), list[:i]...)
		for _, rest := range list[i+1:] {
			if c.fitsEntry(rest, t) {
				out = append(out, rest)
			}
		}
		return out
	}
	return list
}

// checkTimeCover checks that every tone list a message must draw from
// keeps an entry at each hour of each weekday, so that filtering by time
// never leaves a list empty.
func (c *corpus) checkTimeCover() error {
	day := time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC) // a Monday
	for _, tone := range tones {
		t := c.Tones[tone]
		lists := map[string][]string{
			"greetings": t.firstGreetings, "openers": t.Openers, "reply_openers": t.ReplyOpeners,
			"answer_openers": t.AnswerOpeners, "closers": t.Closers, "signoffs": t.Signoffs,
		}
		if len(t.formalGreetings) > 0 {
			lists["formal greetings"] = t.formalGreetings
		}
		for name, list := range lists {
			for h := 0; h < 7*24; h++ {
				at := day.Add(time.Duration(h) * time.Hour)
				if len(c.timelyList(list, at)) == 0 {
					return fmt.Errorf("tone %q: no %s fit %s", tone, name, at.Format("Monday 15:04"))
				}
			}
		}
	}
	return nil
}

// fitsTime reports whether the text the sender wrote fits the message
// time. The quoted parent, a reply's subject and the persona's own
// signature are left out, since the sender did not write them now.
func (w *composer) fitsTime(subject, body string) bool {
	own := ownText(body)
	if sig := strings.TrimSpace(w.req.Sender.Signature); sig != "" {
		if i := strings.LastIndex(own, sig); i >= 0 {
			own = own[:i]
		}
	}
	if w.req.Parent == nil && !w.c.fitsTime(subject, w.date) {
		return false
	}
	return w.c.fitsTime(own, w.date)
}
