package driver

import (
	"strings"
	"testing"
)

func TestFileName(t *testing.T) {
	tests := []struct {
		name      string
		messageID string
		want      string
	}{
		{"angle brackets", "<1718.abc@acme.example>", "1718.abc_at_acme.example.eml"},
		{"bare id", "1718.abc@acme.example", "1718.abc_at_acme.example.eml"},
		{"two at signs", "<a@b@c.example>", "a_at_b_at_c.example.eml"},
		{"no at sign", "<local-only>", "local-only.eml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FileName(tt.messageID); got != tt.want {
				t.Errorf("FileName(%q) = %q, want %q", tt.messageID, got, tt.want)
			}
		})
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		wantErr bool
	}{
		{"message file", "1718.abc_at_acme.example.eml", false},
		{"shell characters", "O'Brien; $(reboot) `id`.eml", false},
		{"utf-8", "ñandú_at_例え.jp.eml", false},
		{"max length", strings.Repeat("a", MaxNameBytes), false},
		{"empty", "", true},
		{"dot", ".", true},
		{"dot dot", "..", true},
		{"slash", "a/b.eml", true},
		{"leading slash", "/etc/passwd", true},
		{"nul", "a\x00b.eml", true},
		{"too long", strings.Repeat("a", MaxNameBytes+1), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidName(tt.file)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Errorf("ValidName(%q) = %v, want error: %v", tt.file, err, tt.wantErr)
			}
		})
	}
}

func TestFileNameWithSlashInvalid(t *testing.T) {
	name := FileName("<../../etc/passwd@x.example>")
	if err := ValidName(name); err == nil {
		t.Errorf("ValidName(%q) = nil, want an error for a name with a slash", name)
	}
}

func TestCappedBufferReason(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		max    int
		want   string
	}{
		{"trimmed", []string{"  disk full\n"}, 64, "disk full"},
		{"empty", nil, 64, "no error output"},
		{"cut", []string{"abcdef", "ghij"}, 4, "abcd ... (6 more bytes)"},
		{"cut at boundary", []string{"abcd", "efgh"}, 4, "abcd ... (4 more bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &cappedBuffer{limit: tt.max}
			for _, w := range tt.writes {
				if n, err := b.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v, want %d, nil", w, n, err, len(w))
				}
			}
			if got := b.reason(); got != tt.want {
				t.Errorf("reason() = %q, want %q", got, tt.want)
			}
		})
	}
}
