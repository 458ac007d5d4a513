package notify

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listen opens a datagram socket at address, points NOTIFY_SOCKET at it and
// returns it.
func listen(t *testing.T, address string) *net.UnixConn {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: address, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listening on %s: %v", address, err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", address)
	return conn
}

// receive reads one datagram from conn.
func receive(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatalf("setting the read deadline: %v", err)
	}
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("reading a notification: %v", err)
	}
	return string(buf[:n])
}

func TestNotifierSendsEachState(t *testing.T) {
	conn := listen(t, filepath.Join(t.TempDir(), "notify.sock"))
	n := New()
	if n == nil {
		t.Fatal("New returned nil with NOTIFY_SOCKET set")
	}

	tests := []struct {
		name string
		send func() error
		want string
	}{
		{"ready", n.Ready, "READY=1"},
		{"stopping", n.Stopping, "STOPPING=1"},
		{"watchdog", n.Watchdog, "WATCHDOG=1"},
		{"status", func() error { return n.Status("delivered 3 messages") }, "STATUS=delivered 3 messages"},
		{"status on one line", func() error { return n.Status("tick failed:\nengine down\r\nretrying") }, "STATUS=tick failed: engine down retrying"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.send(); err != nil {
				t.Fatalf("send: %v", err)
			}
			if got := receive(t, conn); got != tt.want {
				t.Errorf("datagram = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReloadingSendsMonotonicTime(t *testing.T) {
	conn := listen(t, filepath.Join(t.TempDir(), "notify.sock"))
	n := New()

	before, ok := monotonicMicroseconds()
	if err := n.Reloading(); err != nil {
		t.Fatalf("Reloading: %v", err)
	}
	after, _ := monotonicMicroseconds()
	got := receive(t, conn)

	if !ok {
		if got != "RELOADING=1" {
			t.Errorf("datagram = %q, want RELOADING=1 alone without a monotonic clock", got)
		}
		return
	}
	rest, found := strings.CutPrefix(got, "RELOADING=1\nMONOTONIC_USEC=")
	if !found {
		t.Fatalf("datagram = %q, want RELOADING=1 then MONOTONIC_USEC", got)
	}
	usec, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		t.Fatalf("MONOTONIC_USEC %q is not a whole number: %v", rest, err)
	}
	if usec < before || usec > after {
		t.Errorf("MONOTONIC_USEC = %d, want between %d and %d", usec, before, after)
	}
}

func TestNotifierAbstractSocket(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("abstract Unix sockets exist only on Linux")
	}
	conn := listen(t, fmt.Sprintf("@emailgend-notify-test-%d-%d", os.Getpid(), time.Now().UnixNano()))

	if err := New().Ready(); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	if got := receive(t, conn); got != "READY=1" {
		t.Errorf("datagram = %q, want READY=1", got)
	}
}

func TestNewWithoutSocket(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	n := New()
	if n != nil {
		t.Fatalf("New = %+v, want nil without NOTIFY_SOCKET", n)
	}

	calls := map[string]func() error{
		"Ready":     n.Ready,
		"Stopping":  n.Stopping,
		"Reloading": n.Reloading,
		"Status":    func() error { return n.Status("idle") },
		"Watchdog":  n.Watchdog,
	}
	for name, call := range calls {
		if err := call(); err != nil {
			t.Errorf("%s on a nil Notifier: %v, want nil", name, err)
		}
	}
}

func TestNotifierUnsupportedSocket(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "vsock:2:1234")
	err := New().Ready()
	if err == nil {
		t.Fatal("Ready succeeded with a vsock NOTIFY_SOCKET")
	}
	if !strings.Contains(err.Error(), `"vsock:2:1234"`) {
		t.Errorf("error %q does not name the NOTIFY_SOCKET value", err)
	}
}

func TestNotifierMissingSocket(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent.sock")
	t.Setenv("NOTIFY_SOCKET", missing)
	err := New().Ready()
	if err == nil {
		t.Fatal("Ready succeeded without a listening socket")
	}
	if !strings.Contains(err.Error(), missing) {
		t.Errorf("error %q does not name the socket path", err)
	}
}

func TestWatchdogInterval(t *testing.T) {
	pid := strconv.Itoa(os.Getpid())
	tests := []struct {
		name   string
		usec   string
		pid    string
		want   time.Duration
		wantOK bool
	}{
		{"unset", "", "", 0, false},
		{"for this process", "60000000", pid, time.Minute, true},
		{"without pid", "30000000", "", 30 * time.Second, true},
		{"for another process", "60000000", strconv.Itoa(os.Getpid() + 1), 0, false},
		{"invalid pid", "60000000", "init", 0, false},
		{"zero", "0", pid, 0, false},
		{"negative", "-5", pid, 0, false},
		{"not a number", "1m", pid, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("WATCHDOG_USEC", tt.usec)
			t.Setenv("WATCHDOG_PID", tt.pid)
			got, ok := WatchdogInterval()
			if ok != tt.wantOK {
				t.Errorf("enabled = %v, want %v", ok, tt.wantOK)
			}
			if got != tt.want {
				t.Errorf("interval = %s, want %s", got, tt.want)
			}
		})
	}
}
