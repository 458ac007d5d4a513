// Package notify sends the service's state to systemd over the sd_notify
// protocol, described in sd_notify(3). Each notification is one datagram of
// newline-separated VAR=value fields, sent to the Unix socket named by
// NOTIFY_SOCKET.
package notify

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// sendTimeout bounds one datagram send, so a stalled systemd cannot block
// the daemon.
const sendTimeout = time.Second

// Notifier sends state changes to systemd. A nil *Notifier, which New
// returns when the process does not run under a systemd notify unit,
// accepts every call and sends nothing.
type Notifier struct {
	addr *net.UnixAddr
	// err is set when NOTIFY_SOCKET names an address this package cannot
	// use, and is returned by every send.
	err error
}

// New returns a Notifier for the socket in NOTIFY_SOCKET, or nil when the
// variable is unset or empty. The value is an absolute path, or an abstract
// socket name starting with '@'. Other values, such as the vsock addresses
// of systemd 254 and later, give a Notifier whose every send fails with an
// error naming the value.
func New() *Notifier {
	socket := os.Getenv("NOTIFY_SOCKET")
	if socket == "" {
		return nil
	}
	if socket[0] != '/' && socket[0] != '@' {
		return &Notifier{err: fmt.Errorf("unsupported NOTIFY_SOCKET %q: want an absolute path or an abstract socket name starting with @", socket)}
	}
	// On Linux, Go's syscall package turns a leading '@' into the NUL byte
	// that starts an abstract socket address.
	return &Notifier{addr: &net.UnixAddr{Name: socket, Net: "unixgram"}}
}

// Ready sends READY=1, which reports that start-up, or a reload announced
// with Reloading, has finished.
func (n *Notifier) Ready() error {
	return n.send("READY=1")
}

// Stopping sends STOPPING=1, which reports that the service has begun to
// shut down.
func (n *Notifier) Stopping() error {
	return n.send("STOPPING=1")
}

// Reloading sends RELOADING=1, which reports that the service has begun to
// reload its configuration. On Linux it also sends MONOTONIC_USEC, the
// current CLOCK_MONOTONIC time, which systemd 253 and later use to match
// the notification to a reload request (see Type=notify-reload in
// systemd.service(5)). Call Ready when the reload has finished, because
// systemd keeps the unit in the reloading state until then.
func (n *Notifier) Reloading() error {
	state := "RELOADING=1"
	if usec, ok := monotonicMicroseconds(); ok {
		state += "\nMONOTONIC_USEC=" + strconv.FormatInt(usec, 10)
	}
	return n.send(state)
}

// Status sets the one-line status text that `systemctl status` shows.
// Line breaks in text are replaced by spaces.
func (n *Notifier) Status(text string) error {
	text = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(text)
	return n.send("STATUS=" + text)
}

// Watchdog resets systemd's watchdog timer for the service. See
// WatchdogInterval for how often to call it.
func (n *Notifier) Watchdog() error {
	return n.send("WATCHDOG=1")
}

// send writes state to the notify socket in one datagram. A fresh socket is
// used for each send, as systemd's own client does, so there is no
// connection to keep alive or reopen after systemd restarts.
func (n *Notifier) send(state string) error {
	if n == nil {
		return nil
	}
	if n.err != nil {
		return n.err
	}
	conn, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("connecting to NOTIFY_SOCKET %s: %w", n.addr.Name, err)
	}
	defer conn.Close()
	if err := conn.SetWriteDeadline(time.Now().Add(sendTimeout)); err != nil {
		return fmt.Errorf("setting the send deadline on NOTIFY_SOCKET %s: %w", n.addr.Name, err)
	}
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sending %q to NOTIFY_SOCKET %s: %w", state, n.addr.Name, err)
	}
	return nil
}
