package generator

import (
	"strings"
	"testing"
)

func TestTopicSubject(t *testing.T) {
	tests := []struct {
		topic, language, want string
	}{
		{"budget review", "en", "Budget review"},
		{"budget review", "es", "Revisión del presupuesto"},
		{"budget review", "pt", "Revisão do orçamento"},
		{"budget review", "fr", "Revue budgétaire"},
		{"budget review", "de", "Budgetreview"},
		{"IT maintenance window", "pt-BR", "Janela de manutenção"},
		{"  Office   Move ", "DE", "Büroumzug"},
		{"parking permits", "fr", "Parking permits"},
		{"", "es", "Consulta rápida"},
		{" ", "en", "Quick question"},
		{"hiring", "it", "Hiring"},
		{"hiring", "", "Hiring"},
		{"hiring", "not a language", "Hiring"},
	}
	for _, tt := range tests {
		t.Run(tt.language+"/"+tt.topic, func(t *testing.T) {
			if got := TopicSubject(tt.topic, tt.language); got != tt.want {
				t.Errorf("TopicSubject(%q, %q) = %q, want %q", tt.topic, tt.language, got, tt.want)
			}
		})
	}
}

// TestTopicSubjectEnglishIsTopic checks that English subjects are the
// topic keys with a capital, as model output without a subject always
// got.
func TestTopicSubjectEnglishIsTopic(t *testing.T) {
	for _, topic := range Topics {
		if got, want := TopicSubject(topic, "en"), upperFirst(topic); got != want {
			t.Errorf("TopicSubject(%q, en) = %q, want %q", topic, got, want)
		}
	}
}

func TestTopicSubjectEveryLanguage(t *testing.T) {
	for _, language := range languages {
		t.Run(language, func(t *testing.T) {
			topicOf := make(map[string]string)
			for _, topic := range Topics {
				got := TopicSubject(topic, language)
				if strings.TrimSpace(got) == "" {
					t.Errorf("TopicSubject(%q) is blank", topic)
				}
				checkText(t, "subject of "+topic, got)
				if other, ok := topicOf[got]; ok {
					t.Errorf("topics %q and %q share the subject %q", other, topic, got)
				}
				topicOf[got] = topic
				if language != "en" && got == TopicSubject(topic, "en") && got != upperFirst(strings.ToLower(topic)) {
					t.Errorf("TopicSubject(%q) = %q, the English wording", topic, got)
				}
			}
		})
	}
}
