//go:build !linux

package notify

// monotonicMicroseconds reports no clock outside Linux, where systemd does
// not run, so Reloading sends RELOADING=1 alone.
func monotonicMicroseconds() (int64, bool) {
	return 0, false
}
