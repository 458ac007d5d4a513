package notify

import (
	"syscall"
	"unsafe"
)

// clockMonotonic is CLOCK_MONOTONIC from <time.h>.
const clockMonotonic = 1

// monotonicMicroseconds returns CLOCK_MONOTONIC in microseconds, the clock
// systemd compares MONOTONIC_USEC against. Go's time package keeps its
// monotonic reading private, so the clock is read with clock_gettime(2).
func monotonicMicroseconds() (int64, bool) {
	var ts syscall.Timespec
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		return 0, false
	}
	return ts.Nano() / 1000, true
}
