package message

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var mimeDecoder mime.WordDecoder

// decoded is what a parser must return for an encoded message. Bodies use
// "\n" line endings so that parsers that convert them compare equal.
type decoded struct {
	Names   []string
	Emails  []string
	Subject string
	Body    string
}

type roundTripCase struct {
	name string
	msg  Message
}

// want returns what a parser must read back from the encoded message.
func (c roundTripCase) want() decoded {
	body := strings.ReplaceAll(c.msg.Body, "\r\n", "\n")
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	return decoded{
		Names:   []string{c.msg.From.Name, c.msg.To.Name},
		Emails:  []string{c.msg.From.Email, c.msg.To.Email},
		Subject: strings.TrimSpace(c.msg.Subject),
		Body:    body,
	}
}

func roundTripCases(t *testing.T) []roundTripCase {
	t.Helper()
	edit := func(name string, f func(*Message)) roundTripCase {
		m := baseMessage(t)
		f(&m)
		return roundTripCase{name: name, msg: m}
	}
	return []roundTripCase{
		edit("ascii", func(*Message) {}),
		edit("spanish names", func(m *Message) {
			m.From = Address{"José Núñez", "jose.nunez@example.es"}
			m.To = Address{"María Pérez", "maria@example.es"}
			m.Subject = "Revisión del presupuesto"
			m.Body = "Hola María,\n\n¿Podemos revisar el presupuesto el jueves?\n\nJosé\n"
		}),
		edit("german name", func(m *Message) { m.To = Address{"Ana Müller", "ana.mueller@example.de"} }),
		edit("comma and quotes", func(m *Message) {
			m.From = Address{"Lima, Bruno", "bruno@example.com"}
			m.To = Address{`Ana "Nana" Souza`, "ana@example.com"}
		}),
		edit("backslash and parentheses", func(m *Message) { m.From.Name = `IT Helpdesk (DOMAIN\helpdesk)` }),
		edit("non-ascii with specials", func(m *Message) { m.From.Name = "Núñez, José (Compras)" }),
		edit("long names", func(m *Message) {
			m.From.Name = "Maria Fernanda Conceição Gonçalves de Araújo e Vasconcelos"
			m.To.Name = "Maximilian Alexander Friedrich von Hohenberg-Schwarzenstein"
		}),
		edit("long spanish subject", func(m *Message) {
			m.Subject = "Re: Revisión del presupuesto del tercer trimestre y próximos pasos con el área de compras y logística"
		}),
		edit("long ascii subject with double space", func(m *Message) {
			m.Subject = "Follow-up on the quarterly planning session  and the open items for the platform team before Friday"
		}),
		edit("subject with encoded word lookalike", func(m *Message) { m.Subject = "About =?UTF-8?Q?x?= strings" }),
		edit("reply", func(m *Message) {
			m.Subject = "Re: Budget review"
			m.References = References([]string{"a@example.com", "b@example.com"}, "c@example.com")
			m.InReplyTo = "c@example.com"
		}),
		edit("quoted-printable body", func(m *Message) { m.Body = strings.Repeat("ñ", 600) + "\nfin\n" }),
		edit("long run of non-ascii words", func(m *Message) {
			m.From.Name = "Conceição Gonçalves Araújo Magalhães Simões Guimarães"
		}),
		edit("cyrillic name", func(m *Message) { m.To.Name = "Дмитрий Александрович Соколов" }),
		edit("icelandic names", func(m *Message) {
			m.From.Name = "Ólafur Þórðarson Guðmundsdóttir"
			m.To.Name = `Zoë Ångström-Žižek "quoted"`
		}),
		edit("longest cyrillic name", func(m *Message) { m.From.Name = strings.Repeat("Ж", 64) + " " + strings.Repeat("ж", 63) }),
		edit("no display names", func(m *Message) {
			m.From.Name = ""
			m.To.Name = ""
		}),
	}
}

func mustDecodeHeader(t *testing.T, s string) string {
	t.Helper()
	out, err := mimeDecoder.DecodeHeader(s)
	if err != nil {
		t.Fatalf("decoding header %q: %v", s, err)
	}
	return out
}

// readBody returns the body of a parsed message with its transfer encoding
// undone and "\n" line endings.
func readBody(t *testing.T, m *mail.Message) string {
	t.Helper()
	var r io.Reader = m.Body
	if m.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
		r = quotedprintable.NewReader(r)
	}
	body, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return strings.ReplaceAll(string(body), "\r\n", "\n")
}

// pythonParser prints what Python's email package (policy.default) reads
// from a message on standard input, as JSON.
const pythonParser = `
import email, email.policy, json, sys
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
defects = [repr(d) for d in msg.defects]
out = {"Names": [], "Emails": []}
for field in ("From", "To"):
    header = msg[field]
    defects += [field + ": " + repr(d) for d in header.defects]
    out["Names"].append(header.addresses[0].display_name)
    out["Emails"].append(header.addresses[0].addr_spec)
out["Subject"] = str(msg["Subject"])
out["Body"] = msg.get_content()
out["MessageID"] = str(msg["Message-ID"])
out["References"] = str(msg["References"] or "")
out["Defects"] = defects
json.dump(out, sys.stdout)
`

type pythonResult struct {
	decoded
	MessageID  string
	References string
	Defects    []string
}

func TestEncodePythonRoundTrip(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("python3 is required in CI: %v", err)
		}
		t.Skipf("python3 not found, skipping the Python email round trip: %v", err)
	}
	for _, tt := range roundTripCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(python, "-c", pythonParser)
			cmd.Stdin = bytes.NewReader(encode(t, tt.msg))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("python3 email parser: %v\n%s", err, stderr.String())
			}
			var got pythonResult
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("decoding python output %q: %v", out, err)
			}
			// Python keeps CRLF line endings in get_content().
			got.Body = strings.ReplaceAll(got.Body, "\r\n", "\n")
			if diff := cmp.Diff(tt.want(), got.decoded); diff != "" {
				t.Errorf("python parsed message (-want +got):\n%s", diff)
			}
			if len(got.Defects) > 0 {
				t.Errorf("python reported defects: %q", got.Defects)
			}
			if want := "<" + tt.msg.ID + ">"; got.MessageID != want {
				t.Errorf("python Message-ID = %q, want %q", got.MessageID, want)
			}
			var wantRefs []string
			if tt.msg.InReplyTo != "" {
				for _, id := range tt.msg.References {
					wantRefs = append(wantRefs, "<"+id+">")
				}
			}
			if got := strings.Fields(got.References); !cmp.Equal(wantRefs, got, cmpEmptyIsNil) {
				t.Errorf("python References = %q, want %q", got, wantRefs)
			}
		})
	}
}

var cmpEmptyIsNil = cmp.FilterValues(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())
