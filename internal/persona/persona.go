// Package persona defines the fictional employees who send and receive
// decoy mail, and parses the JSON persona lists that DECNET operators write.
package persona

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/decnet/emailgend/internal/workhours"
)

// Tone is the voice a persona writes in.
type Tone string

// The tones a persona list may name. Custom means the voice is described in
// free text by Persona.ToneCustom.
const (
	Formal    Tone = "formal"
	Direct    Tone = "direct"
	Casual    Tone = "casual"
	Technical Tone = "technical"
	Custom    Tone = "custom"
)

// Latency is how quickly a persona replies to mail: Fast within minutes, Normal
// within hours and Slow after a day or more.
type Latency string

// The reply latencies a persona list may name.
const (
	Fast   Latency = "fast"
	Normal Latency = "normal"
	Slow   Latency = "slow"
)

// Default values for optional fields that are null, absent or empty.
const (
	DefaultLanguage    = "en"
	DefaultActiveHours = "09:00-18:00"
	DefaultActiveDays  = "mon-fri"
)

// Persona is one fictional employee. The JSON fields are the ones DECNET
// writes, plus timezone and active_days, which are emailgend additions.
// Each JSON field must also be listed in knownFields.
// Parse sets Schedule and Location from the other fields. A Persona built
// by hand must set Schedule before ActiveAt is called.
type Persona struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Role  string `json:"role"`
	Tone  Tone   `json:"tone"`
	// ToneCustom describes the voice in free text. Parse keeps it only when
	// Tone is Custom.
	ToneCustom string   `json:"tone_custom,omitempty"`
	Mannerisms []string `json:"mannerisms"`
	// Language is a lowercase ISO 639-1 code such as "es".
	Language string `json:"language,omitempty"`
	// Signature is used verbatim when set. When it is empty, the message
	// writer makes one up.
	Signature       string  `json:"signature,omitempty"`
	ActiveHours     string  `json:"active_hours"`
	ReplyLatency    Latency `json:"reply_latency"`
	UsesLLMsHeavily bool    `json:"uses_llms_heavily"`
	// Timezone is the IANA zone name that ActiveHours and ActiveDays are
	// read in.
	Timezone   string `json:"timezone,omitempty"`
	ActiveDays string `json:"active_days"`

	// Schedule is ActiveHours and ActiveDays read in Location. When either
	// field is malformed, Parse makes it always active and sets the two
	// fields to "00:00-00:00" and "mon-sun", which mean the same.
	Schedule workhours.Schedule `json:"-"`
	// Location is the time zone loaded from Timezone.
	Location *time.Location `json:"-"`
}

// Domain returns the part of the email address after the last @.
func (p Persona) Domain() string {
	return p.Email[strings.LastIndexByte(p.Email, '@')+1:]
}

// ActiveAt reports whether t falls inside the persona's working hours and
// days.
func (p Persona) ActiveAt(t time.Time) bool {
	return p.Schedule.Active(t)
}

// List is a persona list. In a List returned by Parse, no two entries share
// an email address, compared case-insensitively.
type List []Persona

// ActiveAt returns the personas that are at work at t, in list order.
func (l List) ActiveAt(t time.Time) List {
	var active List
	for _, p := range l {
		if p.ActiveAt(t) {
			active = append(active, p)
		}
	}
	return active
}

// ByEmail returns the persona with the given email address, compared
// case-insensitively.
func (l List) ByEmail(email string) (Persona, bool) {
	for _, p := range l {
		if strings.EqualFold(p.Email, email) {
			return p, true
		}
	}
	return Persona{}, false
}

// MarshalCanonical encodes the list as indented JSON with every default
// filled in, ready to be written back as a persona file. An empty list
// encodes as [] rather than null.
func (l List) MarshalCanonical() ([]byte, error) {
	if l == nil {
		l = List{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Signatures and mannerisms often contain & or <, which should stay
	// readable in a file that operators edit by hand.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(l); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
