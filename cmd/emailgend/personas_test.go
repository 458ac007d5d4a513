package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/decnet/emailgend/internal/dockertest"
)

const mixedPersonas = `[
  {"name": "Ana Müller", "email": "ana@example-corp.com", "role": "Finance"},
  {"name": "", "email": "nobody@example-corp.com", "role": "Ops"},
  {"name": "Raj", "email": "raj@localhost", "role": "Ops"},
  {"name": "Lea", "email": "lea@example-corp.com", "role": "HR", "active_hours": "late"}
]`

// misspelledPersonas has a night-shift Tokyo persona whose schedule fields
// are misspelled, so the daemon would load it with the default schedule.
const misspelledPersonas = `[
  {"name": "Ana Müller", "email": "ana@example-corp.com", "role": "Finance"},
  {"name": "A One", "email": "a.one@example-corp.com", "role": "Ops",
   "time_zone": "Asia/Tokyo", "active_hour": "22:00-06:00", "notes": "night shift"}
]`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// emailgend runs the binary with a clean environment and returns its exit
// code, standard output and standard error.
func emailgend(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	if host := os.Getenv("DOCKER_HOST"); host != "" {
		cmd.Env = append(cmd.Env, "DOCKER_HOST="+host)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return exitCode(err), stdout.String(), stderr.String()
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		content  string
		wantCode int
		want     []string
	}{
		{"valid", twoPersonas, 0, []string{"2 entries, 2 valid, 0 dropped, 0 warnings"}},
		{"dropped entries", mixedPersonas, 1, []string{
			`dropped: persona 1: field "name"`,
			`dropped: persona 2: field "email"`,
			`warning: persona 3: field "active_hours"`,
			"4 entries, 2 valid, 2 dropped, 1 warning",
		}},
		{"misspelled fields", misspelledPersonas, 1, []string{
			`warning: persona 1: field "active_hour": unknown field, ignored; did you mean "active_hours"?`,
			`warning: persona 1: field "time_zone": unknown field, ignored; did you mean "timezone"?`,
			`warning: persona 1: field "notes": unknown field, ignored; remove it or correct its name`,
			"2 entries, 2 valid, 0 dropped, 3 warnings",
		}},
		{"malformed hours only", `[
  {"name": "Ana", "email": "ana@example.com", "role": "Ops"},
  {"name": "Lea", "email": "lea@example.com", "role": "HR", "active_hours": "9-5"}
]`, 1, []string{`warning: persona 1: field "active_hours": ignored, so the persona is always active`}},
		{"not a list", `{"name": "x"}`, 1, []string{"invalid:"}},
		{"broken JSON", `[{"name": `, 1, []string{"invalid:"}},
		{"one persona", `[{"name": "Solo", "email": "solo@example.com", "role": "Ops"}]`, 0,
			[]string{"1 entry, 1 valid, 0 dropped, 0 warnings", "needs at least 2 personas"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "personas.json", tt.content)
			code, stdout, stderr := emailgend(t, nil, "validate", path)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout does not contain %q:\n%s", want, stdout)
				}
			}
		})
	}
}

func TestValidateMissingFile(t *testing.T) {
	code, _, stderr := emailgend(t, nil, "validate", filepath.Join(t.TempDir(), "absent.json"))
	if code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	if !strings.Contains(stderr, "absent.json") {
		t.Errorf("stderr = %q, want it to name the file", stderr)
	}
}

func TestImportPersonas(t *testing.T) {
	src := writeFile(t, "upload.json", mixedPersonas)
	dest := filepath.Join(t.TempDir(), "decnet", "email_personas.json")

	code, stdout, stderr := emailgend(t, nil, "import-personas", src, "-o", dest)
	if code != 0 {
		t.Fatalf("exit code = %d, want 0\nstderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "installed 2 personas at "+dest+" (2 dropped)") {
		t.Errorf("stdout = %q, want the installed count and path", stdout)
	}
	if strings.Contains(string(mustReadFile(t, dest)), `"late"`) {
		t.Errorf("installed file keeps the ignored active_hours \"late\":\n%s", mustReadFile(t, dest))
	}
	if n := strings.Count(stderr, "warning: persona"); n != 3 {
		t.Errorf("stderr has %d persona warnings, want 3 (two dropped, one kept):\n%s", n, stderr)
	}

	data, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	var installed []map[string]any
	if err := json.Unmarshal(data, &installed); err != nil {
		t.Fatalf("installed file is not JSON: %v", err)
	}
	if len(installed) != 2 || installed[0]["name"] != "Ana Müller" || installed[0]["tone"] != "formal" {
		t.Errorf("installed = %v, want two canonical entries with defaults filled in", installed)
	}
	entries, err := os.ReadDir(filepath.Dir(dest))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("destination folder holds %d files, want only the pool file (no temporary left)", len(entries))
	}
}

func TestImportPersonasRejects(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"no valid entry", `[{"name": "", "email": "x", "role": ""}]`, "no valid persona"},
		{"not a list", `{}`, "not a persona list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := writeFile(t, "upload.json", tt.content)
			dest := writeFile(t, "email_personas.json", twoPersonas)
			code, _, stderr := emailgend(t, nil, "import-personas", "-o", dest, src)
			if code != 1 {
				t.Errorf("exit code = %d, want 1", code)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.want)
			}
			if data, _ := os.ReadFile(dest); string(data) != twoPersonas {
				t.Error("the existing pool file was changed by a rejected import")
			}
		})
	}
}

func TestImportPersonasWarnsOnOne(t *testing.T) {
	src := writeFile(t, "upload.json", `[{"name": "Solo", "email": "solo@example.com", "role": "Ops"}]`)
	dest := filepath.Join(t.TempDir(), "email_personas.json")
	code, stdout, stderr := emailgend(t, []string{"DECNET_EMAILGEN_PERSONAS=" + dest}, "import-personas", src)
	if code != 0 {
		t.Fatalf("exit code = %d, want 0\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "installed 1 persona at "+dest+" (0 dropped)") {
		t.Errorf("stdout = %q, want the count in the singular", stdout)
	}
	if !strings.Contains(stderr, "only one valid persona") {
		t.Errorf("stderr = %q, want a warning about a single persona", stderr)
	}
	if _, err := os.Stat(dest); err != nil {
		t.Errorf("pool file not installed at the DECNET_EMAILGEN_PERSONAS path: %v", err)
	}
}

// TestImportPersonasWritesUsedValues checks that the installed file contains
// the values the daemon uses rather than the ones it ignored.
func TestImportPersonasWritesUsedValues(t *testing.T) {
	src := writeFile(t, "upload.json", `[
  {"name": "Ana", "email": "ana@example.com", "role": "Ops", "time_zone": "Asia/Tokyo"},
  {"name": "Lea", "email": "lea@example.com", "role": "HR", "active_hours": "9-5", "timezone": "Asia/Tokyo"}
]`)
	dest := filepath.Join(t.TempDir(), "email_personas.json")
	code, stdout, stderr := emailgend(t, nil, "import-personas", src, "-o", dest)
	if code != 0 {
		t.Fatalf("exit code = %d, want 0\nstderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "installed 2 personas") {
		t.Errorf("stdout = %q, want 2 personas installed", stdout)
	}
	wantWarnings := []string{
		`warning: persona 0: field "time_zone": unknown field, ignored; did you mean "timezone"?`,
		`warning: persona 1: field "active_hours": ignored, so the persona is always active`,
	}
	for _, want := range wantWarnings {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not contain %q:\n%s", want, stderr)
		}
	}

	var installed []map[string]any
	if err := json.Unmarshal(mustReadFile(t, dest), &installed); err != nil {
		t.Fatalf("installed file is not JSON: %v", err)
	}
	if len(installed) != 2 {
		t.Fatalf("installed %d personas, want 2", len(installed))
	}
	if _, ok := installed[0]["time_zone"]; ok {
		t.Errorf("first persona keeps the unknown field time_zone: %v", installed[0])
	}
	if got := installed[1]["active_hours"]; got != "00:00-00:00" {
		t.Errorf("second persona active_hours = %v, want 00:00-00:00 (always active)", got)
	}
	if got := installed[1]["active_days"]; got != "mon-sun" {
		t.Errorf("second persona active_days = %v, want mon-sun (always active)", got)
	}

	// The installed file must load with no warning left.
	code, stdout, _ = emailgend(t, nil, "validate", dest)
	if code != 0 {
		t.Errorf("validate of the installed file exit code = %d, want 0\n%s", code, stdout)
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDeckiesListsDecky(t *testing.T) {
	c := dockertest.Client(t)
	image := dockertest.BusyBoxImage(t, c)
	decky := dockertest.UniqueName("listed")
	dockertest.StartDecky(t, c, image, "fleet", "", decky, "imap", "pop3")
	personas := writeFile(t, "personas.json", twoPersonas)

	code, stdout, stderr := emailgend(t, []string{"DECNET_EMAILGEN_PERSONAS=" + personas}, "deckies")
	if code != 0 {
		t.Fatalf("exit code = %d, want 0\n%s", code, stderr)
	}
	var row string
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "local/"+decky+" ") {
			row = line
		}
	}
	if row == "" {
		t.Fatalf("no row for local/%s in:\n%s", decky, stdout)
	}
	fields := strings.Fields(row)
	want := []string{"local/" + decky, "fleet", decky + "-imap," + decky + "-pop3", "pool", personas, "2", "2"}
	if strings.Join(fields, " ") != strings.Join(want, " ") {
		t.Errorf("row = %q, want fields %q", row, want)
	}
}

func TestDeckiesTopologyFromDatabase(t *testing.T) {
	c := dockertest.Client(t)
	image := dockertest.BusyBoxImage(t, c)
	topologyID := dockertest.UniqueName("topo")
	decky := dockertest.UniqueName("mail")
	dockertest.StartDecky(t, c, image, "topology", topologyID, decky, "imap")

	dbPath := filepath.Join(t.TempDir(), "decnet.db")
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE topologies (id TEXT PRIMARY KEY, name TEXT,
		email_personas TEXT NOT NULL DEFAULT '[]', language_default TEXT NOT NULL DEFAULT 'en')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO topologies (id, name, email_personas, language_default) VALUES (?, ?, ?, 'es')`,
		topologyID, "lab", twoPersonas); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := emailgend(t, []string{"DECNET_EMAILGEN_DB=" + dbPath}, "deckies")
	if code != 0 {
		t.Fatalf("exit code = %d, want 0\n%s", code, stderr)
	}
	var row string
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, topologyID+"/"+decky+" ") {
			row = line
		}
	}
	if row == "" {
		t.Fatalf("no row for %s/%s in:\n%s", topologyID, decky, stdout)
	}
	want := "topology " + topologyID + " (database " + dbPath + ")"
	fields := strings.Fields(row)
	if !strings.Contains(row, want) || strings.Join(fields[len(fields)-2:], " ") != "2 2" {
		t.Errorf("row = %q, want persona source %q and 2 valid, 2 at work", row, want)
	}
}

func TestImportPersonasKeepsLinkModeAndOpenDefaults(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	if err := os.WriteFile(real, []byte("[]"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "email_personas.json")
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	// A byte order mark, as Windows editors write one, and no language or
	// time zone on the first entry.
	src := writeFile(t, "upload.json", "\xef\xbb\xbf"+`[
  {"name": "Ana", "email": "ana@example.com", "role": "Finance"},
  {"name": "Raj", "email": "raj@example.com", "role": "Ops", "language": "es", "timezone": "Europe/Madrid"}
]`)
	if code, _, stderr := emailgend(t, nil, "import-personas", src, "-o", link); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}

	if target, err := os.Readlink(link); err != nil || target != "real.json" {
		t.Errorf("pool link = %q, %v; want it still pointing at real.json", target, err)
	}
	info, err := os.Stat(real)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o640 {
		t.Errorf("installed file mode = %v, want the old file's 0640", info.Mode().Perm())
	}
	data, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}
	var installed []map[string]any
	if err := json.Unmarshal(data, &installed); err != nil {
		t.Fatalf("installed file is not JSON: %v", err)
	}
	if len(installed) != 2 {
		t.Fatalf("installed %d personas, want 2", len(installed))
	}
	if _, ok := installed[0]["language"]; ok {
		t.Errorf("first persona got a language %v, want none so the host default applies", installed[0]["language"])
	}
	if _, ok := installed[0]["timezone"]; ok {
		t.Errorf("first persona got a time zone %v, want none so the host default applies", installed[0]["timezone"])
	}
	if installed[1]["language"] != "es" || installed[1]["timezone"] != "Europe/Madrid" {
		t.Errorf("second persona = %v, want its own language and zone kept", installed[1])
	}
}

func TestImportPersonasRejectsNonRegularDest(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, path string)
		want string
	}{
		{"fifo", mkfifo, "a FIFO"},
		{"folder", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "a folder"},
		{"link to fifo", func(t *testing.T, path string) {
			target := filepath.Join(filepath.Dir(path), "pipe")
			mkfifo(t, target)
			if err := os.Symlink("pipe", path); err != nil {
				t.Fatal(err)
			}
		}, "a FIFO"},
	}
	src := writeFile(t, "upload.json", twoPersonas)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			dest := filepath.Join(dir, "email_personas.json")
			tt.make(t, dest)
			before := listDir(t, dir)

			code, _, stderr := emailgend(t, nil, "import-personas", src, "-o", dest)
			if code != 1 {
				t.Errorf("exit code = %d, want 1", code)
			}
			if !strings.Contains(stderr, "is not a regular file") {
				t.Errorf("stderr = %q, want it to say the destination is not a regular file", stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q, want it to name the file type %q", stderr, tt.want)
			}
			if !strings.Contains(stderr, "choose a regular file path") {
				t.Errorf("stderr = %q, want it to say what to do", stderr)
			}
			if after := listDir(t, dir); !slices.Equal(after, before) {
				t.Errorf("folder holds %v after the import, want %v unchanged", after, before)
			}
			info, err := os.Lstat(dest)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().IsRegular() {
				t.Error("destination was replaced by a regular file")
			}
		})
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
}

// listDir returns the names and types in dir, to show that nothing was
// added, removed or replaced.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name()+" "+e.Type().String())
	}
	return names
}

func TestImportPersonasKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("changing a file's owner needs root")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	if err := os.WriteFile(real, []byte("[]"), 0o640); err != nil {
		t.Fatal(err)
	}
	const uid, gid = 12345, 23456
	if err := os.Chown(real, uid, gid); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "email_personas.json")
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	src := writeFile(t, "upload.json", twoPersonas)

	code, _, stderr := emailgend(t, nil, "import-personas", src, "-o", link)
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "owner") {
		t.Errorf("stderr = %q, want no warning about the owner", stderr)
	}
	info, err := os.Stat(real)
	if err != nil {
		t.Fatal(err)
	}
	stat := info.Sys().(*syscall.Stat_t)
	if stat.Uid != uid {
		t.Errorf("installed file owner = %d, want the old file's %d", stat.Uid, uid)
	}
	if stat.Gid != gid {
		t.Errorf("installed file group = %d, want the old file's %d", stat.Gid, gid)
	}
	if info.Mode().Perm() != 0o640 {
		t.Errorf("installed file mode = %v, want the old file's 0640", info.Mode().Perm())
	}
}

// TestImportPersonasWarnsWhenOwnerLost runs the import as an unprivileged
// user over a file owned by another, where chown fails with EPERM.
func TestImportPersonasWarnsWhenOwnerLost(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("running the import as another user needs root")
	}
	const nobody, owner = 65534, 12345
	// The unprivileged user needs to reach the binary, the source file and
	// the pool folder, which the usual temporary folders do not allow.
	shared, err := os.MkdirTemp("", "emailgend-owner-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(shared) })
	if err := os.Chmod(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	program := filepath.Join(shared, "emailgend")
	if err := os.WriteFile(program, mustReadFile(t, binary), 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(shared, "upload.json")
	if err := os.WriteFile(src, []byte(twoPersonas), 0o644); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(shared, "email_personas.json")
	if err := os.WriteFile(dest, []byte("[]"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dest, owner, owner); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(program, "import-personas", src, "-o", dest)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + shared}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("import as user %d: %v\n%s", nobody, err, stderr.String())
	}

	for _, want := range []string{"warning:", dest, "12345:12345", "may not be able to read it"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr = %q, want it to contain %q", stderr.String(), want)
		}
	}
	info, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if stat := info.Sys().(*syscall.Stat_t); stat.Uid != nobody {
		t.Errorf("installed file owner = %d, want the importing user %d", stat.Uid, nobody)
	}
	if string(mustReadFile(t, dest)) == "[]" {
		t.Error("the pool file was not installed")
	}
}
