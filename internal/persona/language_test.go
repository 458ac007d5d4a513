package persona

import (
	"strings"
	"testing"
)

func TestNormalizeLanguage(t *testing.T) {
	tests := []struct {
		tag     string
		want    string
		wantErr bool
	}{
		{tag: "es", want: "es"},
		{tag: "EN", want: "en"},
		{tag: "pt-BR", want: "pt"},
		{tag: "zh_Hant", want: "zh"},
		{tag: "es-419", want: "es"},
		{tag: "pt-BR-ao", want: "pt"},
		{tag: "pt-BR-abc", wantErr: true},
		{tag: "", wantErr: true},
		{tag: "e", wantErr: true},
		{tag: "eng", wantErr: true},
		{tag: "-es", wantErr: true},
		{tag: "es--MX", wantErr: true},
		{tag: "es MX", wantErr: true},
		{tag: "ñe", wantErr: true},
		{tag: "é", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.tag, func(t *testing.T) {
			got, err := NormalizeLanguage(tc.tag)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("NormalizeLanguage(%q) = %q, want an error", tc.tag, got)
				}
				if !strings.Contains(err.Error(), "ISO 639-1") {
					t.Errorf("error %q does not say what a valid code looks like", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizeLanguage(%q): %v", tc.tag, err)
			}
			if got != tc.want {
				t.Errorf("NormalizeLanguage(%q) = %q, want %q", tc.tag, got, tc.want)
			}
		})
	}
}
