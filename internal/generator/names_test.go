package generator

import (
	"slices"
	"strings"
	"testing"
)

func TestProperNamesSameInEveryCorpus(t *testing.T) {
	cs := corpora(t)
	for slot, want := range properNames {
		for language, c := range cs {
			if got := c.Slots[slot]; !slices.Equal(got, want) {
				t.Errorf("%s slot %q = %q, want the shared names %q", language, slot, got, want)
			}
		}
	}
}

func TestProperNamesNotTranslated(t *testing.T) {
	// Translations that the corpora once had, of names in properNames.
	translated := []string{
		"Datos Meridiano", "Dados Meridiano", "Données Méridien", "Meridian Daten",
		"Sistemas Halcón", "Sistemas Falcão", "Systèmes Faucon", "Falke Systeme",
		"Imprenta Tándem", "Tandem Druck", "Tandem Impression", "Gráfica Tandem",
	}
	for _, language := range languages {
		data, err := corpusFiles.ReadFile("corpus/" + language + ".json")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range translated {
			if strings.Contains(string(data), name) {
				t.Errorf("corpus %s contains %q, a translated proper name", language, name)
			}
		}
	}
}

func TestParseCorpusRejectsOwnNames(t *testing.T) {
	c := &corpus{Slots: map[string][]string{"vendor": {"Datos Meridiano"}}}
	if err := c.addProperNames(); err == nil {
		t.Error("addProperNames() accepted a corpus with its own vendor names")
	}
}
