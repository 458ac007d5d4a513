package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Record is one generated message and the outcome of its delivery.
type Record struct {
	// ID is assigned by Add.
	ID int64

	// Decky is the decky's stable identity, such as "topo1/mail01".
	Decky string

	// Containers are the mail containers the message was written to.
	Containers []string

	ThreadID   string
	MessageID  string
	InReplyTo  string
	References []string

	From     string
	FromName string
	To       string
	ToName   string

	Subject  string
	Language string
	Topic    string

	// Date is the message's Date header. Its zone comes back from the
	// database with the same name and offset.
	Date time.Time

	// Path is the message's file inside the containers.
	Path string

	// Delivered is true when every container received the message.
	// Failure gives the reason when it is false.
	Delivered bool
	Failure   string

	// Generator names what wrote the message, such as "template".
	Generator  string
	Mannerisms []string
	Body       string

	// CreatedAt is when the record was added. Add sets it to the current
	// time when it is zero.
	CreatedAt time.Time
}

// columns lists the messages columns in the order scanRecord reads them.
const columns = `id, decky, containers, thread_id, message_id, in_reply_to,
	reference_ids, from_addr, from_name, to_addr, to_name, subject, language,
	topic, date, date_zone, path, delivered, failure, generator, mannerisms,
	body, created_at`

// The queries below each read through an index, which a test checks with
// EXPLAIN QUERY PLAN.
const (
	// latestThreadQuery looks the pair up in each direction separately,
	// because SQLite plans the single OR form as a walk through all of the
	// decky's records.
	latestThreadQuery = `SELECT ` + columns + ` FROM messages WHERE id = (
		SELECT id FROM (
			SELECT id, date_unix FROM messages
			WHERE decky = ?1 AND from_addr = ?2 AND to_addr = ?3 AND delivered = 1
			UNION ALL
			SELECT id, date_unix FROM messages
			WHERE decky = ?1 AND from_addr = ?3 AND to_addr = ?2 AND delivered = 1
		) ORDER BY date_unix DESC, id DESC LIMIT 1)`

	// recentPairQuery returns the pair's newest delivered messages, newest
	// first, looking each direction up separately for the same reason.
	recentPairQuery = `SELECT ` + columns + ` FROM messages WHERE id IN (
		SELECT id FROM (
			SELECT id, date_unix FROM messages
			WHERE decky = ?1 AND from_addr = ?2 AND to_addr = ?3 AND delivered = 1
			UNION ALL
			SELECT id, date_unix FROM messages
			WHERE decky = ?1 AND from_addr = ?3 AND to_addr = ?2 AND delivered = 1
		) ORDER BY date_unix DESC, id DESC LIMIT ?4)
		ORDER BY date_unix DESC, id DESC`

	lastDateQuery = `SELECT date, date_zone FROM messages
		WHERE decky = ?1 AND delivered = 1
		ORDER BY date_unix DESC, id DESC LIMIT 1`

	threadQuery = `SELECT ` + columns + ` FROM messages
		WHERE thread_id = ?1 ORDER BY date_unix, id`

	pruneQuery = `DELETE FROM messages
		WHERE decky = ?1 AND id NOT IN (
			SELECT id FROM messages WHERE decky = ?1
			ORDER BY date_unix DESC, id DESC LIMIT ?2
		)`

	countQuery = `SELECT COUNT(*) FROM messages WHERE decky = ?1`
)

// Add records a message and returns its ID. The record needs a decky, a
// thread ID, a Message-ID and a Date.
func (s *Store) Add(ctx context.Context, r Record) (int64, error) {
	if err := validate(r); err != nil {
		return 0, err
	}

	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now()
	}

	result, err := s.db.ExecContext(ctx, `INSERT INTO messages (
		decky, containers, thread_id, message_id, in_reply_to, reference_ids,
		from_addr, from_name, to_addr, to_name, subject, language, topic,
		date, date_zone, date_unix, path, delivered, failure, generator,
		mannerisms, body, created_at
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Decky, encodeList(r.Containers), r.ThreadID, r.MessageID, r.InReplyTo,
		encodeList(r.References), r.From, r.FromName, r.To, r.ToName, r.Subject,
		r.Language, r.Topic, r.Date.Format(time.RFC3339Nano), r.Date.Location().String(),
		r.Date.Unix(), r.Path, r.Delivered, r.Failure, r.Generator,
		encodeList(r.Mannerisms), r.Body, r.CreatedAt.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return 0, fmt.Errorf("recording message %s: %w", r.MessageID, err)
	}

	id, err := result.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("recording message %s: reading its id: %w", r.MessageID, err)
	}

	return id, nil
}

func validate(r Record) error {
	var missing string

	switch {
	case r.Decky == "":
		missing = "decky"
	case r.ThreadID == "":
		missing = "thread id"
	case r.MessageID == "":
		missing = "Message-ID"
	case r.Date.IsZero():
		missing = "Date"
	default:
		return nil
	}

	return fmt.Errorf("recording message %q on decky %q: missing %s", r.MessageID, r.Decky, missing)
}

// LatestThread returns the newest delivered message on decky between the
// addresses a and b, in either direction, by Date and then by ID. Addresses
// compare case-insensitively. It returns false when there is none.
func (s *Store) LatestThread(ctx context.Context, decky, a, b string) (Record, bool, error) {
	row := s.db.QueryRowContext(ctx, latestThreadQuery, decky, a, b)

	r, err := scanRecord(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, false, nil
	}

	if err != nil {
		return Record{}, false, fmt.Errorf("finding latest thread between %s and %s on %s: %w",
			a, b, decky, err)
	}

	return r, true, nil
}

// messagesPerThread is how many of a pair's newest messages RecentThreads
// reads for each thread it is asked for. Threads between two people take
// turns with their new threads, so a few messages per thread reach back far
// enough.
const messagesPerThread = 8

// RecentThreads returns the newest delivered message of each of the most
// recent threads between the addresses a and b on decky, in either
// direction, newest first, at most limit of them. It reads only the pair's
// newest messages, so a thread that has had no message for a long time
// while the pair wrote many others is not returned.
func (s *Store) RecentThreads(ctx context.Context, decky, a, b string, limit int) ([]Record, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, recentPairQuery, decky, a, b, limit*messagesPerThread)
	if err != nil {
		return nil, fmt.Errorf("finding recent threads between %s and %s on %s: %w", a, b, decky, err)
	}
	defer rows.Close()

	var threads []Record
	seen := make(map[string]bool)
	for rows.Next() && len(threads) < limit {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("finding recent threads between %s and %s on %s: %w", a, b, decky, err)
		}
		if !seen[r.ThreadID] {
			seen[r.ThreadID] = true
			threads = append(threads, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("finding recent threads between %s and %s on %s: %w", a, b, decky, err)
	}
	return threads, nil
}

// LastDate returns the newest Date of a delivered message on decky, or
// false when the decky has none.
func (s *Store) LastDate(ctx context.Context, decky string) (time.Time, bool, error) {
	var date, zone string

	err := s.db.QueryRowContext(ctx, lastDateQuery, decky).Scan(&date, &zone)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}

	if err != nil {
		return time.Time{}, false, fmt.Errorf("finding last date on %s: %w", decky, err)
	}

	t, err := decodeDate(date, zone)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("finding last date on %s: %w", decky, err)
	}

	return t, true, nil
}

// Thread returns the messages of a thread, oldest Date first.
func (s *Store) Thread(ctx context.Context, threadID string) ([]Record, error) {
	rows, err := s.db.QueryContext(ctx, threadQuery, threadID)
	if err != nil {
		return nil, fmt.Errorf("reading thread %s: %w", threadID, err)
	}
	defer rows.Close()

	var records []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("reading thread %s: %w", threadID, err)
		}

		records = append(records, r)
	}

	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading thread %s: %w", threadID, err)
	}

	return records, nil
}

// Prune deletes all but the newest keep records of decky, by Date and then
// by ID, and returns how many it deleted.
func (s *Store) Prune(ctx context.Context, decky string, keep int) (int64, error) {
	if keep < 0 {
		return 0, fmt.Errorf("pruning %s: keep must not be negative, got %d", decky, keep)
	}

	result, err := s.db.ExecContext(ctx, pruneQuery, decky, keep)
	if err != nil {
		return 0, fmt.Errorf("pruning %s to %d records: %w", decky, keep, err)
	}

	deleted, err := result.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("pruning %s to %d records: %w", decky, keep, err)
	}

	return deleted, nil
}

// Count returns the number of records of decky, delivered or not.
func (s *Store) Count(ctx context.Context, decky string) (int, error) {
	var n int

	if err := s.db.QueryRowContext(ctx, countQuery, decky).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting records of %s: %w", decky, err)
	}

	return n, nil
}

// scanner is the Scan method shared by *sql.Row and *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

func scanRecord(row scanner) (Record, error) {
	var (
		r                                  Record
		containers, references, mannerisms string
		date, zone, created                string
	)

	err := row.Scan(&r.ID, &r.Decky, &containers, &r.ThreadID, &r.MessageID,
		&r.InReplyTo, &references, &r.From, &r.FromName, &r.To, &r.ToName,
		&r.Subject, &r.Language, &r.Topic, &date, &zone, &r.Path, &r.Delivered,
		&r.Failure, &r.Generator, &mannerisms, &r.Body, &created)
	if err != nil {
		return Record{}, err
	}

	lists := []struct {
		text string
		dest *[]string
	}{
		{containers, &r.Containers},
		{references, &r.References},
		{mannerisms, &r.Mannerisms},
	}

	for _, list := range lists {
		if *list.dest, err = decodeList(list.text); err != nil {
			return Record{}, fmt.Errorf("record %d: %w", r.ID, err)
		}
	}

	if r.Date, err = decodeDate(date, zone); err != nil {
		return Record{}, fmt.Errorf("record %d: %w", r.ID, err)
	}

	if r.CreatedAt, err = time.Parse(time.RFC3339Nano, created); err != nil {
		return Record{}, fmt.Errorf("record %d: invalid created_at %q: %w", r.ID, created, err)
	}

	return r, nil
}

// encodeList writes a list as a JSON array. Marshaling strings cannot fail.
func encodeList(list []string) string {
	if len(list) == 0 {
		return "[]"
	}

	text, _ := json.Marshal(list)

	return string(text)
}

// decodeList reads a JSON array, returning nil for an empty one.
func decodeList(text string) ([]string, error) {
	var list []string
	if err := json.Unmarshal([]byte(text), &list); err != nil {
		return nil, fmt.Errorf("invalid list %q: %w", text, err)
	}

	if len(list) == 0 {
		return nil, nil
	}

	return list, nil
}

// decodeDate reads an RFC 3339 Date and puts it back in its named zone when
// that zone still has the stored offset at that instant. Otherwise, for a
// zone that cannot be loaded or whose rules changed, the Date keeps its
// offset in a fixed zone of the same name.
func decodeDate(text, zone string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q: %w", text, err)
	}

	_, offset := t.Zone()

	if loc, err := time.LoadLocation(zone); err == nil && zone != "" {
		if _, got := t.In(loc).Zone(); got == offset {
			return t.In(loc), nil
		}
	}

	return t.In(time.FixedZone(zone, offset)), nil
}
