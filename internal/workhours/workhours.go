// Package workhours decides when a persona is at work: a daily window of
// hours and a set of weekdays, read in the persona's own time zone.
package workhours

import "time"

// Schedule is a persona's working time. The zero value is never used; build
// one with Parse or Always.
type Schedule struct {
	loc *time.Location
}

// Parse reads an "HH:MM-HH:MM" window and a day list such as "mon-fri",
// "sun-thu" or "mon,wed,fri", both in loc.
func Parse(hours, days string, loc *time.Location) (Schedule, error) {
	panic("unimplemented")
}

// Always returns a schedule that is active at every minute of every day.
func Always(loc *time.Location) Schedule { panic("unimplemented") }

// Active reports whether t falls inside a working window.
func (s Schedule) Active(t time.Time) bool { panic("unimplemented") }

// ActiveSince returns the start of the unbroken active stretch that contains
// t, looking back at most eight days. It returns t when t is not active.
func (s Schedule) ActiveSince(t time.Time) time.Time { panic("unimplemented") }

// NextActive returns the earliest time at or after t that is active, looking
// ahead at most eight days, or the zero time when there is none.
func (s Schedule) NextActive(t time.Time) time.Time { panic("unimplemented") }

// Location returns the time zone the schedule is read in.
func (s Schedule) Location() *time.Location { return s.loc }
