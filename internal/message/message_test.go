package message

import (
	"bytes"
	"errors"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// baseMessage returns a valid root message that each test changes.
func baseMessage(t *testing.T) Message {
	t.Helper()
	loc := time.FixedZone("BRT", -3*3600)
	return Message{
		From:    Address{Name: "Ana Souza", Email: "ana.souza@example.com"},
		To:      Address{Name: "Bruno Lima", Email: "bruno@example.com"},
		Subject: "Budget review",
		Date:    time.Date(2026, 3, 3, 14, 7, 31, 0, loc),
		ID:      "1b7c0d8e-3c4b-4f1e-9a2d-6f5e8c7b9a01@example.com",
		Body:    "Hi Bruno,\n\nThe numbers are attached.\n\nAna\n",
	}
}

// encode encodes m and fails the test on error.
func encode(t *testing.T, m Message) []byte {
	t.Helper()
	out, err := m.Encode()
	if err != nil {
		t.Fatalf("Encode() error: %v", err)
	}
	return out
}

// headerBlock returns the raw header lines of an encoded message, without
// the blank line that ends them.
func headerBlock(t *testing.T, raw []byte) []string {
	t.Helper()
	head, _, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("no blank line after the headers in %q", raw)
	}
	return strings.Split(string(head), "\r\n")
}

// rawHeader returns the named header with its continuation lines, joined by
// CRLF.
func rawHeader(t *testing.T, raw []byte, name string) string {
	t.Helper()
	var out []string
	in := false
	for _, line := range headerBlock(t, raw) {
		switch {
		case strings.HasPrefix(line, name+":"):
			in = true
			out = append(out, line)
		case in && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")):
			out = append(out, line)
		default:
			in = false
		}
	}
	return strings.Join(out, "\r\n")
}

func TestEncodeHeaderOrder(t *testing.T) {
	reply := baseMessage(t)
	reply.InReplyTo = "root@example.com"
	reply.References = []string{"root@example.com"}

	tests := []struct {
		name string
		msg  Message
		want []string
	}{
		{
			name: "root",
			msg:  baseMessage(t),
			want: []string{"Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"},
		},
		{
			name: "reply",
			msg:  reply,
			want: []string{"Date", "From", "To", "Subject", "Message-ID", "In-Reply-To", "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, line := range headerBlock(t, encode(t, tt.msg)) {
				if name, _, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") {
					got = append(got, name)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("header names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncodeFixedHeaders(t *testing.T) {
	raw := encode(t, baseMessage(t))
	want := map[string]string{
		"Date":                      "Date: Tue, 03 Mar 2026 14:07:31 -0300",
		"Message-ID":                "Message-ID: <1b7c0d8e-3c4b-4f1e-9a2d-6f5e8c7b9a01@example.com>",
		"MIME-Version":              "MIME-Version: 1.0",
		"Content-Type":              "Content-Type: text/plain; charset=UTF-8",
		"Content-Transfer-Encoding": "Content-Transfer-Encoding: 7bit",
	}
	for name, line := range want {
		t.Run(name, func(t *testing.T) {
			if got := rawHeader(t, raw, name); got != line {
				t.Errorf("%s header = %q, want %q", name, got, line)
			}
		})
	}
}

func TestEncodeDateZones(t *testing.T) {
	tests := []struct {
		name string
		date time.Time
		want string
	}{
		{"utc", time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), "Date: Mon, 05 Jan 2026 09:00:00 +0000"},
		{"east", time.Date(2026, 1, 5, 9, 0, 0, 0, time.FixedZone("CET", 3600)), "Date: Mon, 05 Jan 2026 09:00:00 +0100"},
		{"half hour", time.Date(2026, 1, 5, 9, 0, 0, 0, time.FixedZone("IST", 5*3600+1800)), "Date: Mon, 05 Jan 2026 09:00:00 +0530"},
		{"west", time.Date(2026, 7, 1, 17, 45, 9, 0, time.FixedZone("PDT", -7*3600)), "Date: Wed, 01 Jul 2026 17:45:09 -0700"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseMessage(t)
			m.Date = tt.date
			if got := rawHeader(t, encode(t, m), "Date"); got != tt.want {
				t.Errorf("Date header = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEncodeAddressHeader(t *testing.T) {
	tests := []struct {
		name string
		addr Address
		want string
	}{
		{"ascii", Address{"Ana Souza", "ana@example.com"}, "From: Ana Souza <ana@example.com>"},
		{"no name", Address{"", "ana@example.com"}, "From: ana@example.com"},
		{"apostrophe", Address{"Pat O'Brien", "pat@example.com"}, "From: Pat O'Brien <pat@example.com>"},
		{"accents", Address{"José Núñez", "jose@example.es"}, "From: =?UTF-8?Q?Jos=C3=A9_N=C3=BA=C3=B1ez?= <jose@example.es>"},
		{"umlaut", Address{"Ana Müller", "ana@example.de"}, "From: Ana =?UTF-8?Q?M=C3=BCller?= <ana@example.de>"},
		{"comma", Address{"Lima, Bruno", "bruno@example.com"}, `From: "Lima, Bruno" <bruno@example.com>`},
		{"quotes", Address{`Bruno "Bru" Lima`, "bruno@example.com"}, `From: "Bruno \"Bru\" Lima" <bruno@example.com>`},
		{"backslash", Address{`DOMAIN\bruno`, "bruno@example.com"}, `From: "DOMAIN\\bruno" <bruno@example.com>`},
		{"dot", Address{"J. R. Smith", "jr@example.com"}, `From: "J. R. Smith" <jr@example.com>`},
		{"double space", Address{"Ana  Souza", "ana@example.com"}, `From: "Ana  Souza" <ana@example.com>`},
		{"non-ascii with comma", Address{"Núñez, José", "jose@example.es"}, "From: =?UTF-8?Q?N=C3=BA=C3=B1ez=2C_Jos=C3=A9?= <jose@example.es>"},
		{"encoded word lookalike", Address{"=?UTF-8?Q?x?=", "x@example.com"}, "From: =?UTF-8?Q?=3D=3FUTF-8=3FQ=3Fx=3F=3D?= <x@example.com>"},
		{
			"long ascii folds before address",
			Address{"Maria Fernanda Oliveira dos Santos Carvalho Pereira", "maria.fernanda.carvalho@example.com"},
			"From: Maria Fernanda Oliveira dos Santos Carvalho Pereira\r\n <maria.fernanda.carvalho@example.com>",
		},
		{
			"long non-ascii keeps atoms plain",
			Address{"Maria Fernanda Conceição Gonçalves de Araújo", "maria@example.com"},
			"From: Maria Fernanda =?UTF-8?Q?Concei=C3=A7=C3=A3o_Gon=C3=A7alves?= de\r\n =?UTF-8?Q?Ara=C3=BAjo?= <maria@example.com>",
		},
		{
			// One encoded word however long, because Python reads an
			// extra space between adjacent ones in a display name.
			"long non-ascii run stays one encoded word",
			Address{"Conceição Gonçalves Araújo Magalhães Simões Guimarães", "maria@example.com"},
			"From: =?UTF-8?B?Q29uY2Vpw6fDo28gR29uw6dhbHZlcyBBcmHDumpvIE1hZ2FsaMOjZXMgU2ltw7VlcyBHdWltYXLDo2Vz?=\r\n" +
				" <maria@example.com>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseMessage(t)
			m.From = tt.addr
			if got := rawHeader(t, encode(t, m), "From"); got != tt.want {
				t.Errorf("From header:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestEncodeSubjectFolding(t *testing.T) {
	tests := []struct {
		name    string
		subject string
		want    string
	}{
		{"short", "Budget review", "Subject: Budget review"},
		{"trimmed", "  Budget review \t", "Subject: Budget review"},
		{"empty", "", "Subject:"},
		{"reply", "Re: Budget review", "Subject: Re: Budget review"},
		{
			"long ascii folds at spaces",
			"Follow-up on the quarterly planning session and the open items for the platform team before Friday",
			"Subject: Follow-up on the quarterly planning session and the open items for\r\n the platform team before Friday",
		},
		{
			"double space is never a fold point",
			"Follow-up on the quarterly planning session and the open items  forwarded by the team",
			"Subject: Follow-up on the quarterly planning session and the open\r\n items  forwarded by the team",
		},
		{"spanish", "Revisión del presupuesto", "Subject: =?UTF-8?Q?Revisi=C3=B3n_del_presupuesto?="},
		{
			"long spanish folds between encoded words",
			"Revisión del presupuesto del tercer trimestre y próximos pasos con el área de compras",
			"Subject: =?UTF-8?Q?Revisi=C3=B3n_del_presupuesto_del_tercer_trimestre_y_?=\r\n" +
				" =?UTF-8?Q?pr=C3=B3ximos_pasos_con_el_=C3=A1rea_de_compras?=",
		},
		{"question mark and equals", "Re: 2+2=4? =?x", "Subject: =?UTF-8?Q?Re=3A_2+2=3D4=3F_=3D=3Fx?="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseMessage(t)
			m.Subject = tt.subject
			if got := rawHeader(t, encode(t, m), "Subject"); got != tt.want {
				t.Errorf("Subject header:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestEncodeLineLimits(t *testing.T) {
	long := strings.Repeat("word ", 300)
	tests := []struct {
		name string
		edit func(*Message)
	}{
		{"long ascii subject", func(m *Message) { m.Subject = long }},
		{"long unbroken subject", func(m *Message) { m.Subject = strings.Repeat("x", 1200) }},
		{"long non-ascii subject", func(m *Message) { m.Subject = strings.Repeat("Überprüfung ", 120) }},
		{"long quoted name", func(m *Message) { m.From.Name = strings.Repeat("Lima, ", 200) }},
		{"long atom name", func(m *Message) { m.From.Name = strings.Repeat("b", 1100) }},
		{"long references", func(m *Message) {
			m.References = nil
			for i := range MaxReferences {
				m.References = append(m.References, NewID("example.com", seeded(uint64(i))))
			}
			m.InReplyTo = m.References[len(m.References)-1]
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseMessage(t)
			tt.edit(&m)
			for _, line := range headerBlock(t, encode(t, m)) {
				if len(line) > maxLine {
					t.Errorf("header line of %d octets: %.60q...", len(line), line)
				}
				// Only a single token wider than a line may pass 78.
				if len(line) > foldWidth && strings.Contains(strings.TrimSpace(line[strings.Index(line, " ")+1:]), " ") {
					t.Errorf("header line of %d characters has a fold point: %q", len(line), line)
				}
			}
		})
	}
}

func TestEncodeBody(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantCTE  string
		wantBody string
	}{
		{"ascii lf", "Hi Bruno,\n\nThanks.\n", "7bit", "Hi Bruno,\r\n\r\nThanks.\r\n"},
		{"crlf kept", "Hi\r\nThanks\r\n", "7bit", "Hi\r\nThanks\r\n"},
		{"lone cr", "Hi\rThanks", "7bit", "Hi\r\nThanks\r\n"},
		{"missing final newline", "Thanks", "7bit", "Thanks\r\n"},
		{"empty", "", "7bit", "\r\n"},
		{"utf-8", "Hola José,\n¿Revisamos?\n", "8bit", "Hola José,\r\n¿Revisamos?\r\n"},
		{"line of 998 octets", strings.Repeat("a", 998), "7bit", strings.Repeat("a", 998) + "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseMessage(t)
			m.Body = tt.body
			raw := encode(t, m)
			if got := rawHeader(t, raw, "Content-Transfer-Encoding"); got != "Content-Transfer-Encoding: "+tt.wantCTE {
				t.Errorf("transfer encoding header = %q, want %s", got, tt.wantCTE)
			}
			_, body, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
			if diff := cmp.Diff(tt.wantBody, string(body)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncodeBodyQuotedPrintable(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"ascii line of 999 octets", strings.Repeat("a", 999) + "\n"},
		{"utf-8 long line", strings.Repeat("ñ", 600) + "\nfin\n"},
		{"nul byte", "a\x00b\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseMessage(t)
			m.Body = tt.body
			raw := encode(t, m)
			if got := rawHeader(t, raw, "Content-Transfer-Encoding"); got != "Content-Transfer-Encoding: quoted-printable" {
				t.Errorf("transfer encoding header = %q, want quoted-printable", got)
			}
			_, body, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
			for _, line := range strings.Split(string(body), "\r\n") {
				if len(line) > 76 {
					t.Errorf("quoted-printable line of %d octets", len(line))
				}
			}
			decoded, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
			if err != nil {
				t.Fatalf("decoding quoted-printable body: %v", err)
			}
			want := strings.ReplaceAll(tt.body, "\n", "\r\n")
			if diff := cmp.Diff(want, string(decoded)); diff != "" {
				t.Errorf("decoded body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncodeRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Message)
		want string
	}{
		{"zero date", func(m *Message) { m.Date = time.Time{} }, "date is zero"},
		{"empty from", func(m *Message) { m.From.Email = "" }, `From address "": empty`},
		{"no at", func(m *Message) { m.To.Email = "bruno.example.com" }, `"bruno.example.com": missing @`},
		{"space in local part", func(m *Message) { m.To.Email = "bruno lima@example.com" }, `"bruno lima@example.com"`},
		{"empty domain label", func(m *Message) { m.To.Email = "bruno@example..com" }, `"bruno@example..com"`},
		{"address injection", func(m *Message) { m.To.Email = "a@example.com>\r\nBcc: x@evil.test" }, "To address"},
		{"unicode domain", func(m *Message) { m.To.Email = "bruno@exämple.com" }, "punycode"},
		{"lf in subject", func(m *Message) { m.Subject = "Hi\nBcc: x@evil.test" }, `subject "Hi\nBcc: x@evil.test" contains control character U+000A`},
		{"crlf in subject", func(m *Message) { m.Subject = "Hi\r\n\r\nbody" }, "U+000D"},
		{"cr in name", func(m *Message) { m.From.Name = "Ana\rSouza" }, `From name "Ana\rSouza"`},
		{"lf in non-ascii name", func(m *Message) { m.To.Name = "José\nBcc: x@evil.test" }, "To name"},
		{"c1 control in subject", func(m *Message) { m.Subject = "Hi\u0085there" }, "U+0085"},
		{"invalid utf-8 name", func(m *Message) { m.From.Name = "Ana \xff" }, "not valid UTF-8"},
		{"invalid utf-8 body", func(m *Message) { m.Body = "\xc3" }, "body is not valid UTF-8"},
		{"empty id", func(m *Message) { m.ID = "" }, `Message-ID "": empty`},
		{"id with brackets", func(m *Message) { m.ID = "<a@example.com>" }, "without angle brackets"},
		{"id with space", func(m *Message) { m.ID = "a b@example.com" }, `Message-ID "a b@example.com"`},
		{"id with crlf", func(m *Message) { m.ID = "a@example.com\r\nBcc: x" }, "Message-ID"},
		{"id without at", func(m *Message) { m.ID = "abc" }, "missing @"},
		{"reference with space", func(m *Message) {
			m.InReplyTo = "p@example.com"
			m.References = []string{"r oot@example.com", "p@example.com"}
		}, `References "r oot@example.com"`},
		{"references without in-reply-to", func(m *Message) { m.References = []string{"p@example.com"} }, "without In-Reply-To"},
		{"parent not last", func(m *Message) {
			m.InReplyTo = "p@example.com"
			m.References = []string{"p@example.com", "q@example.com"}
		}, "must come last"},
		{"year out of range", func(m *Message) { m.Date = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "year"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseMessage(t)
			tt.edit(&m)
			out, err := m.Encode()
			if err == nil {
				t.Fatalf("Encode() = %q, want an error containing %q", out, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Encode() error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Encode() error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestEncodeReplyHeaders(t *testing.T) {
	m := baseMessage(t)
	m.InReplyTo = "parent@example.com"
	raw := encode(t, m)
	if got, want := rawHeader(t, raw, "In-Reply-To"), "In-Reply-To: <parent@example.com>"; got != want {
		t.Errorf("In-Reply-To = %q, want %q", got, want)
	}
	if got, want := rawHeader(t, raw, "References"), "References: <parent@example.com>"; got != want {
		t.Errorf("References without a chain = %q, want %q", got, want)
	}
}

func TestEncodeReferencesFolding(t *testing.T) {
	m := baseMessage(t)
	m.References = []string{
		"0b3f6a8e-4c1d-4e2f-8a9b-1c2d3e4f5a6b@example.com",
		"1c2d3e4f-5a6b-4c7d-9e8f-0a1b2c3d4e5f@example.com",
		"2d3e4f5a-6b7c-4d8e-af90-1b2c3d4e5f6a@example.com",
	}
	m.InReplyTo = m.References[2]
	want := "References: <0b3f6a8e-4c1d-4e2f-8a9b-1c2d3e4f5a6b@example.com>\r\n" +
		" <1c2d3e4f-5a6b-4c7d-9e8f-0a1b2c3d4e5f@example.com>\r\n" +
		" <2d3e4f5a-6b7c-4d8e-af90-1b2c3d4e5f6a@example.com>"
	if got := rawHeader(t, encode(t, m), "References"); got != want {
		t.Errorf("References:\n got %q\nwant %q", got, want)
	}
}

func TestEncodeNetMailRoundTrip(t *testing.T) {
	for _, tt := range roundTripCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			parsed, err := mail.ReadMessage(bytes.NewReader(encode(t, tt.msg)))
			if err != nil {
				t.Fatalf("mail.ReadMessage: %v", err)
			}
			parser := mail.AddressParser{WordDecoder: &mimeDecoder}
			got := decoded{Subject: mustDecodeHeader(t, parsed.Header.Get("Subject"))}
			for _, field := range []string{"From", "To"} {
				addr, err := parser.Parse(parsed.Header.Get(field))
				if err != nil {
					t.Fatalf("parsing %s %q: %v", field, parsed.Header.Get(field), err)
				}
				got.Names = append(got.Names, addr.Name)
				got.Emails = append(got.Emails, addr.Address)
			}
			got.Body = readBody(t, parsed)
			if diff := cmp.Diff(tt.want(), got); diff != "" {
				t.Errorf("parsed message (-want +got):\n%s", diff)
			}
			if got, want := parsed.Header.Get("Message-Id"), "<"+tt.msg.ID+">"; got != want {
				t.Errorf("Message-ID = %q, want %q", got, want)
			}
			date, err := parsed.Header.Date()
			if err != nil {
				t.Fatalf("parsing Date: %v", err)
			}
			if !date.Equal(tt.msg.Date) {
				t.Errorf("Date = %v, want %v", date, tt.msg.Date)
			}
		})
	}
}
