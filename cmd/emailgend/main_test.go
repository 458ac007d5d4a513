package main

import (
	"bufio"
	"bytes"
	"context"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/decnet/emailgend/internal/dockertest"
)

// binary is the emailgend program built once for these tests, so signals and
// exit codes are those of the real process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "emailgend-cmd-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "emailgend")
	build := exec.Command("go", "build", "-race", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("building emailgend: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const twoPersonas = `[
  {"name": "O'Brien; $(reboot) ` + "`id`" + `", "email": "obrien@example-corp.com", "role": "Ops",
   "active_hours": "00:00-00:00", "active_days": "mon-sun"},
  {"name": "Ana Müller", "email": "ana@example-corp.com", "role": "Finance",
   "active_hours": "00:00-00:00", "active_days": "mon-sun"}
]`

// command returns an emailgend run command whose files live in a test
// folder and whose environment has no DECNET_EMAILGEN_* variables of the
// host's.
func command(t *testing.T, personas string, args ...string) *exec.Cmd {
	t.Helper()
	dir := t.TempDir()
	poolPath := filepath.Join(dir, "personas.json")
	if err := os.WriteFile(poolPath, []byte(personas), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, append([]string{"run"}, args...)...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"DECNET_EMAILGEN_PERSONAS=" + poolPath,
		"DECNET_EMAILGEN_STATE=" + filepath.Join(dir, "state.db"),
		"DECNET_EMAILGEN_TOPOLOGY_DIR=" + filepath.Join(dir, "topologies"),
		"DECNET_EMAILGEN_LOG_FORMAT=json",
	}
	if host := os.Getenv("DOCKER_HOST"); host != "" {
		cmd.Env = append(cmd.Env, "DOCKER_HOST="+host)
	}
	return cmd
}

func TestRunRejectsBadSettings(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"flag", []string{"--reply-probability", "2"}, "", `invalid --reply-probability (DECNET_EMAILGEN_REPLY_PROBABILITY) "2"`},
		{"variable", nil, "DECNET_EMAILGEN_SCHEDULE=sometimes", `invalid --schedule (DECNET_EMAILGEN_SCHEDULE) "sometimes"`},
		{"unknown flag", []string{"--colour"}, "", "flag provided but not defined: -colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := command(t, twoPersonas, tt.args...)
			if tt.env != "" {
				cmd.Env = append(cmd.Env, tt.env)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if code := exitCode(err); code != 2 {
				t.Errorf("exit code = %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.want)
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	out, err := exec.Command(binary, "frobnicate").CombinedOutput()
	if code := exitCode(err); code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	if !strings.Contains(string(out), `unknown command "frobnicate"`) {
		t.Errorf("output = %q, want it to name the command", out)
	}
}

func TestRunOnceDryRunPrintsMessage(t *testing.T) {
	c := dockertest.Client(t)
	image := dockertest.BusyBoxImage(t, c)
	decky := dockertest.UniqueName("cmd")
	dockertest.StartDecky(t, c, image, "fleet", "", decky, "imap")

	cmd := command(t, twoPersonas, "--once", "--dry-run")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("emailgend run --once --dry-run: %v\n%s", err, stderr.String())
	}

	// Other tests may run deckies on the same engine, and the tick picks one
	// at random; whichever it picked, the output is a message.
	header, _, ok := strings.Cut(stdout.String(), "\n")
	if !ok || !strings.HasPrefix(header, "==> ") {
		t.Fatalf("stdout starts %q, want a '==> container:path' line\nstderr:\n%s", header, stderr.String())
	}
	_, rest, ok := strings.Cut(stdout.String(), "==> written by template\n")
	if !ok {
		t.Fatalf("stdout does not name the generator:\n%s", stdout.String())
	}
	msg, err := mail.ReadMessage(strings.NewReader(rest))
	if err != nil {
		t.Fatalf("dry-run output is not a message: %v\n%s", err, rest)
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil {
		t.Fatalf("From header %q: %v", msg.Header.Get("From"), err)
	}
	if from.Name != "O'Brien; $(reboot) `id`" && from.Name != "Ana Müller" {
		t.Errorf("From name = %q, want one of the two personas", from.Name)
	}
	if strings.Contains(stderr.String(), `"message delivered"`) {
		t.Error("a dry run logged a delivery")
	}
}

func TestRunSignals(t *testing.T) {
	dockertest.Client(t)
	cmd := command(t, twoPersonas, "--schedule", "@every 1h")
	logs := start(t, cmd)

	waitForLog(t, logs, `"scheduler started"`)
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, logs, `"SIGHUP received, reloading personas"`)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, logs, `"emailgend stopped"`)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", err)
	}
}

func TestRunReloadsChangedPool(t *testing.T) {
	dockertest.Client(t)
	cmd := command(t, twoPersonas, "--schedule", "@every 1h")
	poolPath := strings.TrimPrefix(cmd.Env[2], "DECNET_EMAILGEN_PERSONAS=")
	logs := start(t, cmd)
	waitForLog(t, logs, `"watching persona file for changes"`)

	// Replace the file the way editors and mv do.
	three := strings.Replace(twoPersonas, "\n]", `,
  {"name": "Li Wei", "email": "li.wei@example-corp.com", "role": "Legal"}
]`, 1)
	next := poolPath + ".new"
	if err := os.WriteFile(next, []byte(three), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, poolPath); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, logs, `"loaded":3`)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", err)
	}
}

func TestImportReloadsRunningDaemonOnce(t *testing.T) {
	dockertest.Client(t)
	cmd := command(t, twoPersonas, "--schedule", "@every 1h")
	poolPath := strings.TrimPrefix(cmd.Env[2], "DECNET_EMAILGEN_PERSONAS=")
	logs := start(t, cmd)
	waitForLog(t, logs, `"watching persona file for changes"`)

	upload := writeFile(t, "upload.json", strings.Replace(twoPersonas, "\n]", `,
  {"name": "Li Wei", "email": "li.wei@example-corp.com", "role": "Legal"}
]`, 1))
	if code, _, stderr := emailgend(t, nil, "import-personas", upload, "-o", poolPath); code != 0 {
		t.Fatalf("import-personas exit code %d: %s", code, stderr)
	}
	waitForLog(t, logs, `"loaded":3`)

	// Let any further event settle, then stop the daemon and read the
	// rest of its log: no second reload may follow the import.
	time.Sleep(time.Second)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for line := range logs {
		if strings.Contains(line, `"global persona pool loaded"`) {
			t.Errorf("a second reload followed the import: %s", line)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", err)
	}
}

// start starts the daemon and returns its log lines, one JSON object each.
// The channel closes when the daemon exits.
func start(t *testing.T, cmd *exec.Cmd) <-chan string {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	logs := make(chan string, 100)
	go func() {
		scanner := bufio.NewScanner(stderr)
		for scanner.Scan() {
			logs <- scanner.Text()
		}
		close(logs)
	}()
	return logs
}

// waitForLog reads log lines until one contains want. The deadline only
// keeps a broken daemon from hanging the test run.
func waitForLog(t *testing.T, logs <-chan string, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		select {
		case line, ok := <-logs:
			if !ok {
				t.Fatalf("emailgend exited before logging %s", want)
			}
			if strings.Contains(line, want) {
				return
			}
		case <-ctx.Done():
			t.Fatalf("no log line with %s within 30s", want)
		}
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode()
	}
	return -1
}
