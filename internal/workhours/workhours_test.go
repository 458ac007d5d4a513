package workhours

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// scheduleComparer compares schedules field by field, with zones by
// identity.
var scheduleComparer = cmp.Options{
	cmp.AllowUnexported(Schedule{}),
	cmp.Comparer(func(a, b *time.Location) bool { return a == b }),
}

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()

	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("loading zone %s: %v", name, err)
	}

	return loc
}

func mustParse(t testing.TB, hours, days string, loc *time.Location) Schedule {
	t.Helper()

	s, err := Parse(hours, days, loc)
	if err != nil {
		t.Fatalf("Parse(%q, %q): %v", hours, days, err)
	}

	return s
}

// at returns the instant that the wall clock in loc reads as value, in the
// form "2006-01-02 15:04:05".
func at(t testing.TB, loc *time.Location, value string) time.Time {
	t.Helper()

	v, err := time.ParseInLocation(time.DateTime, value, loc)
	if err != nil {
		t.Fatalf("parsing time %q: %v", value, err)
	}

	return v
}

// In January 2024 the 1st is a Monday and the 6th a Saturday.
func TestActive(t *testing.T) {
	newYork := mustLoad(t, "America/New_York")

	tests := []struct {
		name  string
		hours string
		days  string
		loc   *time.Location
		when  string
		want  bool
	}{
		{"day start inclusive", "09:00-18:00", "mon-fri", time.UTC, "2024-01-01 09:00:00", true},
		{"day before start", "09:00-18:00", "mon-fri", time.UTC, "2024-01-01 08:59:59", false},
		{"day last second", "09:00-18:00", "mon-fri", time.UTC, "2024-01-01 17:59:59", true},
		{"day end exclusive", "09:00-18:00", "mon-fri", time.UTC, "2024-01-01 18:00:00", false},
		{"day on saturday", "09:00-18:00", "mon-fri", time.UTC, "2024-01-06 10:00:00", false},
		{"night tuesday early", "22:00-06:00", "mon-fri", time.UTC, "2024-01-02 02:00:00", true},
		{"night saturday early", "22:00-06:00", "mon-fri", time.UTC, "2024-01-06 02:00:00", true},
		{"night monday early", "22:00-06:00", "mon-fri", time.UTC, "2024-01-01 02:00:00", false},
		{"night friday late", "22:00-06:00", "mon-fri", time.UTC, "2024-01-05 23:00:00", true},
		{"night saturday late", "22:00-06:00", "mon-fri", time.UTC, "2024-01-06 23:00:00", false},
		{"night sunday late", "22:00-06:00", "mon-fri", time.UTC, "2024-01-07 23:00:00", false},
		{"night end exclusive", "22:00-06:00", "mon-fri", time.UTC, "2024-01-03 06:00:00", false},
		{"night last minute", "22:00-06:00", "mon-fri", time.UTC, "2024-01-03 05:59:00", true},
		{"night afternoon", "22:00-06:00", "mon-fri", time.UTC, "2024-01-03 15:00:00", false},
		{"equal ends at start", "08:00-08:00", "mon-fri", time.UTC, "2024-01-01 08:00:00", true},
		{"equal ends before first", "08:00-08:00", "mon-fri", time.UTC, "2024-01-01 07:59:00", false},
		{"equal ends next morning", "08:00-08:00", "mon-fri", time.UTC, "2024-01-02 07:00:00", true},
		{"equal ends saturday early", "08:00-08:00", "mon-fri", time.UTC, "2024-01-06 07:59:59", true},
		{"equal ends saturday late", "08:00-08:00", "mon-fri", time.UTC, "2024-01-06 08:00:00", false},
		{"whole days saturday", "00:00-00:00", "sat,sun", time.UTC, "2024-01-06 00:00:00", true},
		{"whole days sunday night", "00:00-00:00", "sat,sun", time.UTC, "2024-01-07 23:59:59", true},
		{"whole days monday", "00:00-00:00", "sat,sun", time.UTC, "2024-01-08 00:00:00", false},
		{"whole days friday night", "00:00-00:00", "sat,sun", time.UTC, "2024-01-05 23:59:00", false},
		{"until 24:00 last minute", "18:00-24:00", "mon", time.UTC, "2024-01-01 23:59:00", true},
		{"until 24:00 midnight", "18:00-24:00", "mon", time.UTC, "2024-01-02 00:00:00", false},
		{"full day 24:00", "00:00-24:00", "mon", time.UTC, "2024-01-01 23:59:59", true},
		{"wrapping days sunday", "", "fri-mon", time.UTC, "2024-01-07 10:00:00", true},
		{"wrapping days tuesday", "", "fri-mon", time.UTC, "2024-01-02 10:00:00", false},
		{"zone local nine", "09:00-18:00", "mon-fri", newYork, "2024-01-01 09:00:00", true},
		{"zone local before nine", "09:00-18:00", "mon-fri", newYork, "2024-01-01 08:59:00", false},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.hours, tt.days, tt.loc)
			when := at(t, tt.loc, tt.when)

			if got := s.Active(when); got != tt.want {
				t.Errorf("%v.Active(%s) = %v, want %v", s, tt.when, got, tt.want)
			}
		})
	}
}

func TestActiveReadsPersonaZone(t *testing.T) {
	newYork := mustLoad(t, "America/New_York")
	s := mustParse(t, "09:00-18:00", "mon-fri", newYork)

	// 14:00 UTC is 09:00 EST, and 13:59 UTC is 08:59 EST.
	if !s.Active(at(t, time.UTC, "2024-01-01 14:00:00")) {
		t.Error("14:00 UTC on a Monday is not active for 09:00 New York")
	}

	if s.Active(at(t, time.UTC, "2024-01-01 13:59:00")) {
		t.Error("13:59 UTC on a Monday is active for 09:00 New York")
	}
}

func TestAlways(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	s := Always(berlin)
	when := at(t, berlin, "2024-01-06 03:17:00")

	if !s.Active(when) {
		t.Errorf("Always.Active(%v) = false", when)
	}

	if got := s.NextActive(when); !got.Equal(when) {
		t.Errorf("Always.NextActive(%v) = %v, want the same time", when, got)
	}

	if got, want := s.ActiveSince(when), when.Add(-searchLimit); !got.Equal(want) {
		t.Errorf("Always.ActiveSince(%v) = %v, want %v", when, got, want)
	}

	if got := s.Location(); got != berlin {
		t.Errorf("Always.Location() = %v, want %v", got, berlin)
	}

	if got := Always(nil).Location(); got != time.UTC {
		t.Errorf("Always(nil).Location() = %v, want UTC", got)
	}

	if got, want := s.String(), "always Europe/Berlin"; got != want {
		t.Errorf("Always.String() = %q, want %q", got, want)
	}
}

func TestZeroScheduleNeverActive(t *testing.T) {
	var s Schedule
	when := at(t, time.UTC, "2024-01-01 12:00:00")

	if s.Active(when) {
		t.Error("zero Schedule is active")
	}

	if got := s.NextActive(when); !got.IsZero() {
		t.Errorf("zero Schedule NextActive = %v, want the zero time", got)
	}
}

func TestNextActive(t *testing.T) {
	tests := []struct {
		name  string
		hours string
		days  string
		from  string
		want  string
	}{
		{"already active", "09:00-18:00", "mon-fri", "2024-01-01 10:00:30", "2024-01-01 10:00:30"},
		{"seconds before start", "09:00-18:00", "mon-fri", "2024-01-01 08:59:30", "2024-01-01 09:00:00"},
		{"friday evening", "09:00-18:00", "mon-fri", "2024-01-05 18:00:00", "2024-01-08 09:00:00"},
		{"saturday noon", "09:00-18:00", "mon-fri", "2024-01-06 12:00:00", "2024-01-08 09:00:00"},
		{"after midnight", "09:00-18:00", "mon-fri", "2024-01-02 00:30:00", "2024-01-02 09:00:00"},
		{"night window end", "22:00-06:00", "mon-fri", "2024-01-06 06:00:00", "2024-01-08 22:00:00"},
		{"night window afternoon", "22:00-06:00", "mon-fri", "2024-01-03 15:45:10", "2024-01-03 22:00:00"},
		{"night inside wrap", "22:00-06:00", "mon-fri", "2024-01-06 05:59:59", "2024-01-06 05:59:59"},
		{"whole days weekend", "00:00-00:00", "mon-fri", "2024-01-06 00:00:00", "2024-01-08 00:00:00"},
		{"single day a week", "10:00-11:00", "wed", "2024-01-03 11:00:00", "2024-01-10 10:00:00"},
		{"wrapping day range", "09:00-18:00", "fri-mon", "2024-01-02 09:00:00", "2024-01-05 09:00:00"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.hours, tt.days, time.UTC)
			from, want := at(t, time.UTC, tt.from), at(t, time.UTC, tt.want)

			if got := s.NextActive(from); !got.Equal(want) {
				t.Errorf("%v.NextActive(%s) = %v, want %v", s, tt.from, got, want)
			}
		})
	}
}

func TestActiveSince(t *testing.T) {
	tests := []struct {
		name  string
		hours string
		days  string
		from  string
		want  string
	}{
		{"inactive returns input", "09:00-18:00", "mon-fri", "2024-01-01 08:00:00", "2024-01-01 08:00:00"},
		{"within day", "09:00-18:00", "mon-fri", "2024-01-01 10:00:30", "2024-01-01 09:00:00"},
		{"at start", "09:00-18:00", "mon-fri", "2024-01-01 09:00:00", "2024-01-01 09:00:00"},
		{"night after midnight", "22:00-06:00", "mon-fri", "2024-01-02 03:00:00", "2024-01-01 22:00:00"},
		{"night saturday morning", "22:00-06:00", "mon-fri", "2024-01-06 05:00:00", "2024-01-05 22:00:00"},
		{"whole days joined", "00:00-00:00", "mon-fri", "2024-01-05 15:00:00", "2024-01-01 00:00:00"},
		{"equal ends joined", "08:00-08:00", "mon,tue", "2024-01-03 07:00:00", "2024-01-01 08:00:00"},
		{"wrapping range joined", "00:00-24:00", "fri-mon", "2024-01-08 12:00:00", "2024-01-05 00:00:00"},
		{"every night", "22:00-06:00", "mon-sun", "2024-01-07 01:00:00", "2024-01-06 22:00:00"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.hours, tt.days, time.UTC)
			from, want := at(t, time.UTC, tt.from), at(t, time.UTC, tt.want)

			if got := s.ActiveSince(from); !got.Equal(want) {
				t.Errorf("%v.ActiveSince(%s) = %v, want %v", s, tt.from, got, want)
			}
		})
	}
}

func TestActiveSinceLimit(t *testing.T) {
	s := mustParse(t, "00:00-00:00", "mon-sun", time.UTC)
	from := at(t, time.UTC, "2024-01-10 12:00:00")

	if got, want := s.ActiveSince(from), from.Add(-searchLimit); !got.Equal(want) {
		t.Errorf("ActiveSince of an endless stretch = %v, want %v", got, want)
	}
}

// TestDaylightSaving uses instants in UTC so that each case names one moment
// on a day when the zone's offset changes.
func TestDaylightSaving(t *testing.T) {
	newYork := mustLoad(t, "America/New_York")
	berlin := mustLoad(t, "Europe/Berlin")

	tests := []struct {
		name   string
		hours  string
		days   string
		loc    *time.Location
		from   string
		active bool
		next   string
		since  string
	}{
		// New York moved from 02:00 EST to 03:00 EDT on 2024-03-10 at
		// 07:00 UTC, so a 02:30 start begins at 03:00 EDT.
		{
			name: "skipped start not yet", hours: "02:30-04:00", days: "sun", loc: newYork,
			from: "2024-03-10 06:59:59", active: false,
			next: "2024-03-10 07:00:00", since: "2024-03-10 06:59:59",
		},
		{
			name: "skipped start begun", hours: "02:30-04:00", days: "sun", loc: newYork,
			from: "2024-03-10 07:30:00", active: true,
			next: "2024-03-10 07:30:00", since: "2024-03-10 07:00:00",
		},
		{
			name: "skipped window whole", hours: "02:00-02:59", days: "sun", loc: newYork,
			from: "2024-03-10 05:00:00", active: false,
			next: "2024-03-17 06:00:00", since: "2024-03-10 05:00:00",
		},
		{
			name: "night across spring forward", hours: "22:00-06:00", days: "sat", loc: newYork,
			from: "2024-03-10 09:30:00", active: true,
			next: "2024-03-10 09:30:00", since: "2024-03-10 03:00:00",
		},
		// New York moved from 02:00 EDT back to 01:00 EST on 2024-11-03 at
		// 06:00 UTC, so 01:30 happens twice and is active both times.
		{
			name: "repeated hour first", hours: "01:30-02:00", days: "sun", loc: newYork,
			from: "2024-11-03 05:45:00", active: true,
			next: "2024-11-03 05:45:00", since: "2024-11-03 05:30:00",
		},
		{
			name: "repeated hour between", hours: "01:30-02:00", days: "sun", loc: newYork,
			from: "2024-11-03 06:10:00", active: false,
			next: "2024-11-03 06:30:00", since: "2024-11-03 06:10:00",
		},
		{
			name: "repeated hour second", hours: "01:30-02:00", days: "sun", loc: newYork,
			from: "2024-11-03 06:45:00", active: true,
			next: "2024-11-03 06:45:00", since: "2024-11-03 06:30:00",
		},
		// Berlin moved from 02:00 CET to 03:00 CEST on 2024-03-31 at
		// 01:00 UTC and back on 2024-10-27 at 01:00 UTC.
		{
			name: "berlin night shortened", hours: "22:00-06:00", days: "sat", loc: berlin,
			from: "2024-03-31 03:00:00", active: true,
			next: "2024-03-31 03:00:00", since: "2024-03-30 21:00:00",
		},
		{
			name: "berlin next week in summer time", hours: "22:00-06:00", days: "sat", loc: berlin,
			from: "2024-03-31 04:00:00", active: false,
			next: "2024-04-06 20:00:00", since: "2024-03-31 04:00:00",
		},
		{
			name: "berlin skipped start", hours: "02:30-05:00", days: "sun", loc: berlin,
			from: "2024-03-30 23:00:00", active: false,
			next: "2024-03-31 01:00:00", since: "2024-03-30 23:00:00",
		},
		{
			name: "berlin night lengthened", hours: "22:00-06:00", days: "sat", loc: berlin,
			from: "2024-10-27 04:59:00", active: true,
			next: "2024-10-27 04:59:00", since: "2024-10-26 20:00:00",
		},
		{
			name: "berlin whole days across change", hours: "00:00-00:00", days: "sat,sun", loc: berlin,
			from: "2024-10-27 22:59:59", active: true,
			next: "2024-10-27 22:59:59", since: "2024-10-25 22:00:00",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.hours, tt.days, tt.loc)
			from := at(t, time.UTC, tt.from)

			if got := s.Active(from); got != tt.active {
				t.Errorf("%v.Active(%s UTC) = %v, want %v", s, tt.from, got, tt.active)
			}

			if got, want := s.NextActive(from), at(t, time.UTC, tt.next); !got.Equal(want) {
				t.Errorf("%v.NextActive(%s UTC) = %v, want %v", s, tt.from, got.UTC(), want)
			}

			if got, want := s.ActiveSince(from), at(t, time.UTC, tt.since); !got.Equal(want) {
				t.Errorf("%v.ActiveSince(%s UTC) = %v, want %v", s, tt.from, got.UTC(), want)
			}
		})
	}
}

// TestRandomTimes checks NextActive and ActiveSince against Active over many
// random schedules, zones and times, half of them close to a change of the
// zone's offset.
func TestRandomTimes(t *testing.T) {
	zones := []string{
		"UTC", "America/New_York", "Europe/Berlin", "America/Sao_Paulo",
		"Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham",
	}

	r := rand.New(rand.NewPCG(1, 2))
	year := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

	for i := range 600 {
		loc := mustLoad(t, zones[r.IntN(len(zones))])
		s := randomSchedule(r, loc)
		when := year.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))

		if i%2 == 0 {
			if _, change := when.In(loc).ZoneBounds(); !change.IsZero() {
				offset := time.Duration(r.Int64N(int64(72*time.Hour))) - 36*time.Hour
				when = change.Add(offset)
			}
		}

		checkNextActive(t, r, s, when)
		checkActiveSince(t, r, s, when)
	}
}

func randomSchedule(r *rand.Rand, loc *time.Location) Schedule {
	s := Schedule{loc: loc, start: r.IntN(minutesPerDay), end: r.IntN(minutesPerDay + 1)}

	for !(s.days[0] || s.days[1] || s.days[2] || s.days[3] || s.days[4] || s.days[5] || s.days[6]) {
		for d := range s.days {
			s.days[d] = r.IntN(2) == 0
		}
	}

	return s
}

// samples returns the instants between from and to that a check visits:
// every minute for short spans and random ones for long spans.
func samples(r *rand.Rand, from, to time.Time) []time.Time {
	span := to.Sub(from)

	var out []time.Time
	if span <= 36*time.Hour {
		for x := from; x.Before(to); x = x.Add(time.Minute) {
			out = append(out, x)
		}

		return out
	}

	for range 2000 {
		out = append(out, from.Add(time.Duration(r.Int64N(int64(span)))))
	}

	return out
}

func checkNextActive(t *testing.T, r *rand.Rand, s Schedule, when time.Time) {
	t.Helper()

	next := s.NextActive(when)
	if next.IsZero() {
		t.Fatalf("%v.NextActive(%v) found nothing", s, when)
	}

	if next.Before(when) {
		t.Fatalf("%v.NextActive(%v) = %v, before its input", s, when, next)
	}

	if !s.Active(next) {
		t.Fatalf("%v.NextActive(%v) = %v, which is not active", s, when, next)
	}

	if next.Equal(when) {
		return
	}

	if s.Active(next.Add(-time.Nanosecond)) {
		t.Fatalf("%v.NextActive(%v) = %v, but the instant before is active", s, when, next)
	}

	for _, x := range samples(r, when, next) {
		if s.Active(x) {
			t.Fatalf("%v.NextActive(%v) = %v skips active %v", s, when, next, x)
		}
	}
}

func checkActiveSince(t *testing.T, r *rand.Rand, s Schedule, when time.Time) {
	t.Helper()

	since := s.ActiveSince(when)
	if !s.Active(when) {
		if !since.Equal(when) {
			t.Fatalf("%v.ActiveSince(inactive %v) = %v, want its input", s, when, since)
		}

		return
	}

	if since.After(when) {
		t.Fatalf("%v.ActiveSince(%v) = %v, after its input", s, when, since)
	}

	if !s.Active(since) {
		t.Fatalf("%v.ActiveSince(%v) = %v, which is not active", s, when, since)
	}

	limited := since.Equal(when.Add(-searchLimit))
	if !limited && s.Active(since.Add(-time.Nanosecond)) {
		t.Fatalf("%v.ActiveSince(%v) = %v, but the instant before is active", s, when, since)
	}

	for _, x := range samples(r, since, when) {
		if !s.Active(x) {
			t.Fatalf("%v.ActiveSince(%v) = %v spans inactive %v", s, when, since, x)
		}
	}
}
