package persona

import (
	"sort"
	"strings"
)

// knownFields are the JSON keys of a persona entry, in schema order. A test
// checks that they match the json tags of Persona.
var knownFields = []string{
	"name",
	"email",
	"role",
	"tone",
	"tone_custom",
	"mannerisms",
	"language",
	"signature",
	"active_hours",
	"reply_latency",
	"uses_llms_heavily",
	"timezone",
	"active_days",
}

// checkUnknownFields warns about each key of the entry that is not in the
// schema, in sorted order so that output is stable. Such a key is ignored,
// which is legal in the schema, but it is most often a misspelled field whose
// value the operator expects to take effect.
func (r *entryReader) checkUnknownFields() {
	var unknown []string
	for key := range r.fields {
		if !isKnownField(key) {
			unknown = append(unknown, key)
		}
	}
	sort.Strings(unknown)
	for _, key := range unknown {
		if suggestion := closestField(key); suggestion != "" {
			r.warn(key, "unknown field, ignored; did you mean %q?", suggestion)
			continue
		}
		r.warn(key, "unknown field, ignored; remove it or correct its name")
	}
}

func isKnownField(key string) bool {
	for _, known := range knownFields {
		if key == known {
			return true
		}
	}
	return false
}

// closestField returns the known field that key most likely misspells, or ""
// when no single field is an obvious match. A key matches when it equals a
// field after case, underscores, hyphens and spaces are ignored
// ("time_zone", "Active-Hours"), or when it is one or two edits away and long
// enough that the edits are a small part of it ("active_hour"). Short keys
// need the first rule, because "zone" is one edit from "tone".
func closestField(key string) string {
	folded := foldFieldName(key)
	for _, known := range knownFields {
		if folded == foldFieldName(known) {
			return known
		}
	}

	best, bestDistance, tied := "", maxSuggestionEdits+1, false
	lower := strings.ToLower(key)
	for _, known := range knownFields {
		// Keys whose lengths differ by more than the limit cannot be within
		// it, and skipping them bounds the work on a long key.
		if diff := len(lower) - len(known); diff > maxSuggestionEdits || -diff > maxSuggestionEdits {
			continue
		}
		d := editDistance(lower, known)
		switch {
		case d < bestDistance:
			best, bestDistance, tied = known, d, false
		case d == bestDistance:
			tied = true
		}
	}
	if best == "" || tied || bestDistance*minLengthPerEdit > len(key) {
		return ""
	}
	return best
}

// Limits for suggesting a field by edit distance: at most two edits, and at
// least five characters of the key per edit.
const (
	maxSuggestionEdits = 2
	minLengthPerEdit   = 5
)

func foldFieldName(s string) string {
	return strings.Map(func(c rune) rune {
		switch c {
		case '_', '-', ' ':
			return -1
		}
		return c
	}, strings.ToLower(s))
}

// editDistance returns the optimal string alignment distance between a and
// b: the number of rune insertions, deletions, substitutions and swaps of two
// adjacent runes that turn a into b, with no rune edited twice.
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	// rows[i][j] is the distance between s[:i] and t[:j].
	rows := make([][]int, len(s)+1)
	for i := range rows {
		rows[i] = make([]int, len(t)+1)
		rows[i][0] = i
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d := min(rows[i-1][j]+1, rows[i][j-1]+1, rows[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d = min(d, rows[i-2][j-2]+1)
			}
			rows[i][j] = d
		}
	}
	return rows[len(s)][len(t)]
}
