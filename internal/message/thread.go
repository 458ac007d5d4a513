package message

import (
	"regexp"
	"strings"
)

// replyPrefixes matches a run of reply prefixes at the start of a subject.
// It covers "Re:" in any case and spacing, and counted forms such as
// "Re[2]:" and "Re(2):". It also covers the prefixes of localized clients:
// German "AW:", Swedish, Danish and Norwegian "SV:", Finnish "VS:", Dutch
// "Antw:", Portuguese "RES:", Polish "Odp:" and "Ref:". Spanish Outlook's
// "RV:" marks a forward, but it is replaced the same way.
var replyPrefixes = regexp.MustCompile(`(?i)^(?:\s*(?:re|aw|rv|sv|vs|antw|ref|res|odp)\s*(?:\[\d+\]|\(\d+\))?\s*:)+`)

// ReplySubject returns the subject of a reply to a message with the subject
// parent: the parent subject without its reply prefixes and surrounding
// white space, behind a single "Re: ". Line breaks, as left by header
// folding, become spaces.
func ReplySubject(parent string) string {
	s := strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(parent)
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(replyPrefixes.ReplaceAllString(s, ""))
	if s == "" {
		return "Re:"
	}
	return "Re: " + s
}

// MaxReferences bounds the References header of long threads.
const MaxReferences = 20

// References returns the References list of a reply: the parent's
// References followed by the parent's id. Empty ids are dropped. When the
// list would pass MaxReferences ids it keeps the thread's first id and the
// most recent ones, as Thunderbird and other clients trim it, so the root
// and the parent stay and threading still works.
func References(parentRefs []string, parentID string) []string {
	refs := make([]string, 0, len(parentRefs)+1)
	for _, id := range parentRefs {
		if id != "" {
			refs = append(refs, id)
		}
	}
	if parentID != "" {
		refs = append(refs, parentID)
	}
	if len(refs) > MaxReferences {
		refs = append(refs[:1], refs[len(refs)-(MaxReferences-1):]...)
	}
	return refs
}
