// Package workhours decides when a persona is at work: a daily window of
// hours and a set of weekdays, read in the persona's own time zone.
//
// A schedule is a function of the wall clock in its zone only: the weekday
// and the minute of the day. A window whose end is at or before its start
// runs across midnight and belongs to the day it starts on.
//
// Only the wall clock counts, so daylight-saving changes need no special
// rules. A window start that a spring-forward change skips (02:30) begins at
// the first wall time after it. An hour that a fall-back change repeats is
// active both times or neither time.
package workhours

import (
	"strings"
	"time"
)

const (
	minutesPerDay = 24 * 60

	// searchLimit bounds ActiveSince and NextActive. Every schedule from
	// Parse or Always has an active day, so its next window starts within
	// a week.
	searchLimit = 8 * 24 * time.Hour
)

// Schedule is a persona's working time. Build one with Parse or Always. The
// zero value is in UTC and never active.
type Schedule struct {
	loc *time.Location

	// always marks a schedule built by Always, which String reports.
	always bool

	// start and end are minutes after local midnight. end is at most
	// minutesPerDay, which is how 24:00 is stored. When end <= start the
	// window runs into the next day.
	start, end int

	// days contains the weekdays on which a window starts, indexed by
	// time.Weekday.
	days [7]bool
}

// Parse reads an "HH:MM-HH:MM" window and a day list such as "mon-fri",
// "sun-thu" or "mon,wed,fri", both in loc.
//
// The start is inclusive and the end exclusive, to the minute. The end may be
// 24:00. An end before the start makes the window run across midnight, and
// an equal start and end makes it last until the same time the next day. Day
// names are case-insensitive, three-letter or full, and a range may wrap
// around the week ("fri-mon"). Empty hours mean 09:00-18:00, empty days
// mon-fri, and a nil loc means UTC.
func Parse(hours, days string, loc *time.Location) (Schedule, error) {
	if loc == nil {
		loc = time.UTC
	}

	s := Schedule{loc: loc}

	start, end, err := parseHours(hours)
	if err != nil {
		return Schedule{}, err
	}

	s.start, s.end = start, end

	s.days, err = parseDays(days)
	if err != nil {
		return Schedule{}, err
	}

	return s, nil
}

// Always returns a schedule that is active at every minute of every day. A
// nil loc means UTC.
func Always(loc *time.Location) Schedule {
	if loc == nil {
		loc = time.UTC
	}

	return Schedule{
		loc:    loc,
		always: true,
		days:   [7]bool{true, true, true, true, true, true, true},
	}
}

// Active reports whether t falls inside a working window.
func (s Schedule) Active(t time.Time) bool {
	if s.always {
		return true
	}

	local := t.In(s.Location())
	minute := local.Hour()*60 + local.Minute()
	today := local.Weekday()
	yesterday := (today + 6) % 7

	if s.start < s.end {
		return s.days[today] && minute >= s.start && minute < s.end
	}

	// The window runs across midnight: its early part belongs to the
	// window that started yesterday.
	return (s.days[today] && minute >= s.start) ||
		(s.days[yesterday] && minute < s.end)
}

// ActiveSince returns the start of the unbroken active stretch that contains
// t, looking back at most eight days. It returns t when t is not active.
func (s Schedule) ActiveSince(t time.Time) time.Time {
	if !s.Active(t) {
		return t
	}

	limit := t.Add(-searchLimit)
	if s.always {
		return limit
	}

	x := t
	for {
		begin := s.stretchStart(x)
		if !begin.After(limit) {
			return limit
		}

		// Activity can change only at begin, so the stretch continues
		// further back exactly when the instant before begin is active.
		before := begin.Add(-time.Nanosecond)
		if !s.Active(before) {
			return begin
		}

		x = before
	}
}

// NextActive returns the earliest time at or after t that is active, looking
// ahead at most eight days, or the zero time when there is none.
func (s Schedule) NextActive(t time.Time) time.Time {
	limit := t.Add(searchLimit)

	for x := t; !x.After(limit); x = s.stretchEnd(x) {
		if s.Active(x) {
			return x
		}
	}

	return time.Time{}
}

// Location returns the time zone the schedule is read in.
func (s Schedule) Location() *time.Location {
	if s.loc == nil {
		return time.UTC
	}

	return s.loc
}

// String returns the schedule in the form Parse reads, followed by its zone,
// for example "09:00-18:00 mon-fri Europe/Berlin".
func (s Schedule) String() string {
	if s.always {
		return "always " + s.Location().String()
	}

	return formatMinute(s.start) + "-" + formatMinute(s.end) + " " +
		formatDays(s.days) + " " + s.Location().String()
}

// boundaries returns the minutes of the day at which activity can change:
// the window's ends and midnight, where the weekday changes.
func (s Schedule) boundaries() [3]int {
	return [3]int{s.start, s.end % minutesPerDay, 0}
}

// stretchEnd returns the first instant after t at which activity may differ
// from activity at t: the next wall-clock boundary or zone change.
func (s Schedule) stretchEnd(t time.Time) time.Time {
	local := t.In(s.Location())
	minute := local.Hour()*60 + local.Minute()

	step := minutesPerDay
	for _, b := range s.boundaries() {
		d := (b - minute + minutesPerDay) % minutesPerDay
		if d == 0 {
			d = minutesPerDay
		}

		step = min(step, d)
	}

	minuteStart := t.Add(-time.Duration(local.Second())*time.Second -
		time.Duration(local.Nanosecond()))
	next := minuteStart.Add(time.Duration(step) * time.Minute)

	// The step assumes the zone offset stays fixed, so a zone change
	// before it ends the stretch instead.
	if _, zoneEnd := local.ZoneBounds(); !zoneEnd.IsZero() &&
		zoneEnd.After(t) && zoneEnd.Before(next) {
		next = zoneEnd
	}

	return next
}

// stretchStart returns the latest instant at or before t since which
// activity has not changed: the last wall-clock boundary or zone change.
func (s Schedule) stretchStart(t time.Time) time.Time {
	local := t.In(s.Location())
	minute := local.Hour()*60 + local.Minute()

	step := minutesPerDay
	for _, b := range s.boundaries() {
		step = min(step, (minute-b+minutesPerDay)%minutesPerDay)
	}

	minuteStart := t.Add(-time.Duration(local.Second())*time.Second -
		time.Duration(local.Nanosecond()))
	begin := minuteStart.Add(-time.Duration(step) * time.Minute)

	if zoneStart, _ := local.ZoneBounds(); !zoneStart.IsZero() &&
		!zoneStart.After(t) && zoneStart.After(begin) {
		begin = zoneStart
	}

	return begin
}

// formatDays writes days as comma-separated ranges, beginning after an
// inactive day so that a range across the weekend stays whole ("sun-thu").
func formatDays(days [7]bool) string {
	first := time.Monday

	for d := range 7 {
		if !days[d] {
			first = time.Weekday((d + 1) % 7)
			break
		}
	}

	var runs []string
	for i := 0; i < 7; {
		d := (int(first) + i) % 7
		if !days[d] {
			i++
			continue
		}

		j := i
		for j+1 < 7 && days[(int(first)+j+1)%7] {
			j++
		}

		name := dayNames[d][:3]
		if j > i {
			name += "-" + dayNames[(int(first)+j)%7][:3]
		}

		runs = append(runs, name)
		i = j + 1
	}

	return strings.Join(runs, ",")
}
