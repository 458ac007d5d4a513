package workhours

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	defaultHours = "09:00-18:00"
	defaultDays  = "mon-fri"
)

// dayNames contains the full English weekday names, indexed by time.Weekday.
// Their first three letters are the short forms.
var dayNames = [7]string{
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
}

// parseHours reads "HH:MM-HH:MM" into minutes after midnight.
func parseHours(hours string) (start, end int, err error) {
	text := strings.TrimSpace(hours)
	if text == "" {
		text = defaultHours
	}

	invalid := func() error {
		return fmt.Errorf("invalid active hours %q: use HH:MM-HH:MM in 24-hour time, "+
			"for example 09:00-18:00 or 22:00-06:00", hours)
	}

	from, to, ok := strings.Cut(text, "-")
	if !ok {
		return 0, 0, invalid()
	}

	start, ok = parseClock(strings.TrimSpace(from))
	if !ok || start == minutesPerDay {
		return 0, 0, invalid()
	}

	end, ok = parseClock(strings.TrimSpace(to))
	if !ok {
		return 0, 0, invalid()
	}

	return start, end, nil
}

// parseClock reads "H:MM" or "HH:MM" into minutes after midnight, accepting
// 24:00 as the end of the day.
func parseClock(text string) (int, bool) {
	h, m, ok := strings.Cut(text, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !digits(h) || !digits(m) {
		return 0, false
	}

	hour, _ := strconv.Atoi(h)
	minute, _ := strconv.Atoi(m)

	switch {
	case hour == 24 && minute == 0:
		return minutesPerDay, true
	case hour > 23 || minute > 59:
		return 0, false
	}

	return hour*60 + minute, true
}

func digits(text string) bool {
	for _, c := range text {
		if c < '0' || c > '9' {
			return false
		}
	}

	return true
}

// parseDays reads a comma-separated list of day names and ranges, such as
// "mon-wed,fri", into a set indexed by time.Weekday.
func parseDays(days string) ([7]bool, error) {
	var set [7]bool

	text := strings.ToLower(strings.TrimSpace(days))
	if text == "" {
		text = defaultDays
	}

	for item := range strings.SplitSeq(text, ",") {
		first, last, isRange := strings.Cut(item, "-")
		if !isRange {
			last = first
		}

		from, okFrom := parseDay(strings.TrimSpace(first))
		to, okTo := parseDay(strings.TrimSpace(last))

		if !okFrom || !okTo {
			return set, fmt.Errorf("invalid active days %q: use day names or ranges "+
				"separated by commas, for example mon-fri, sun-thu or mon,wed,fri", days)
		}

		// A range runs forward through the week, so "fri-mon" wraps
		// over the weekend.
		for d := from; ; d = (d + 1) % 7 {
			set[d] = true
			if d == to {
				break
			}
		}
	}

	return set, nil
}

// parseDay reads a lowercase weekday name, three-letter or full.
func parseDay(name string) (time.Weekday, bool) {
	for d, full := range dayNames {
		if name == full || name == full[:3] {
			return time.Weekday(d), true
		}
	}

	return 0, false
}

// formatMinute writes minutes after midnight as HH:MM, with 24:00 for the
// end of the day.
func formatMinute(minute int) string {
	return fmt.Sprintf("%02d:%02d", minute/60, minute%60)
}
