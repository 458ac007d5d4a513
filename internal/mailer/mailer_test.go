package mailer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/decnet/emailgend/internal/discovery"
	"github.com/decnet/emailgend/internal/dockertest"
	"github.com/decnet/emailgend/internal/driver"
	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/persona"
	"github.com/decnet/emailgend/internal/pool"
	"github.com/decnet/emailgend/internal/state"
	"github.com/decnet/emailgend/internal/topology"
)

const spool = "/var/spool/decnet-emails"

// personasJSON has two personas at work around the clock, so the tests do
// not depend on the hour they run at.
const personasJSON = `[
  {"name": "José Núñez", "email": "jose.nunez@example-corp.com", "role": "IT Lead",
   "language": "es", "active_hours": "00:00-00:00", "active_days": "mon-sun", "timezone": "Europe/Madrid"},
  {"name": "Ana Müller", "email": "ana.mueller@example-corp.com", "role": "Finance",
   "active_hours": "00:00-00:00", "active_days": "mon-sun", "timezone": "America/Sao_Paulo"}
]`

// onlyDecky narrows a real finder to the decky a test started, because tests
// of other packages start deckies on the same engine at the same time.
type onlyDecky struct {
	finder *discovery.Finder
	name   string
}

func (o onlyDecky) MailDeckies(ctx context.Context) ([]discovery.Decky, error) {
	all, err := o.finder.MailDeckies(ctx)
	var mine []discovery.Decky
	for _, d := range all {
		if d.Name == o.name {
			mine = append(mine, d)
		}
	}
	return mine, err
}

// harness is one fleet decky with IMAP and POP3 containers, a persona pool
// file and a state database, all real.
type harness struct {
	docker     *client.Client
	decky      string
	containers map[string]string // service -> container id
	pool       *pool.Pool
	statePath  string
}

func newHarness(t *testing.T, personas string) *harness {
	t.Helper()
	docker := dockertest.Client(t)
	image := dockertest.BusyBoxImage(t, docker)
	decky := dockertest.UniqueName("mailer")
	containers := dockertest.StartDecky(t, docker, image, "fleet", "", decky, "imap", "pop3")

	dir := t.TempDir()
	poolPath := filepath.Join(dir, "email_personas.json")
	if err := os.WriteFile(poolPath, []byte(personas), 0o600); err != nil {
		t.Fatal(err)
	}
	p := pool.New(poolPath, persona.Defaults{Language: "en", Location: time.UTC}, zap.NewNop())
	if err := p.Load(); err != nil {
		t.Fatalf("loading personas: %v", err)
	}
	return &harness{docker: docker, decky: decky, containers: containers, pool: p,
		statePath: filepath.Join(dir, "state.db")}
}

// mailer opens the state database and returns a Mailer over the harness, as
// a freshly started daemon would build it.
func (h *harness) mailer(t *testing.T, replyProbability float64, now time.Time, seed uint64) (*Mailer, *state.Store) {
	t.Helper()
	store, err := state.Open(context.Background(), h.statePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	m := New(Config{
		Finder:           onlyDecky{discovery.New(discovery.Engine{Name: "local", Client: h.docker}), h.decky},
		Pool:             h.pool,
		Deliverers:       map[string]Deliverer{"local": driver.New(h.docker, driver.DefaultTimeout)},
		Store:            store,
		Generator:        generator.NewTemplate(zap.NewNop()),
		Log:              zaptest.NewLogger(t),
		Spool:            spool,
		ReplyProbability: replyProbability,
		Lookback:         5 * time.Minute,
		Keep:             100,
		Now:              func() time.Time { return now },
		Rand:             rand.New(rand.NewPCG(seed, seed+1)),
	})
	return m, store
}

// spoolListing returns "path mtime" lines for every file and folder in a
// container's spool, sorted, so two containers can be compared.
func (h *harness) spoolListing(t *testing.T, service string) string {
	t.Helper()
	return dockertest.Exec(t, h.docker, h.containers[service], "sh", "-c",
		`find "$1" -mindepth 1 | sort | while read -r f; do echo "$f $(stat -c %Y "$f")"; done`, "sh", spool)
}

func (h *harness) readFile(t *testing.T, service, path string) []byte {
	t.Helper()
	return []byte(dockertest.Exec(t, h.docker, h.containers[service], "cat", path))
}

func (h *harness) mtime(t *testing.T, service, path string) int64 {
	t.Helper()
	out := strings.TrimSpace(dockertest.Exec(t, h.docker, h.containers[service], "stat", "-c", "%Y", path))
	v, err := strconv.ParseInt(out, 10, 64)
	if err != nil {
		t.Fatalf("stat of %s printed %q: %v", path, out, err)
	}
	return v
}

func parseMessage(t *testing.T, data []byte) *mail.Message {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parsing delivered message: %v\n%s", err, data)
	}
	return msg
}

func TestTickDeliversSameFileToBothContainers(t *testing.T) {
	h := newHarness(t, personasJSON)
	now := time.Now()
	m, store := h.mailer(t, 0, now, 1)

	out, err := m.Tick(context.Background())
	if err != nil {
		t.Fatalf("Tick: %v", err)
	}
	if len(out.Delivered) != 2 {
		t.Fatalf("delivered to %v, want both containers", out.Delivered)
	}
	imap, pop3 := h.spoolListing(t, "imap"), h.spoolListing(t, "pop3")
	if imap != pop3 {
		t.Errorf("spools differ:\nimap:\n%s\npop3:\n%s", imap, pop3)
	}

	file := spool + "/" + out.ThreadID + "/" + driver.FileName(out.MessageID)
	data := h.readFile(t, "imap", file)
	if !bytes.Equal(data, h.readFile(t, "pop3", file)) {
		t.Error("the two containers hold different bytes")
	}
	msg := parseMessage(t, data)
	date, err := msg.Header.Date()
	if err != nil {
		t.Fatalf("Date header: %v", err)
	}
	if date.After(now) {
		t.Errorf("Date %v is after the tick's now %v", date, now)
	}
	if got := h.mtime(t, "imap", file); got != date.Unix() {
		t.Errorf("file mtime = %d, want the Date %d", got, date.Unix())
	}
	if got := h.mtime(t, "pop3", spool+"/"+out.ThreadID); got != date.Unix() {
		t.Errorf("thread folder mtime = %d, want the Date %d", got, date.Unix())
	}
	if id := strings.Trim(msg.Header.Get("Message-ID"), "<>"); id != out.MessageID {
		t.Errorf("Message-ID = %q, want %q", id, out.MessageID)
	}

	rec, ok, err := store.LatestThread(context.Background(), out.Decky,
		"jose.nunez@example-corp.com", "ana.mueller@example-corp.com")
	if err != nil || !ok {
		t.Fatalf("LatestThread = %v, %v; want the delivered record", ok, err)
	}
	if rec.MessageID != out.MessageID || !rec.Delivered || rec.Path != file {
		t.Errorf("record = {id %q delivered %v path %q}, want {%q true %q}",
			rec.MessageID, rec.Delivered, rec.Path, out.MessageID, file)
	}
}

func TestTickRepliesInThreadAfterRestart(t *testing.T) {
	h := newHarness(t, personasJSON)
	ctx := context.Background()
	now := time.Now()

	// The first daemon starts a thread three days ago, which is long enough
	// for any reply latency and short of the time a thread waits.
	first, store := h.mailer(t, 0, now.Add(-3*24*time.Hour), 2)
	root, err := first.Tick(ctx)
	if err != nil {
		t.Fatalf("first Tick: %v", err)
	}
	store.Close()

	// A restarted daemon, built from the same state file, must answer it.
	second, _ := h.mailer(t, 1, now, 3)
	reply, err := second.Tick(ctx)
	if err != nil {
		t.Fatalf("second Tick: %v", err)
	}
	if !reply.Reply || reply.ThreadID != root.ThreadID {
		t.Fatalf("second tick = {reply %v thread %s}, want a reply in thread %s", reply.Reply, reply.ThreadID, root.ThreadID)
	}

	dir := spool + "/" + root.ThreadID
	rootMsg := parseMessage(t, h.readFile(t, "imap", dir+"/"+driver.FileName(root.MessageID)))
	replyMsg := parseMessage(t, h.readFile(t, "imap", dir+"/"+driver.FileName(reply.MessageID)))

	wantParent := "<" + root.MessageID + ">"
	if got := replyMsg.Header.Get("In-Reply-To"); got != wantParent {
		t.Errorf("In-Reply-To = %q, want %q", got, wantParent)
	}
	if got := replyMsg.Header.Get("References"); got != wantParent {
		t.Errorf("References = %q, want %q", got, wantParent)
	}
	dec := new(mime.WordDecoder)
	rootSubject, _ := dec.DecodeHeader(rootMsg.Header.Get("Subject"))
	replySubject, _ := dec.DecodeHeader(replyMsg.Header.Get("Subject"))
	if replySubject != "Re: "+rootSubject {
		t.Errorf("reply Subject = %q, want %q", replySubject, "Re: "+rootSubject)
	}
	rootDate, _ := rootMsg.Header.Date()
	replyDate, _ := replyMsg.Header.Date()
	if !replyDate.After(rootDate) {
		t.Errorf("reply Date %v is not after its parent's %v", replyDate, rootDate)
	}
	if got := h.mtime(t, "imap", dir); got != replyDate.Unix() {
		t.Errorf("thread folder mtime = %d, want the reply's Date %d", got, replyDate.Unix())
	}
}

func TestTickStoppedContainerRecordsFailure(t *testing.T) {
	h := newHarness(t, personasJSON)
	ctx := context.Background()
	m, store := h.mailer(t, 0, time.Now(), 4)

	// Discovery ran while the decky was up; the POP3 container stops
	// before delivery reaches it.
	deckies, err := m.cfg.Finder.MailDeckies(ctx)
	if err != nil || len(deckies) != 1 {
		t.Fatalf("MailDeckies = %v, %v; want the test decky", deckies, err)
	}
	m.cfg.Finder = staticFinder(deckies)
	stopTimeout := 0
	if err := h.docker.ContainerStop(ctx, h.containers["pop3"], container.StopOptions{Timeout: &stopTimeout}); err != nil {
		t.Fatal(err)
	}

	out, err := m.Tick(ctx)
	if err == nil {
		t.Fatal("Tick succeeded with a stopped container, want an error")
	}
	if errors.Is(err, ErrNothingToDo) {
		t.Fatalf("Tick error = %v, want a delivery failure", err)
	}
	n, err := store.Count(ctx, out.Decky)
	if err != nil || n != 1 {
		t.Fatalf("Count = %d, %v; want one record", n, err)
	}
	if _, ok, _ := store.LatestThread(ctx, out.Decky, "jose.nunez@example-corp.com", "ana.mueller@example-corp.com"); ok {
		t.Error("a failed message is offered as a thread to continue")
	}

	if len(out.Delivered) != 0 {
		t.Errorf("Delivered = %v, want none after the failure", out.Delivered)
	}
	// The IMAP container received the file first; it must have been taken
	// back so both mailboxes stay the same.
	if got := h.spoolListing(t, "imap"); got != "" {
		t.Errorf("IMAP spool after the failed tick:\n%s\nwant nothing", got)
	}
	if err := h.docker.ContainerStart(ctx, h.containers["pop3"], container.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := h.spoolListing(t, "pop3"); got != "" {
		t.Errorf("stopped container's spool after restart:\n%s\nwant nothing", got)
	}
}

// poolAndStore returns a loaded pool of personas and an empty state
// database, both real files in a test folder.
func poolAndStore(t *testing.T, personas string) (*pool.Pool, *state.Store) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	if err := os.WriteFile(path, []byte(personas), 0o600); err != nil {
		t.Fatal(err)
	}
	p := pool.New(path, persona.Defaults{Location: time.UTC}, zap.NewNop())
	if err := p.Load(); err != nil {
		t.Fatal(err)
	}
	store, err := state.Open(context.Background(), filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return p, store
}

type staticFinder []discovery.Decky

func (s staticFinder) MailDeckies(context.Context) ([]discovery.Decky, error) { return s, nil }

func TestTickNothingToDo(t *testing.T) {
	tests := []struct {
		name     string
		deckies  []discovery.Decky
		personas string
	}{
		{"no decky", nil, personasJSON},
		{"one persona", []discovery.Decky{{ID: "local/d", Source: discovery.Fleet}},
			`[{"name": "Solo", "email": "solo@example.com", "role": "Ops", "active_hours": "00:00-00:00", "active_days": "mon-sun"}]`},
		{"nobody at work", []discovery.Decky{{ID: "local/d", Source: discovery.Fleet}},
			`[{"name": "A", "email": "a@example.com", "role": "Ops", "active_days": "sat"},
			  {"name": "B", "email": "b@example.com", "role": "Ops", "active_days": "sat"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, store := poolAndStore(t, tt.personas)
			m := New(Config{
				Finder: staticFinder(tt.deckies), Pool: p, Store: store,
				Generator: generator.NewTemplate(zap.NewNop()),
				// A Wednesday at noon UTC.
				Now: func() time.Time { return time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC) },
			})
			_, err := m.Tick(context.Background())
			if !errors.Is(err, ErrNothingToDo) {
				t.Errorf("Tick error = %v, want ErrNothingToDo", err)
			}
		})
	}
}

func TestTickDryRunPrintsWithoutDelivering(t *testing.T) {
	p, store := poolAndStore(t, personasJSON)
	var out bytes.Buffer
	decky := discovery.Decky{ID: "local/d1", Name: "d1", Source: discovery.Fleet,
		Containers: []discovery.Container{{ID: "x", Name: "d1-imap", Service: "imap", Engine: "local"}}}
	m := New(Config{
		Finder: staticFinder{decky}, Pool: p, Store: store,
		Generator: generator.NewTemplate(zap.NewNop()), Spool: spool,
		DryRun: true, DryRunOutput: &out,
	})
	res, err := m.Tick(context.Background())
	if err != nil {
		t.Fatalf("Tick: %v", err)
	}
	if !strings.HasPrefix(out.String(), "==> d1-imap:"+spool+"/"+res.ThreadID+"/") {
		t.Errorf("dry-run output starts %q, want the container and path", firstLine(out.String()))
	}
	_, body, _ := strings.Cut(out.String(), "==> written by template\n")
	if body == "" {
		t.Fatalf("dry-run output does not name the generator:\n%s", out.String())
	}
	parseMessage(t, []byte(body))
	if n, _ := store.Count(context.Background(), "local/d1"); n != 0 {
		t.Errorf("dry run recorded %d messages, want none", n)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestTickSkipsDeckiesWithoutPersonas(t *testing.T) {
	p, store := poolAndStore(t, personasJSON)
	imap := []discovery.Container{{ID: "x", Name: "c-imap", Service: "imap", Engine: "local"}}
	deckies := staticFinder{
		{ID: "topo1/t1", Name: "t1", Source: discovery.Topology, TopologyID: "topo1", Containers: imap},
		{ID: "local/f1", Name: "f1", Source: discovery.Fleet, Containers: imap},
	}
	core, logs := observer.New(zap.WarnLevel)
	m := New(Config{
		Finder: deckies, Pool: p, Store: store,
		// An empty folder: topology topo1 has no persona file.
		Topologies: topology.NewFolderSource(filepath.Join(t.TempDir(), "topologies"), time.UTC, zap.NewNop()),
		Generator:  generator.NewTemplate(zap.NewNop()), Spool: spool,
		Log: zap.New(core), DryRun: true, DryRunOutput: io.Discard,
	})
	for range 20 {
		out, err := m.Tick(context.Background())
		if err != nil {
			t.Fatalf("Tick: %v", err)
		}
		if out.Decky != "local/f1" {
			t.Fatalf("Tick chose %s, want the only decky with personas", out.Decky)
		}
	}
	if n := logs.FilterMessageSnippet("personas of a decky unavailable").Len(); n != 1 {
		t.Errorf("missing topology personas logged %d times over 20 ticks, want once", n)
	}
}

// addFails is the real store except that recording fails, as it does when
// another process holds the database locked past the busy timeout.
type addFails struct{ *state.Store }

func (addFails) Add(context.Context, state.Record) (int64, error) {
	return 0, errors.New("recording message: database is locked (5) (SQLITE_BUSY)")
}

func TestTickUnrecordedMessageTakenBack(t *testing.T) {
	h := newHarness(t, personasJSON)
	m, store := h.mailer(t, 0, time.Now(), 5)
	m.cfg.Store = addFails{store}

	out, err := m.Tick(context.Background())
	if err == nil || !strings.Contains(err.Error(), "database is locked") {
		t.Fatalf("Tick error = %v, want the recording failure", err)
	}
	if len(out.Delivered) != 0 {
		t.Errorf("Delivered = %v, want none", out.Delivered)
	}
	for _, service := range []string{"imap", "pop3"} {
		if got := h.spoolListing(t, service); got != "" {
			t.Errorf("%s spool holds an unrecorded message:\n%s", service, got)
		}
	}
}
