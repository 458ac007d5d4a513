package workhours

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseString(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")

	tests := []struct {
		name  string
		hours string
		days  string
		loc   *time.Location
		want  string
	}{
		{"defaults", "", "", berlin, "09:00-18:00 mon-fri Europe/Berlin"},
		{"blank defaults", "  ", " ", berlin, "09:00-18:00 mon-fri Europe/Berlin"},
		{"nil zone is utc", "", "", nil, "09:00-18:00 mon-fri UTC"},
		{"single digit hour", "9:00-17:30", "mon-fri", time.UTC, "09:00-17:30 mon-fri UTC"},
		{"spaces around dash", " 08:00 - 16:00 ", "mon-fri", time.UTC, "08:00-16:00 mon-fri UTC"},
		{"midnight wrap", "22:00-06:00", "mon-fri", time.UTC, "22:00-06:00 mon-fri UTC"},
		{"end at 24:00", "18:00-24:00", "mon", time.UTC, "18:00-24:00 mon UTC"},
		{"equal ends", "08:00-08:00", "mon,tue", time.UTC, "08:00-08:00 mon-tue UTC"},
		{"upper case range", "", "SUN-THU", time.UTC, "09:00-18:00 sun-thu UTC"},
		{"full names", "", "Monday,Wednesday,Friday", time.UTC, "09:00-18:00 mon,wed,fri UTC"},
		{"mixed list", "", "mon-wed,fri", time.UTC, "09:00-18:00 mon-wed,fri UTC"},
		{"wrapping range", "", "fri-mon", time.UTC, "09:00-18:00 fri-mon UTC"},
		{"weekend list", "", "sun,sat", time.UTC, "09:00-18:00 sat-sun UTC"},
		{"whole week", "", "mon-sun", time.UTC, "09:00-18:00 mon-sun UTC"},
		{"range of one day", "", "wed-wed", time.UTC, "09:00-18:00 wed UTC"},
		{"spaces in list", "", " tue , thu ", time.UTC, "09:00-18:00 tue,thu UTC"},
		{"overlapping items", "", "mon-wed,tue,wed-thu", time.UTC, "09:00-18:00 mon-thu UTC"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.hours, tt.days, tt.loc)
			if err != nil {
				t.Fatalf("Parse(%q, %q) error: %v", tt.hours, tt.days, err)
			}

			if diff := cmp.Diff(tt.want, s.String()); diff != "" {
				t.Errorf("String() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	tests := []struct {
		name  string
		hours string
		days  string
		// wantText lists substrings the error must contain: the value
		// and a hint at the accepted form.
		wantText []string
	}{
		{"hours without minutes", "9-17", "", []string{`"9-17"`, "HH:MM-HH:MM"}},
		{"hours without end", "09:00", "", []string{`"09:00"`, "HH:MM-HH:MM"}},
		{"three clocks", "09:00-18:00-20:00", "", []string{`"09:00-18:00-20:00"`}},
		{"hour out of range", "25:00-26:00", "", []string{`"25:00-26:00"`}},
		{"minute out of range", "09:60-10:00", "", []string{`"09:60-10:00"`}},
		{"start at 24:00", "24:00-06:00", "", []string{`"24:00-06:00"`}},
		{"past 24:00", "09:00-24:01", "", []string{`"09:00-24:01"`}},
		{"letters", "ab:cd-ef:gh", "", []string{`"ab:cd-ef:gh"`}},
		{"words", "9am to 5pm", "", []string{`"9am to 5pm"`}},
		{"signed hour", "+9:00-10:00", "", []string{`"+9:00-10:00"`}},
		{"three digit hour", "009:00-10:00", "", []string{`"009:00-10:00"`}},
		{"one digit minute", "09:0-10:00", "", []string{`"09:0-10:00"`}},
		{"open range", "", "mon-", []string{`"mon-"`, "mon-fri"}},
		{"unknown day", "", "funday", []string{`"funday"`, "mon,wed,fri"}},
		{"empty item", "", "mon,,fri", []string{`"mon,,fri"`}},
		{"two letter day", "", "mo", []string{`"mo"`}},
		{"numbers", "", "1-5", []string{`"1-5"`}},
		{"en dash", "", "mon–fri", []string{`"mon–fri"`}},
		{"semicolon", "", "mon;fri", []string{`"mon;fri"`}},
		{"double range", "", "mon-wed-fri", []string{`"mon-wed-fri"`}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.hours, tt.days, time.UTC)
			if err == nil {
				t.Fatalf("Parse(%q, %q) = %v, want an error", tt.hours, tt.days, s)
			}

			for _, want := range tt.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

// FuzzParse checks that Parse never panics and that String writes a form
// Parse reads back to the same schedule.
func FuzzParse(f *testing.F) {
	f.Add("09:00-18:00", "mon-fri")
	f.Add("22:00-06:00", "sun-thu")
	f.Add("08:00-08:00", "fri-mon,wed")
	f.Add("18:00-24:00", "Monday")

	f.Fuzz(func(t *testing.T, hours, days string) {
		s, err := Parse(hours, days, time.UTC)
		if err != nil {
			return
		}

		clock, rest, _ := strings.Cut(s.String(), " ")
		dayList, _, _ := strings.Cut(rest, " ")

		again, err := Parse(clock, dayList, time.UTC)
		if err != nil {
			t.Fatalf("Parse(%q, %q) of String() output: %v", clock, dayList, err)
		}

		if diff := cmp.Diff(s, again, scheduleComparer); diff != "" {
			t.Errorf("schedule changed on a round trip (-want +got):\n%s", diff)
		}
	})
}
