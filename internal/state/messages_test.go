package state

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()

	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("loading zone %s: %v", name, err)
	}

	return loc
}

func mustAdd(t *testing.T, s *Store, r Record) Record {
	t.Helper()

	id, err := s.Add(context.Background(), r)
	if err != nil {
		t.Fatalf("Add(%s): %v", r.MessageID, err)
	}

	r.ID = id

	return r
}

// message returns a delivered record from one address to another at date.
func message(decky, from, to string, date time.Time) Record {
	id := fmt.Sprintf("<%d.%s@example.com>", date.UnixNano(), strings.Split(from, "@")[0])

	return Record{
		Decky:     decky,
		ThreadID:  "thread-" + from + "-" + to,
		MessageID: id,
		From:      from,
		To:        to,
		Subject:   "Budget review",
		Date:      date,
		Delivered: true,
		CreatedAt: date,
	}
}

// checkZone checks that a Date came back in the zone it was stored in.
func checkZone(t *testing.T, want, got time.Time) {
	t.Helper()

	if got.Location().String() != want.Location().String() {
		t.Errorf("Date zone = %s, want %s", got.Location(), want.Location())
	}

	if g, w := got.Format(time.RFC1123Z), want.Format(time.RFC1123Z); g != w {
		t.Errorf("Date = %s, want %s", g, w)
	}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		date time.Time
	}{
		{"sao paulo", time.Date(2024, 5, 6, 10, 11, 12, 0, mustLoad(t, "America/Sao_Paulo"))},
		{"berlin summer", time.Date(2024, 7, 1, 9, 30, 5, 0, mustLoad(t, "Europe/Berlin"))},
		{"kathmandu", time.Date(2024, 2, 29, 16, 45, 59, 0, mustLoad(t, "Asia/Kathmandu"))},
		{"utc", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"fixed offset", time.Date(2024, 3, 4, 5, 6, 7, 0, time.FixedZone("", -(3*3600+30*60)))},
		{"named fixed zone", time.Date(2024, 3, 4, 5, 6, 7, 0, time.FixedZone("XST", 4*3600))},
		{"fractional second", time.Date(2024, 3, 4, 5, 6, 7, 123456789, time.UTC)},
	}

	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	ctx := context.Background()

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := mustAdd(t, s, Record{
				Decky:      "topo1/mail01",
				Containers: []string{"mail01-imap", "mail01-pop3"},
				ThreadID:   "thread-" + tt.name,
				MessageID:  "<r2." + strings.ReplaceAll(tt.name, " ", "-") + "@acme.example>",
				InReplyTo:  "<r1@acme.example>",
				References: []string{"<r0@acme.example>", "<r1@acme.example>"},
				From:       "ana.souza@acme.example",
				FromName:   "Ana Souza",
				To:         "jürgen.weiß@acme.example",
				ToName:     "Jürgen Weiß",
				Subject:    "Re: Revisão do orçamento",
				Language:   "pt",
				Topic:      "budget review",
				Date:       tt.date,
				Path:       "/var/spool/decnet-emails/thread/r2_at_acme.example.eml",
				Delivered:  false,
				Failure:    "mail01-pop3: exit status 1",
				Generator:  "ollama",
				Mannerisms: []string{"signs off with initials", "uses bullet lists"},
				Body:       "Olá Jürgen,\n\nsegue a planilha.\n\nA.",
				CreatedAt:  time.Date(2024, 5, 6, 13, 11, 15, 987654321, time.UTC),
			})

			got, err := s.Thread(ctx, want.ThreadID)
			if err != nil {
				t.Fatalf("Thread: %v", err)
			}

			if diff := cmp.Diff([]Record{want}, got); diff != "" {
				t.Fatalf("Thread mismatch (-want +got):\n%s", diff)
			}

			checkZone(t, want.Date, got[0].Date)
		})
	}
}

func TestRoundTripEmptyLists(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	want := mustAdd(t, s, message("fleet/mail02", "a@acme.example", "b@acme.example",
		time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)))

	got, err := s.Thread(context.Background(), want.ThreadID)
	if err != nil {
		t.Fatalf("Thread: %v", err)
	}

	if diff := cmp.Diff([]Record{want}, got); diff != "" {
		t.Errorf("Thread mismatch (-want +got):\n%s", diff)
	}
}

func TestAddSetsCreatedAt(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	r := message("fleet/mail02", "a@acme.example", "b@acme.example",
		time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC))
	r.CreatedAt = time.Time{}

	before := time.Now()
	mustAdd(t, s, r)

	got, err := s.Thread(context.Background(), r.ThreadID)
	if err != nil {
		t.Fatalf("Thread: %v", err)
	}

	if len(got) != 1 {
		t.Fatalf("Thread returned %d records, want 1", len(got))
	}

	if got[0].CreatedAt.Before(before.Truncate(time.Second)) {
		t.Errorf("CreatedAt = %v, want the time of Add (after %v)", got[0].CreatedAt, before)
	}
}

func TestAddMissingField(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	valid := message("fleet/mail02", "a@acme.example", "b@acme.example",
		time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC))

	tests := []struct {
		name   string
		change func(*Record)
		want   string
	}{
		{"decky", func(r *Record) { r.Decky = "" }, "missing decky"},
		{"thread id", func(r *Record) { r.ThreadID = "" }, "missing thread id"},
		{"message id", func(r *Record) { r.MessageID = "" }, "missing Message-ID"},
		{"date", func(r *Record) { r.Date = time.Time{} }, "missing Date"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid
			tt.change(&r)

			_, err := s.Add(context.Background(), r)
			if err == nil {
				t.Fatal("Add succeeded, want an error")
			}

			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestLatestThread(t *testing.T) {
	const (
		ana   = "ana@acme.example"
		bruno = "bruno@acme.example"
		carla = "carla@acme.example"
		decky = "topo1/mail01"
	)

	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	berlin := mustLoad(t, "Europe/Berlin")
	base := time.Date(2024, 3, 4, 9, 0, 0, 0, berlin)

	mustAdd(t, s, message(decky, ana, bruno, base))
	reply := mustAdd(t, s, message(decky, bruno, ana, base.Add(time.Hour)))

	failed := message(decky, ana, bruno, base.Add(2*time.Hour))
	failed.Delivered = false
	failed.Failure = "mail01-imap: no space left on device"
	mustAdd(t, s, failed)

	mustAdd(t, s, message("topo2/mail01", ana, bruno, base.Add(3*time.Hour)))
	mustAdd(t, s, message(decky, ana, carla, base.Add(4*time.Hour)))
	mustAdd(t, s, message(decky, carla, bruno, base.Add(5*time.Hour)))

	tests := []struct {
		name   string
		a, b   string
		want   Record
		wantOK bool
	}{
		{"reply direction", ana, bruno, reply, true},
		{"other direction", bruno, ana, reply, true},
		{"address case", "Ana@ACME.example", bruno, reply, true},
		{"other pair", ana, carla, Record{}, true},
		{"no thread", bruno, "dora@acme.example", Record{}, false},
	}

	ctx := context.Background()

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := s.LatestThread(ctx, decky, tt.a, tt.b)
			if err != nil {
				t.Fatalf("LatestThread: %v", err)
			}

			if ok != tt.wantOK {
				t.Fatalf("LatestThread found = %v, want %v", ok, tt.wantOK)
			}

			if tt.want.ID == 0 {
				return
			}

			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("LatestThread mismatch (-want +got):\n%s", diff)
			}

			checkZone(t, tt.want.Date, got.Date)
		})
	}
}

func TestRecentThreads(t *testing.T) {
	const (
		ana   = "ana@acme.example"
		bruno = "bruno@acme.example"
		carla = "carla@acme.example"
		decky = "topo1/mail01"
	)

	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	base := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)
	inThread := func(thread, from, to string, at time.Duration) Record {
		r := message(decky, from, to, base.Add(at))
		r.ThreadID = thread
		return mustAdd(t, s, r)
	}

	inThread("t1", ana, bruno, 0)
	t1Reply := inThread("t1", bruno, ana, time.Hour)
	t2 := inThread("t2", bruno, ana, 2*time.Hour)
	inThread("t3", ana, carla, 3*time.Hour)
	failed := message(decky, ana, bruno, base.Add(4*time.Hour))
	failed.ThreadID, failed.Delivered, failed.Failure = "t4", false, "mail01-imap: no space left on device"
	mustAdd(t, s, failed)
	other := message("topo2/mail01", ana, bruno, base.Add(5*time.Hour))
	other.ThreadID = "t5"
	mustAdd(t, s, other)
	t6 := inThread("t6", ana, bruno, 6*time.Hour)

	ctx := context.Background()
	tests := []struct {
		name  string
		a, b  string
		limit int
		want  []Record
	}{
		{"newest message of each thread", ana, bruno, 5, []Record{t6, t2, t1Reply}},
		{"other direction", bruno, ana, 5, []Record{t6, t2, t1Reply}},
		{"limit", ana, bruno, 2, []Record{t6, t2}},
		{"no limit", ana, bruno, 0, nil},
		{"no thread", bruno, carla, 5, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.RecentThreads(ctx, decky, tt.a, tt.b, tt.limit)
			if err != nil {
				t.Fatalf("RecentThreads: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("RecentThreads mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLatestThreadSameDate(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	date := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)

	first := message("fleet/mail02", "a@acme.example", "b@acme.example", date)
	mustAdd(t, s, first)

	second := first
	second.MessageID = "<second@acme.example>"
	second = mustAdd(t, s, second)

	got, ok, err := s.LatestThread(context.Background(), "fleet/mail02", "b@acme.example", "a@acme.example")
	if err != nil || !ok {
		t.Fatalf("LatestThread = %v, %v, want a record", ok, err)
	}

	if got.ID != second.ID {
		t.Errorf("LatestThread returned record %d, want the later record %d", got.ID, second.ID)
	}
}

func TestLastDate(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	ctx := context.Background()
	saoPaulo := mustLoad(t, "America/Sao_Paulo")
	base := time.Date(2024, 3, 4, 9, 0, 0, 0, saoPaulo)

	if _, ok, err := s.LastDate(ctx, "topo1/mail01"); err != nil || ok {
		t.Fatalf("LastDate of an empty decky = %v, %v, want none", ok, err)
	}

	mustAdd(t, s, message("topo1/mail01", "a@acme.example", "b@acme.example", base.Add(time.Hour)))
	mustAdd(t, s, message("topo1/mail01", "b@acme.example", "a@acme.example", base))

	failed := message("topo1/mail01", "a@acme.example", "b@acme.example", base.Add(2*time.Hour))
	failed.Delivered = false
	mustAdd(t, s, failed)

	mustAdd(t, s, message("topo1/mail02", "a@acme.example", "b@acme.example", base.Add(3*time.Hour)))

	got, ok, err := s.LastDate(ctx, "topo1/mail01")
	if err != nil || !ok {
		t.Fatalf("LastDate = %v, %v, want a Date", ok, err)
	}

	want := base.Add(time.Hour)
	if !got.Equal(want) {
		t.Errorf("LastDate = %v, want %v", got, want)
	}

	checkZone(t, want, got)
}

func TestThreadOrder(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	base := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)

	var want []string
	for _, hours := range []int{5, 1, 3, 0, 4} {
		r := message("fleet/mail02", "a@acme.example", "b@acme.example", base.Add(time.Duration(hours)*time.Hour))
		r.ThreadID = "thread-1"
		mustAdd(t, s, r)
	}

	for _, hours := range []int{0, 1, 3, 4, 5} {
		want = append(want, base.Add(time.Duration(hours)*time.Hour).Format(time.RFC3339))
	}

	mustAdd(t, s, message("fleet/mail02", "a@acme.example", "b@acme.example", base))

	records, err := s.Thread(context.Background(), "thread-1")
	if err != nil {
		t.Fatalf("Thread: %v", err)
	}

	var got []string
	for _, r := range records {
		got = append(got, r.Date.Format(time.RFC3339))
	}

	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Thread dates mismatch (-want +got):\n%s", diff)
	}
}

func TestPrune(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	ctx := context.Background()
	base := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)

	// Insertion order differs from Date order, so pruning by ID would keep
	// the wrong records.
	hours := []int{7, 2, 9, 0, 5, 1, 8, 3, 6, 4}
	for _, h := range hours {
		mustAdd(t, s, message("topo1/mail01", "a@acme.example", "b@acme.example",
			base.Add(time.Duration(h)*time.Hour)))
	}

	for h := range 3 {
		mustAdd(t, s, message("topo1/mail02", "a@acme.example", "b@acme.example",
			base.Add(time.Duration(h)*time.Hour)))
	}

	deleted, err := s.Prune(ctx, "topo1/mail01", 4)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}

	if deleted != 6 {
		t.Errorf("Prune deleted %d records, want 6", deleted)
	}

	checkCount(t, s, "topo1/mail01", 4)
	checkCount(t, s, "topo1/mail02", 3)

	records, err := s.Thread(ctx, "thread-a@acme.example-b@acme.example")
	if err != nil {
		t.Fatalf("Thread: %v", err)
	}

	var keptHours []int
	for _, r := range records {
		if r.Decky == "topo1/mail01" {
			keptHours = append(keptHours, int(r.Date.Sub(base)/time.Hour))
		}
	}

	if diff := cmp.Diff([]int{6, 7, 8, 9}, keptHours); diff != "" {
		t.Errorf("kept hours mismatch (-want +got):\n%s", diff)
	}

	if deleted, err := s.Prune(ctx, "topo1/mail01", 4); err != nil || deleted != 0 {
		t.Errorf("second Prune = %d, %v, want 0 deleted", deleted, err)
	}

	if deleted, err := s.Prune(ctx, "topo1/mail01", 0); err != nil || deleted != 4 {
		t.Errorf("Prune to 0 = %d, %v, want 4 deleted", deleted, err)
	}

	checkCount(t, s, "topo1/mail01", 0)

	if _, err := s.Prune(ctx, "topo1/mail02", -1); err == nil {
		t.Error("Prune with a negative keep succeeded, want an error")
	}

	checkCount(t, s, "topo1/mail02", 3)
}

func checkCount(t *testing.T, s *Store, decky string, want int) {
	t.Helper()

	got, err := s.Count(context.Background(), decky)
	if err != nil {
		t.Fatalf("Count(%s): %v", decky, err)
	}

	if got != want {
		t.Errorf("Count(%s) = %d, want %d", decky, got, want)
	}
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	date := time.Date(2024, 3, 4, 9, 0, 0, 0, mustLoad(t, "Europe/Berlin"))

	first, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}

	want := mustAdd(t, first, message("topo1/mail01", "a@acme.example", "b@acme.example", date))

	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	second := openStore(t, path)

	got, ok, err := second.LatestThread(ctx, "topo1/mail01", "a@acme.example", "b@acme.example")
	if err != nil || !ok {
		t.Fatalf("LatestThread after reopening = %v, %v, want the record", ok, err)
	}

	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("record after reopening mismatch (-want +got):\n%s", diff)
	}

	checkZone(t, want.Date, got.Date)
	checkCount(t, second, "topo1/mail01", 1)
}

func TestConcurrentUse(t *testing.T) {
	const writers, perWriter = 8, 25

	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	ctx := context.Background()
	base := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)

	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter*2)

	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				r := message("topo1/mail01", "a@acme.example", "b@acme.example",
					base.Add(time.Duration(w*perWriter+i)*time.Second))

				if _, err := s.Add(ctx, r); err != nil {
					errs <- err
				}

				if _, _, err := s.LatestThread(ctx, "topo1/mail01", "b@acme.example", "a@acme.example"); err != nil {
					errs <- err
				}
			}
		})
	}

	wg.Wait()
	close(errs)

	for err := range errs {
		t.Error(err)
	}

	checkCount(t, s, "topo1/mail01", writers*perWriter)
}

// TestQueriesUseIndexes checks that no query reads the whole table, so the
// daemon stays fast with thousands of records per decky.
func TestQueriesUseIndexes(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "state.db"))

	tests := []struct {
		name      string
		query     string
		args      []any
		wantIndex string
	}{
		{"latest thread", latestThreadQuery, []any{"d", "a", "b"}, "messages_pair"},
		{"recent pair", recentPairQuery, []any{"d", "a", "b", 32}, "messages_pair"},
		{"last date", lastDateQuery, []any{"d"}, "messages_decky_date"},
		{"thread", threadQuery, []any{"t"}, "messages_thread"},
		{"prune", pruneQuery, []any{"d", 5}, "messages_decky_date"},
		{"count", countQuery, []any{"d"}, "messages_decky_date"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := s.db.Query("EXPLAIN QUERY PLAN "+tt.query, tt.args...)
			if err != nil {
				t.Fatalf("EXPLAIN QUERY PLAN: %v", err)
			}
			defer rows.Close()

			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string

				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatalf("reading plan: %v", err)
				}

				plan = append(plan, detail)
			}

			if err := rows.Err(); err != nil {
				t.Fatalf("reading plan: %v", err)
			}

			if slices.ContainsFunc(plan, func(d string) bool { return strings.HasPrefix(d, "SCAN messages") }) {
				t.Errorf("query scans the whole table:\n%s", strings.Join(plan, "\n"))
			}

			if !strings.Contains(strings.Join(plan, "\n"), "INDEX "+tt.wantIndex) {
				t.Errorf("query does not use index %s:\n%s", tt.wantIndex, strings.Join(plan, "\n"))
			}
		})
	}
}
