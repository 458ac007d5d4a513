package notify

import (
	"os"
	"strconv"
	"time"
)

// WatchdogInterval returns the watchdog timeout systemd set for this
// process (WatchdogSec= of the unit), and whether the watchdog is on. It
// reads WATCHDOG_USEC, and WATCHDOG_PID when present, which must then be
// this process's id. Call Notifier.Watchdog at least every half of the
// returned interval, as sd_watchdog_enabled(3) recommends, so one late
// ping does not get the service killed.
func WatchdogInterval() (time.Duration, bool) {
	usec, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || usec <= 0 {
		return 0, false
	}
	if pid := os.Getenv("WATCHDOG_PID"); pid != "" {
		if p, err := strconv.Atoi(pid); err != nil || p != os.Getpid() {
			return 0, false
		}
	}
	return time.Duration(usec) * time.Microsecond, true
}
