package dates

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/decnet/emailgend/internal/workhours"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()

	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("loading zone %s: %v", name, err)
	}

	return loc
}

func mustParse(t testing.TB, hours, days string, loc *time.Location) workhours.Schedule {
	t.Helper()

	s, err := workhours.Parse(hours, days, loc)
	if err != nil {
		t.Fatalf("parsing schedule %q %q: %v", hours, days, err)
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

// checkDate checks the rules every Date follows: not after now, after the
// lower bound, active, in the sender's zone and a whole second.
func checkDate(t *testing.T, s workhours.Schedule, date, lower, now time.Time) {
	t.Helper()

	if date.After(now) {
		t.Errorf("date %v is after now %v", date, now)
	}

	if !date.After(lower) {
		t.Errorf("date %v is not after the lower bound %v", date, lower)
	}

	if !s.Active(date) {
		t.Errorf("date %v is outside the schedule %v", date, s)
	}

	if date.Location() != s.Location() {
		t.Errorf("date %v is in zone %v, want %v", date, date.Location(), s.Location())
	}

	if date.Nanosecond() != 0 {
		t.Errorf("date %v is not a whole second", date)
	}
}

// In January 2024 the 1st is a Monday and the 6th a Saturday.
func TestPickNew(t *testing.T) {
	office := mustParse(t, "09:00-18:00", "mon-fri", time.UTC)
	night := mustParse(t, "22:00-06:00", "mon-fri", time.UTC)

	tests := []struct {
		name     string
		schedule workhours.Schedule
		now      string
		after    string
		lookback time.Duration
		wantOK   bool
		// lower is the bound the Date must be after.
		lower string
	}{
		{"inside window", office, "2024-01-02 11:00:00", "", 5 * time.Minute, true, "2024-01-02 10:55:00"},
		{"after newest date", office, "2024-01-02 11:00:00", "2024-01-02 10:58:30", 5 * time.Minute, true, "2024-01-02 10:58:30"},
		{"window just opened", office, "2024-01-02 09:01:00", "", time.Hour, true, "2024-01-02 09:00:00"},
		{"window opening second", office, "2024-01-02 09:00:00", "", time.Hour, false, ""},
		{"outside window", office, "2024-01-02 18:00:00", "", time.Hour, false, ""},
		{"weekend", office, "2024-01-06 11:00:00", "", time.Hour, false, ""},
		{"newest date is now", office, "2024-01-02 11:00:00", "2024-01-02 11:00:00", time.Hour, false, ""},
		{"newest date in future", office, "2024-01-02 11:00:00", "2024-01-02 12:00:00", time.Hour, false, ""},
		{"no lookback", office, "2024-01-02 11:00:00", "", 0, false, ""},
		{"night after midnight", night, "2024-01-06 01:00:00", "", 8 * time.Hour, true, "2024-01-05 22:00:00"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := at(t, time.UTC, tt.now)

			var after time.Time
			if tt.after != "" {
				after = at(t, time.UTC, tt.after)
			}

			for seed := range uint64(50) {
				r := rand.New(rand.NewPCG(seed, 7))

				date, ok := PickNew(now, tt.schedule, after, tt.lookback, r)
				if ok != tt.wantOK {
					t.Fatalf("PickNew(%s) ok = %v (date %v), want %v", tt.now, ok, date, tt.wantOK)
				}

				if ok {
					checkDate(t, tt.schedule, date, at(t, time.UTC, tt.lower), now)
				}
			}
		})
	}
}

// TestPickNewRandom runs PickNew over many random moments, zones and
// schedules, including night shifts and weekends.
func TestPickNewRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	schedules := randomSchedules(t)
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

	picked := 0
	for range 20000 {
		s := schedules[r.IntN(len(schedules))]
		now := start.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		lookback := time.Duration(1+r.IntN(60)) * time.Minute

		var after time.Time
		if r.IntN(2) == 0 {
			after = now.Add(-time.Duration(r.Int64N(int64(2 * lookback))))
		}

		date, ok := PickNew(now, s, after, lookback, r)

		lower := latest(after, now.Add(-lookback), s.ActiveSince(now))
		wantOK := s.Active(now) && now.Sub(lower.Truncate(time.Second)) >= time.Second
		if ok != wantOK {
			t.Fatalf("PickNew(%v, %v, after %v) ok = %v, want %v", now, s, after, ok, wantOK)
		}

		if ok {
			picked++
			checkDate(t, s, date, lower, now)
			checkOffset(t, date)
		}
	}

	// The schedules are busy enough that many moments give a Date, so the
	// checks above ran often.
	if picked < 2000 {
		t.Errorf("only %d of 20000 random moments gave a Date", picked)
	}
}

// checkOffset checks that a Date outside UTC carries its zone's non-zero
// numeric offset, so that the header never reads -0000 or +0000.
func checkOffset(t *testing.T, date time.Time) {
	t.Helper()

	if date.Location() == time.UTC {
		return
	}

	if _, offset := date.Zone(); offset == 0 {
		t.Errorf("date %v has a zero offset in zone %v", date, date.Location())
	}

	if got := date.Format("-0700"); got == "+0000" || got == "-0000" {
		t.Errorf("date %v formats its offset as %s", date, got)
	}
}

// randomSchedules returns schedules in zones whose offset is never zero, and
// one in UTC.
func randomSchedules(t *testing.T) []workhours.Schedule {
	t.Helper()

	newYork := mustLoad(t, "America/New_York")
	berlin := mustLoad(t, "Europe/Berlin")
	saoPaulo := mustLoad(t, "America/Sao_Paulo")
	kolkata := mustLoad(t, "Asia/Kolkata")

	return []workhours.Schedule{
		mustParse(t, "09:00-18:00", "mon-fri", newYork),
		mustParse(t, "08:30-17:00", "mon-fri", berlin),
		mustParse(t, "22:00-06:00", "mon-fri", berlin),
		mustParse(t, "07:00-19:00", "sun-thu", kolkata),
		mustParse(t, "10:00-10:00", "sat,sun", saoPaulo),
		mustParse(t, "01:30-03:30", "mon-sun", newYork),
		mustParse(t, "09:00-17:00", "mon,wed,fri", time.UTC),
		workhours.Always(saoPaulo),
	}
}

func TestPickReplyRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	schedules := randomSchedules(t)
	latencies := []string{"fast", "normal", "slow", ""}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

	replied := 0
	for range 20000 {
		s := schedules[r.IntN(len(schedules))]
		now := start.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		parent := now.Add(-time.Duration(r.Int64N(int64(7 * 24 * time.Hour))))
		after := parent.Add(time.Duration(r.Int64N(int64(now.Sub(parent)) + 1)))
		lookback := time.Duration(1+r.IntN(60)) * time.Minute
		latency := latencies[r.IntN(len(latencies))]

		date, ok := PickReply(now, s, parent, after, latency, lookback, r)
		if !ok {
			continue
		}

		replied++
		checkDate(t, s, date, latest(parent, after, now.Add(-lookback)), now)
		checkOffset(t, date)
	}

	if replied < 1000 {
		t.Errorf("only %d of 20000 random replies got a Date", replied)
	}
}

// TestPickReplyDelay checks that with nothing else in the way a reply comes
// its latency's delay after the parent.
func TestPickReplyDelay(t *testing.T) {
	tests := []struct {
		latency  string
		min, max time.Duration
	}{
		{"fast", time.Minute, 30 * time.Minute},
		{"normal", 10 * time.Minute, 8 * time.Hour},
		{"slow", 20 * time.Hour, 5 * 24 * time.Hour},
	}

	always := workhours.Always(mustLoad(t, "Europe/Berlin"))
	now := at(t, time.UTC, "2024-01-20 12:00:00")
	parent := now.Add(-10 * 24 * time.Hour)

	for _, tt := range tests {
		t.Run(tt.latency, func(t *testing.T) {
			r := rand.New(rand.NewPCG(8, 9))

			for range 2000 {
				date, ok := PickReply(now, always, parent, parent, tt.latency, 10*24*time.Hour, r)
				if !ok {
					t.Fatalf("PickReply(%s) found no Date", tt.latency)
				}

				// Rounding the Date up to a whole second adds less
				// than a second to the delay.
				delay := date.Sub(parent)
				if delay < tt.min || delay > tt.max+time.Second {
					t.Errorf("reply delay %v outside [%v, %v]", delay, tt.min, tt.max)
				}
			}
		})
	}
}

func TestPickReplyNotYetAnswered(t *testing.T) {
	tests := []struct {
		latency string
		age     time.Duration
	}{
		{"fast", 30 * time.Second},
		{"normal", 5 * time.Minute},
		{"slow", 12 * time.Hour},
	}

	always := workhours.Always(time.UTC)
	now := at(t, time.UTC, "2024-01-03 12:00:00")

	for _, tt := range tests {
		t.Run(tt.latency, func(t *testing.T) {
			r := rand.New(rand.NewPCG(10, 11))
			parent := now.Add(-tt.age)

			for range 500 {
				if date, ok := PickReply(now, always, parent, parent, tt.latency, time.Hour, r); ok {
					t.Fatalf("PickReply to a %v old parent = %v, want no Date yet", tt.age, date)
				}
			}
		})
	}
}

// TestPickReplyAfterWeekend replies to a message sent just before the end of
// a Friday, so most replies move to Monday morning.
func TestPickReplyAfterWeekend(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	office := mustParse(t, "09:00-18:00", "mon-fri", berlin)
	parent := at(t, berlin, "2024-01-05 17:55:00")
	now := at(t, berlin, "2024-01-08 12:00:00")
	r := rand.New(rand.NewPCG(12, 13))

	monday, wholeMinutes := 0, 0
	for range 1000 {
		date, ok := PickReply(now, office, parent, parent, "fast", 4*24*time.Hour, r)
		if !ok {
			t.Fatal("PickReply found no Date for a reply due before now")
		}

		checkDate(t, office, date, parent, now)

		if date.Weekday() == time.Monday {
			monday++

			if date.Hour() != 9 {
				t.Errorf("Monday reply at %v, want within the first hour", date)
			}
		}

		if date.Second() == 0 {
			wholeMinutes++
		}
	}

	if monday < 500 {
		t.Errorf("%d of 1000 fast replies moved to Monday, want most", monday)
	}

	// Replies moved to the start of a window are spread out, so few fall on
	// a whole minute.
	if wholeMinutes > 100 {
		t.Errorf("%d of 1000 replies fall on a whole minute", wholeMinutes)
	}
}

// TestPickReplyStaleTarget replies to an old message whose natural reply
// time is before the lower bound, so the Date comes from the recent interval.
func TestPickReplyStaleTarget(t *testing.T) {
	always := workhours.Always(time.UTC)
	now := at(t, time.UTC, "2024-01-10 12:00:00")
	parent := now.Add(-6 * 24 * time.Hour)
	lookback := 5 * time.Minute
	r := rand.New(rand.NewPCG(14, 15))

	for range 500 {
		date, ok := PickReply(now, always, parent, time.Time{}, "fast", lookback, r)
		if !ok {
			t.Fatal("PickReply found no Date for a stale reply")
		}

		checkDate(t, always, date, now.Add(-lookback), now)
	}
}

func TestReplyDelay(t *testing.T) {
	tests := []struct {
		latency string
		min     time.Duration
		max     time.Duration
		// medianLow and medianHigh bound the sample median.
		medianLow  time.Duration
		medianHigh time.Duration
	}{
		{"fast", time.Minute, 30 * time.Minute, 4 * time.Minute, 9 * time.Minute},
		{"normal", 10 * time.Minute, 8 * time.Hour, 70 * time.Minute, 120 * time.Minute},
		{"slow", 20 * time.Hour, 5 * 24 * time.Hour, 26 * time.Hour, 36 * time.Hour},
		{" FAST ", time.Minute, 30 * time.Minute, 4 * time.Minute, 9 * time.Minute},
		{"unknown", 10 * time.Minute, 8 * time.Hour, 70 * time.Minute, 120 * time.Minute},
		{"", 10 * time.Minute, 8 * time.Hour, 70 * time.Minute, 120 * time.Minute},
	}

	for _, tt := range tests {
		t.Run(tt.latency, func(t *testing.T) {
			r := rand.New(rand.NewPCG(16, 17))

			delays := make([]time.Duration, 5000)
			for i := range delays {
				delays[i] = ReplyDelay(tt.latency, r)

				if delays[i] < tt.min || delays[i] > tt.max {
					t.Fatalf("ReplyDelay(%q) = %v, outside [%v, %v]", tt.latency, delays[i], tt.min, tt.max)
				}
			}

			if m := median(delays); m < tt.medianLow || m > tt.medianHigh {
				t.Errorf("ReplyDelay(%q) median %v, want within [%v, %v]", tt.latency, m, tt.medianLow, tt.medianHigh)
			}

			// Clamping must be rare, or many delays would share a limit.
			atLimit := 0
			for _, d := range delays {
				if d == tt.min || d == tt.max {
					atLimit++
				}
			}

			if atLimit > len(delays)/100 {
				t.Errorf("ReplyDelay(%q) hit a limit %d times in %d", tt.latency, atLimit, len(delays))
			}
		})
	}
}

func median(values []time.Duration) time.Duration {
	sorted := slices.Clone(values)
	slices.Sort(sorted)

	return sorted[len(sorted)/2]
}

// TestCadenceHidden simulates a daemon that ticks exactly every 5 minutes
// for three days with one sender who is always at work, and checks that the
// Dates do not show the tick interval.
func TestCadenceHidden(t *testing.T) {
	const interval = 5 * time.Minute

	s := workhours.Always(mustLoad(t, "Europe/Berlin"))
	r := rand.New(rand.NewPCG(18, 19))
	tick := at(t, time.UTC, "2024-01-01 00:00:00")

	var dates []time.Time
	var newest time.Time

	for range 3 * 24 * 12 {
		tick = tick.Add(interval)

		date, ok := PickNew(tick, s, newest, interval, r)
		if !ok {
			t.Fatalf("PickNew at tick %v found no Date", tick)
		}

		dates = append(dates, date)
		newest = date
	}

	gapCounts := map[int64]int{}
	seconds := map[int]bool{}
	var gaps []float64

	for i, date := range dates {
		seconds[date.Second()] = true
		if i == 0 {
			continue
		}

		gap := date.Sub(dates[i-1])
		if gap <= 0 {
			t.Fatalf("date %v is not after the previous date %v", date, dates[i-1])
		}

		gapCounts[int64(gap/time.Second)]++
		gaps = append(gaps, gap.Seconds())
	}

	for gap, count := range gapCounts {
		if count*20 > len(gaps) {
			t.Errorf("gap of %d s occurs %d times in %d gaps, more than 5%%", gap, count, len(gaps))
		}
	}

	if len(seconds) < 50 {
		t.Errorf("seconds field takes %d distinct values, want at least 50", len(seconds))
	}

	if cv := variation(gaps); cv <= 0.3 {
		t.Errorf("coefficient of variation of gaps = %.3f, want above 0.3", cv)
	}
}

// variation returns the coefficient of variation: standard deviation over
// mean.
func variation(values []float64) float64 {
	var sum float64
	for _, v := range values {
		sum += v
	}

	mean := sum / float64(len(values))

	var squares float64
	for _, v := range values {
		squares += (v - mean) * (v - mean)
	}

	return math.Sqrt(squares/float64(len(values))) / mean
}
