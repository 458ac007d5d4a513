package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/decnet/emailgend/internal/dockertest"
)

// notifySocket listens where the daemon's NOTIFY_SOCKET points and returns
// each datagram it receives.
func notifySocket(t *testing.T) (string, <-chan string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	messages := make(chan string, 100)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			messages <- string(buf[:n])
		}
	}()
	return path, messages
}

func waitForNotification(t *testing.T, messages <-chan string, want string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case m := <-messages:
			if strings.Contains(m, want) {
				return
			}
		case <-deadline:
			t.Fatalf("no %q notification within 30s", want)
		}
	}
}

func TestRunNotifiesSystemd(t *testing.T) {
	dockertest.Client(t)
	socket, messages := notifySocket(t)
	cmd := command(t, twoPersonas, "--schedule", "@every 1h")
	// systemd sets WATCHDOG_USEC from WatchdogSec=; 0.4 s makes the daemon
	// ping every 0.2 s.
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+socket, "WATCHDOG_USEC=400000")
	logs := start(t, cmd)

	waitForNotification(t, messages, "READY=1")
	waitForNotification(t, messages, "WATCHDOG=1")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitForNotification(t, messages, "RELOADING=1")
	waitForNotification(t, messages, "READY=1")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitForNotification(t, messages, "STOPPING=1")
	waitForLog(t, logs, `"emailgend stopped"`)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", err)
	}
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// metricValue returns the value of the first sample line of /metrics that
// starts with prefix, or -1 when there is none.
func metricValue(body, prefix string) float64 {
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, prefix) {
			fields := strings.Fields(line)
			v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

func TestRunServesMetrics(t *testing.T) {
	c := dockertest.Client(t)
	image := dockertest.BusyBoxImage(t, c)
	dockertest.StartDecky(t, c, image, "fleet", "", dockertest.UniqueName("metrics"), "imap", "pop3")
	addr := freeLoopbackAddr(t)
	cmd := command(t, twoPersonas, "--schedule", "@every 1s", "--metrics-addr", addr)
	logs := start(t, cmd)
	for range 3 {
		waitForLog(t, logs, `"message delivered"`)
	}

	code, body := get(t, "http://"+addr+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics status %d", code)
	}
	delivered := regexp.MustCompile(`emailgend_messages_total\{[^}]*result="delivered"[^}]*\} (\d+)`).FindAllStringSubmatch(body, -1)
	total := 0
	for _, m := range delivered {
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	if total < 3 {
		t.Errorf("delivered messages counted %d, want at least 3:\n%s", total, body)
	}
	if v := metricValue(body, "emailgend_persona_pool_size"); v != 2 {
		t.Errorf("emailgend_persona_pool_size = %v, want 2", v)
	}
	if v := metricValue(body, "emailgend_mail_deckies"); v < 1 {
		t.Errorf("emailgend_mail_deckies = %v, want at least 1", v)
	}
	if v := metricValue(body, "emailgend_last_successful_tick_timestamp_seconds"); v < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("last successful tick = %v, want within the last minute", v)
	}
	if v := metricValue(body, `emailgend_persona_pool_reloads_total{result="ok"}`); v < 1 {
		t.Errorf("successful pool reloads = %v, want at least 1", v)
	}
	if code, body := get(t, "http://"+addr+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d %q, want 200", code, body)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, logs, `"emailgend stopped"`)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", err)
	}
}

// TestRunRefusesTakenMetricsPort checks that a daemon asked to serve
// metrics on a port that is taken exits at once with an error naming the
// port, even while no engine answers, instead of running unmonitored.
func TestRunRefusesTakenMetricsPort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()

	cmd := command(t, twoPersonas, "--metrics-addr", addr)
	cmd.Env = append(cmd.Env, "DOCKER_HOST=unix://"+filepath.Join(t.TempDir(), "no-engine.sock"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if code := exitCode(err); code != 1 {
			t.Errorf("exit code = %d, want 1", code)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("emailgend still running 30s after start on a taken metrics port; stderr:\n%s", stderr.String())
	}
	for _, want := range []string{addr, "address already in use", "--metrics-addr"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not contain %q:\n%s", want, stderr.String())
		}
	}
}

// engineProxy forwards a Unix socket to the Docker engine's socket and can
// be taken down and brought back, as an engine restart looks to a client.
type engineProxy struct {
	path, target string

	mu       sync.Mutex
	listener net.Listener
	conns    []net.Conn
}

func (p *engineProxy) up(t *testing.T) {
	t.Helper()
	l, err := net.Listen("unix", p.path)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.listener = l
	p.mu.Unlock()
	go func() {
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			engine, err := net.Dial("unix", p.target)
			if err != nil {
				client.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, client, engine)
			p.mu.Unlock()
			// Half-close each way, because the driver ends an exec's
			// standard input with CloseWrite and still reads its output.
			go func() { io.Copy(engine, client); engine.(*net.UnixConn).CloseWrite() }()
			go func() { io.Copy(client, engine); client.(*net.UnixConn).CloseWrite() }()
		}
	}()
}

func (p *engineProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.listener.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	os.Remove(p.path)
}

func TestRunSurvivesEngineOutage(t *testing.T) {
	c := dockertest.Client(t)
	image := dockertest.BusyBoxImage(t, c)
	dockertest.StartDecky(t, c, image, "fleet", "", dockertest.UniqueName("outage"), "imap")
	target := strings.TrimPrefix(c.DaemonHost(), "unix://")
	if !strings.HasPrefix(c.DaemonHost(), "unix://") {
		t.Skipf("the engine at %s is not a Unix socket", c.DaemonHost())
	}
	proxy := &engineProxy{path: filepath.Join(t.TempDir(), "docker.sock"), target: target}
	proxy.up(t)
	t.Cleanup(proxy.down)

	addr := freeLoopbackAddr(t)
	cmd := command(t, twoPersonas, "--schedule", "@every 1s", "--docker-host", "unix://"+proxy.path,
		"--metrics-addr", addr, "--health-max-outage", "2s")
	logs := start(t, cmd)
	waitForLog(t, logs, `"message delivered"`)

	proxy.down()
	waitForLog(t, logs, `"Docker engine unreachable, ticks will retry"`)
	// Let the outage outlast --health-max-outage.
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, _ := get(t, "http://"+addr+"/healthz")
		if code == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz still %d after the engine was gone for 30s", code)
		}
		time.Sleep(200 * time.Millisecond)
	}

	proxy.up(t)
	waitForLog(t, logs, `"Docker engine reachable again"`)
	waitForLog(t, logs, `"message delivered"`)
	if code, _ := get(t, "http://"+addr+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d after the engine came back, want 200", code)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var outages int
	for line := range logs {
		if strings.Contains(line, `"Docker engine unreachable`) {
			outages++
		}
	}
	if outages != 0 {
		t.Errorf("the outage was logged %d more times after it ended", outages)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", err)
	}
}

// slowDecky starts a fleet decky, from the GNU coreutils image (BusyBox's
// shell would run its own touch), whose touch takes the given number of
// seconds, so a delivery is still running when the test signals the daemon.
func slowDecky(t *testing.T, seconds int) (containerID string) {
	t.Helper()
	c := dockertest.Client(t)
	image := dockertest.CoreutilsImage(t, c)
	ids := dockertest.StartDecky(t, c, image, "fleet", "", dockertest.UniqueName("slow"), "imap")
	id := ids["imap"]
	dockertest.Exec(t, c, id, "sh", "-c",
		`mv /bin/touch /bin/touch.real && printf '#!/bin/sh\nsleep %s\nexec /bin/touch.real "$@"\n' "$1" >/bin/touch && chmod 755 /bin/touch`,
		"sh", strconv.Itoa(seconds))
	return id
}

// waitForTemporaryFile polls the container until a delivery has written
// its hidden temporary file, which means the delivery is under way.
func waitForTemporaryFile(t *testing.T, id string) {
	t.Helper()
	c := dockertest.Client(t)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		out := dockertest.Exec(t, c, id, "sh", "-c",
			`for f in /var/spool/decnet-emails/*/.*.tmp; do [ -e "$f" ] && echo "$f"; done; true`)
		if strings.TrimSpace(out) != "" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no delivery started within 30s")
}

func TestRunSIGTERMFinishesDelivery(t *testing.T) {
	id := slowDecky(t, 2)
	cmd := command(t, twoPersonas, "--schedule", "@every 1s", "--exec-timeout", "20s")
	logs := start(t, cmd)
	waitForTemporaryFile(t, id)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, logs, `"message delivered"`)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", err)
	}

	c := dockertest.Client(t)
	files := strings.Fields(dockertest.Exec(t, c, id, "sh", "-c",
		`for f in /var/spool/decnet-emails/*/* /var/spool/decnet-emails/*/.*; do [ -f "$f" ] && echo "$f"; done; true`))
	if len(files) != 1 || strings.Contains(files[0], ".tmp") {
		t.Fatalf("spool files after SIGTERM = %q, want one delivered message", files)
	}
	data := dockertest.Exec(t, c, id, "cat", files[0])
	if _, err := mail.ReadMessage(strings.NewReader(data)); err != nil {
		t.Errorf("delivered file is not a complete message: %v", err)
	}
}

func TestRunSecondSIGINTExitsAtOnce(t *testing.T) {
	id := slowDecky(t, 25)
	cmd := command(t, twoPersonas, "--schedule", "@every 1s", "--exec-timeout", "30s")
	logs := start(t, cmd)
	waitForTemporaryFile(t, id)

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, logs, `"stopping after the delivery in progress"`)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err == nil {
			t.Error("exit status 0 after a second SIGINT, want the signal's status")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10s after a second SIGINT, while the delivery needs 25s")
	}
}

func TestRunSIGTERMCancelsHungModelCall(t *testing.T) {
	c := dockertest.Client(t)
	image := dockertest.BusyBoxImage(t, c)
	dockertest.StartDecky(t, c, image, "fleet", "", dockertest.UniqueName("llm"), "imap")
	called := make(chan struct{}, 10)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	cmd := command(t, twoPersonas, "--schedule", "@every 1s", "--generator", "ollama",
		"--llm-url", srv.URL, "--llm-timeout", "60s")
	logs := start(t, cmd)
	select {
	case <-called:
	case <-time.After(30 * time.Second):
		t.Fatal("the daemon never called the model")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("still waiting for a hung model call 15s after SIGTERM, with a 60s LLM timeout")
	}
	for line := range logs {
		if strings.Contains(line, `"message delivered"`) {
			t.Errorf("a message was delivered after the stop request: %s", line)
		}
	}
}
