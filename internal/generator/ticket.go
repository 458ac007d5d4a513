package generator

import (
	"fmt"
	"hash/fnv"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// trackerProject is the project of an internal issue tracker that holds
// the tickets on a topic.
type trackerProject struct {
	key string
	// serviceDesk is set for service-desk projects, whose ids are the key
	// and seven digits, as in "CHG0041234". Other ids are the key, a
	// hyphen and four digits, as in "FIN-4821".
	serviceDesk bool
}

// trackerProjects maps each of Topics, in lower case, to its project.
var trackerProjects = map[string]trackerProject{
	"budget review":             {key: "FIN"},
	"vendor onboarding":         {key: "PROC"},
	"security audit findings":   {key: "SEC"},
	"office move":               {key: "FM"},
	"travel policy":             {key: "HR"},
	"quarterly planning":        {key: "PLAN"},
	"hiring":                    {key: "HR"},
	"it maintenance window":     {key: "CHG", serviceDesk: true},
	"expense reports":           {key: "FIN"},
	"customer escalation":       {key: "CS", serviceDesk: true},
	"contract renewal":          {key: "LEGAL"},
	"team offsite":              {key: "FM"},
	"performance reviews":       {key: "HR"},
	"software license renewal":  {key: "RITM", serviceDesk: true},
	"compliance training":       {key: "COMP"},
	"project kickoff":           {key: "PMO"},
	"invoice discrepancy":       {key: "AP"},
	"board meeting preparation": {key: "EXEC"},
	"password policy change":    {key: "SEC"},
	"new employee onboarding":   {key: "RITM", serviceDesk: true},
	"marketing campaign":        {key: "MKT"},
	"product launch":            {key: "PRD"},
	"supplier delay":            {key: "SCM"},
	"holiday schedule":          {key: "HR"},
}

// otherProject holds the tickets on topics outside Topics.
var otherProject = trackerProject{key: "REQ"}

// ticketPattern matches the ticket ids that ticketID makes. Invoice and
// order numbers such as "INV-12345" use other prefixes, so they never
// match.
var ticketPattern = func() *regexp.Regexp {
	var plain, desk []string
	for _, p := range slices.Collect(maps.Values(trackerProjects)) {
		if p.serviceDesk {
			desk = append(desk, p.key)
		} else {
			plain = append(plain, p.key)
		}
	}
	plain = append(plain, otherProject.key)
	slices.Sort(plain)
	slices.Sort(desk)
	return regexp.MustCompile(`\b(?:(?:` + strings.Join(slices.Compact(plain), "|") + `)-\d{4}|(?:` +
		strings.Join(slices.Compact(desk), "|") + `)\d{7})\b`)
}()

// ticketID returns the id of the ticket that tracks the thread of a
// message with subject. A reply reuses an id its parent names, and
// otherwise the id follows from the topic and the subject without its
// reply prefix, so every message of a thread names the same ticket.
func (w *composer) ticketID(subject string) string {
	if w.req.Parent != nil {
		if id := ticketPattern.FindString(w.req.Parent.Body); id != "" {
			return id
		}
	}
	project, ok := trackerProjects[w.topicKey]
	if !ok {
		project = otherProject
	}
	h := fnv.New64a()
	// A reply's subject is message.ReplySubject of its parent's, so one
	// "Re: " is all there is to remove.
	h.Write([]byte(strings.ToLower(strings.TrimPrefix(subject, "Re: "))))
	sum := h.Sum64()
	if project.serviceDesk {
		return fmt.Sprintf("%s%07d", project.key, 10000+sum%90000)
	}
	return fmt.Sprintf("%s-%04d", project.key, 1000+sum%9000)
}
