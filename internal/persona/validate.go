package persona

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/decnet/emailgend/internal/driver"
	"github.com/decnet/emailgend/internal/message"
	"github.com/decnet/emailgend/internal/workhours"
)

// Limits of the DECNET persona schema, in characters (runes), not bytes.
// DECNET's own files must keep loading, so no limit may be stricter than
// DECNET's.
const (
	maxNameLength        = 128
	maxRoleLength        = 128
	maxToneCustomLength  = 128
	maxMannerisms        = 12
	maxLanguageLength    = 8
	maxSignatureLength   = 512
	maxActiveHoursLength = 32
	minEmailLength       = 3
	maxEmailLength       = 255
)

// The working time that replaces a malformed active_hours or active_days. A
// window with equal ends lasts a whole day, so together they mean always
// active.
const (
	alwaysActiveHours = "00:00-00:00"
	alwaysActiveDays  = "mon-sun"
)

// emailSpecials are the RFC 5322 specials other than @ and the dot. They
// would break a From or To header if they appeared unquoted in an address.
const emailSpecials = `<>()[]\,;:"`

// entryReader decodes the fields of one list entry and collects its
// problems. An empty string in an optional field counts as absent, because
// a web form may send "" for a field the operator left blank.
type entryReader struct {
	index    int
	fields   map[string]json.RawMessage
	problems []Problem
}

// validate checks one list entry against every field rule and returns the
// persona with defaults filled in. The persona is valid only when none of
// the returned problems has Dropped set.
func validate(index int, raw json.RawMessage, def Defaults) (Persona, []Problem) {
	r := &entryReader{index: index}
	if err := json.Unmarshal(raw, &r.fields); err != nil || r.fields == nil {
		r.drop("", "must be a JSON object (got %s)", kindOf(raw))
		return Persona{}, r.problems
	}
	r.checkUnknownFields()

	p := Persona{
		Name:            r.label("name", maxNameLength),
		Email:           r.email(),
		Role:            r.label("role", maxRoleLength),
		Mannerisms:      r.mannerisms(),
		Language:        r.language(def.Language),
		Signature:       r.signature(),
		ReplyLatency:    r.latency(),
		UsesLLMsHeavily: r.boolean("uses_llms_heavily"),
		ActiveHours:     r.activeHours(),
		ActiveDays:      r.optionalString("active_days", DefaultActiveDays),
	}
	p.Tone, p.ToneCustom = r.tone()
	p.Timezone, p.Location = r.timezone(def.Location)
	if hasDropped(r.problems) {
		return Persona{}, r.problems
	}

	p.Schedule = r.schedule(&p)
	return p, r.problems
}

func (r *entryReader) drop(field, format string, args ...any) {
	r.problems = append(r.problems, Problem{
		Index:   r.index,
		Field:   field,
		Reason:  fmt.Sprintf(format, args...),
		Dropped: true,
	})
}

func (r *entryReader) warn(field, format string, args ...any) {
	r.problems = append(r.problems, Problem{
		Index:  r.index,
		Field:  field,
		Reason: fmt.Sprintf(format, args...),
	})
}

// rawValue returns the field's JSON value, or false when it is absent or
// null.
func (r *entryReader) rawValue(field string) (json.RawMessage, bool) {
	raw, ok := r.fields[field]
	if !ok || kindOf(raw) == "null" {
		return nil, false
	}
	return raw, true
}

// stringValue decodes a string field. It returns false when the field is absent
// or null, and also when it has another type, which drops the entry.
func (r *entryReader) stringValue(field string) (string, bool) {
	raw, ok := r.rawValue(field)
	if !ok {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		r.drop(field, "must be a string (got %s)", kindOf(raw))
		return "", false
	}
	return s, true
}

// requiredString decodes a string field that must be present.
func (r *entryReader) requiredString(field string) (string, bool) {
	if _, ok := r.rawValue(field); !ok {
		r.drop(field, "is required")
		return "", false
	}
	return r.stringValue(field)
}

// optionalString decodes a string field and returns fallback when it is
// absent, null or empty.
func (r *entryReader) optionalString(field, fallback string) string {
	s, ok := r.stringValue(field)
	if !ok || s == "" {
		return fallback
	}
	return s
}

func (r *entryReader) checkMaxLength(field, s string, limit int) bool {
	if n := utf8.RuneCountInString(s); n > limit {
		r.drop(field, "must be at most %d characters (got %d)", limit, n)
		return false
	}
	return true
}

// label reads a required, non-blank name or role and trims it.
func (r *entryReader) label(field string, limit int) string {
	s, ok := r.requiredString(field)
	if !ok || !r.checkMaxLength(field, s, limit) {
		return ""
	}
	trimmed := strings.TrimSpace(s)
	if trimmed == "" {
		r.drop(field, "must not be blank (got %q)", s)
		return ""
	}
	// A name or role is one line of a mail header or a prompt; a line
	// break would fail every message the persona writes.
	if strings.IndexFunc(trimmed, unicode.IsControl) >= 0 {
		r.drop(field, "must be one line without control characters (got %q)", s)
		return ""
	}
	if strings.IndexFunc(trimmed, isVisible) < 0 {
		r.drop(field, "must contain a visible character, not only zero-width or bidi characters (got %q)", s)
		return ""
	}
	if strings.IndexFunc(trimmed, isBidiControl) >= 0 {
		r.drop(field, "must not contain bidi embedding, override or isolate controls U+202A to U+202E or U+2066 to U+2069, which reorder the text a reader sees (got %q)", s)
		return ""
	}
	return trimmed
}

func (r *entryReader) email() string {
	s, ok := r.requiredString("email")
	if !ok {
		return ""
	}
	if reason := checkEmail(s); reason != "" {
		r.drop("email", "%s", reason)
		return ""
	}
	return s
}

// checkEmail returns why s is not a usable address, or "" when it is.
func checkEmail(s string) string {
	if n := utf8.RuneCountInString(s); n < minEmailLength || n > maxEmailLength {
		return fmt.Sprintf("must be %d to %d characters (got %d)", minEmailLength, maxEmailLength, n)
	}
	for _, c := range s {
		if unicode.IsSpace(c) || unicode.IsControl(c) {
			return fmt.Sprintf("must not contain whitespace or control characters (got %q)", s)
		}
	}
	if strings.ContainsAny(s, emailSpecials) {
		return fmt.Sprintf("must not contain any of %s (got %q)", emailSpecials, s)
	}
	if n := strings.Count(s, "@"); n != 1 {
		return fmt.Sprintf("must contain exactly one @ (got %q)", s)
	}

	// The domain needs a dot with at least one character on each side.
	// Another dot at either end is not rejected, because the schema sets no
	// rule for it.
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || len(domain) < 3 || !strings.Contains(domain[1:len(domain)-1], ".") {
		return fmt.Sprintf("must look like local@domain with a dot in the domain (got %q)", s)
	}
	// The address goes into From and To headers and the Message-ID, so it
	// must also be one those accept.
	if reason := message.AddressProblem(s); reason != "" {
		return fmt.Sprintf("%s (got %q)", reason, s)
	}
	return checkIDFileName(s)
}

// checkIDFileName returns why messages sent from email could not be
// stored, or "" when they can. Each message is stored in a file named after
// its Message-ID, which contains the address's domain, so a domain that is
// short enough for an address can still make a file name too long.
func checkIDFileName(email string) string {
	domain := message.IDDomain(email)
	// Every id has the same length whatever its random bits, so a fixed
	// seed gives the length of any message's file name.
	id := message.NewID(domain, rand.New(rand.NewPCG(0, 0)))
	name := driver.FileName(id)
	err := driver.ValidName(name)
	if err == nil {
		return ""
	}
	limit := driver.MaxNameBytes
	maxDomain := len(domain) - (len(name) - limit)
	if maxDomain >= len(domain) {
		// The name was rejected for a reason other than its length.
		return fmt.Sprintf("domain cannot be used in message file names: %v", err)
	}
	return fmt.Sprintf("domain must be at most %d bytes (got %d), because each message is stored in a file named <uuid>_at_<domain>.eml of at most %d bytes",
		maxDomain, len(domain), limit)
}

func (r *entryReader) tone() (Tone, string) {
	tone := Formal
	if s, ok := r.stringValue("tone"); ok && s != "" {
		tone = Tone(strings.ToLower(strings.TrimSpace(s)))
		switch tone {
		case Formal, Direct, Casual, Technical, Custom:
		default:
			r.drop("tone", "must be one of formal, direct, casual, technical or custom (got %q)", s)
		}
	}

	custom, _ := r.stringValue("tone_custom")
	if !r.checkMaxLength("tone_custom", custom, maxToneCustomLength) {
		return tone, ""
	}
	custom = strings.TrimSpace(custom)
	if tone != Custom {
		// The field is allowed with other tones but has no meaning there.
		return tone, ""
	}
	if custom == "" {
		r.drop("tone_custom", "must describe the voice when tone is custom (got %q)", custom)
	}
	return tone, custom
}

func (r *entryReader) mannerisms() []string {
	raw, ok := r.rawValue("mannerisms")
	if !ok {
		return []string{}
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		r.drop("mannerisms", "must be a list of strings (got %s)", kindOf(raw))
		return nil
	}
	if len(items) > maxMannerisms {
		r.drop("mannerisms", "must have at most %d entries (got %d)", maxMannerisms, len(items))
		return nil
	}

	mannerisms := []string{}
	for i, item := range items {
		var s string
		if kindOf(item) != "string" || json.Unmarshal(item, &s) != nil {
			r.drop("mannerisms", "entry %d must be a string (got %s)", i, kindOf(item))
			return nil
		}
		// A blank mannerism gives the writer nothing to imitate.
		if strings.TrimSpace(s) != "" {
			mannerisms = append(mannerisms, s)
		}
	}
	return mannerisms
}

func (r *entryReader) language(fallback string) string {
	s, ok := r.stringValue("language")
	if !ok || s == "" {
		return fallback
	}
	if !r.checkMaxLength("language", s, maxLanguageLength) {
		return ""
	}
	code, ok := normalizeLanguage(s)
	if !ok {
		r.drop("language", "must be an ISO 639-1 code such as \"es\" or \"pt-BR\" (got %q)", s)
		return ""
	}
	return code
}

func (r *entryReader) signature() string {
	s, _ := r.stringValue("signature")
	if !r.checkMaxLength("signature", s, maxSignatureLength) {
		return ""
	}
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return s
}

func (r *entryReader) latency() Latency {
	s, ok := r.stringValue("reply_latency")
	if !ok || s == "" {
		return Normal
	}
	latency := Latency(strings.ToLower(strings.TrimSpace(s)))
	switch latency {
	case Fast, Normal, Slow:
		return latency
	}
	r.drop("reply_latency", "must be one of fast, normal or slow (got %q)", s)
	return ""
}

func (r *entryReader) boolean(field string) bool {
	raw, ok := r.rawValue(field)
	if !ok {
		return false
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		r.drop(field, "must be true or false (got %s)", kindOf(raw))
		return false
	}
	return b
}

func (r *entryReader) activeHours() string {
	s := r.optionalString("active_hours", DefaultActiveHours)
	if !r.checkMaxLength("active_hours", s, maxActiveHoursLength) {
		return ""
	}
	return s
}

func (r *entryReader) timezone(fallback *time.Location) (string, *time.Location) {
	name, ok := r.stringValue("timezone")
	if !ok || name == "" {
		return fallback.String(), fallback
	}
	loc, err := loadLocation(name)
	if err != nil {
		r.drop("timezone", "must be an IANA time zone name such as \"Europe/Madrid\" (got %q)", name)
		return "", nil
	}
	return name, loc
}

// zones caches loaded time zones by name, because loading one reads and
// parses zone data, which dominated the time to load a large persona list.
// Only valid names are kept, so the cache holds at most the IANA zones.
var zones sync.Map

func loadLocation(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

// schedule builds the persona's working time. A malformed window or day
// list is reported once here and makes the persona always active, so that
// a typo in one field does not silence the persona. Both fields are then
// replaced by alwaysActiveHours and alwaysActiveDays, so that the persona
// states the schedule it follows and MarshalCanonical writes it.
func (r *entryReader) schedule(p *Persona) workhours.Schedule {
	hours, days := p.ActiveHours, p.ActiveDays
	s, err := workhours.Parse(hours, days, p.Location)
	if err == nil {
		return s
	}
	p.ActiveHours, p.ActiveDays = alwaysActiveHours, alwaysActiveDays

	// workhours.Parse reports one error for both fields, so each field is
	// parsed again beside a known-good value to name the one at fault.
	blamed := false
	if _, err := workhours.Parse(hours, DefaultActiveDays, p.Location); err != nil {
		r.warn("active_hours", "ignored, so the persona is always active: %v", err)
		blamed = true
	}
	if _, err := workhours.Parse(DefaultActiveHours, days, p.Location); err != nil {
		r.warn("active_days", "ignored, so the persona is always active: %v", err)
		blamed = true
	}
	if !blamed {
		r.warn("active_hours", "ignored together with active_days %q, so the persona is always active: %v", days, err)
	}
	return workhours.Always(p.Location)
}
