package message

import (
	"bytes"
	"fmt"
	"mime/quotedprintable"
	"strings"
	"unicode/utf8"
)

// encodeBody returns the body with CRLF line endings, ending in CRLF, and
// the Content-Transfer-Encoding that carries it: 7bit for ASCII, 8bit for
// other UTF-8, both only when every line fits in maxLine octets and there
// is no NUL, otherwise quoted-printable.
func encodeBody(body string) ([]byte, string, error) {
	if !utf8.ValidString(body) {
		return nil, "", fmt.Errorf("%w: body is not valid UTF-8: the Content-Type declares charset=UTF-8", ErrInvalid)
	}
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}

	ascii, fits := true, true
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if len(line) > maxLine {
			fits = false
		}
	}
	for i := 0; i < len(body); i++ {
		if body[i] >= utf8.RuneSelf {
			ascii = false
		}
		if body[i] == 0 {
			fits = false
		}
	}
	if fits {
		out := []byte(strings.ReplaceAll(body, "\n", "\r\n"))
		if ascii {
			return out, "7bit", nil
		}
		return out, "8bit", nil
	}

	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	// In text mode the writer turns every "\n" into CRLF and soft-wraps
	// lines at 76 characters.
	if _, err := w.Write([]byte(body)); err != nil {
		return nil, "", fmt.Errorf("encoding body as quoted-printable: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, "", fmt.Errorf("encoding body as quoted-printable: %w", err)
	}
	return b.Bytes(), "quoted-printable", nil
}
