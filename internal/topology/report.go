package topology

import (
	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/persona"
)

// logProblems logs each problem of a topology's persona list as a warning.
func logProblems(log *zap.Logger, topologyID string, problems []persona.Problem) {
	for _, problem := range problems {
		log.Warn("topology persona entry has a problem",
			zap.String("topology", topologyID),
			zap.Int("index", problem.Index),
			zap.String("field", problem.Field),
			zap.String("reason", problem.Reason),
			zap.Bool("dropped", problem.Dropped),
		)
	}
}

// normalizeDefaultLanguage returns the ISO 639-1 code of a topology's
// language_default. An empty value means persona.DefaultLanguage. An
// invalid value is logged and replaced by persona.DefaultLanguage, because
// one bad setting should not silence the whole topology.
func normalizeDefaultLanguage(log *zap.Logger, topologyID, tag string) string {
	if tag == "" {
		return persona.DefaultLanguage
	}
	language, err := persona.NormalizeLanguage(tag)
	if err != nil {
		warnLanguage(log, topologyID, err.Error())
		return persona.DefaultLanguage
	}
	return language
}

func warnLanguage(log *zap.Logger, topologyID, reason string) {
	log.Warn("invalid topology default language, using en",
		zap.String("topology", topologyID),
		zap.String("field", "language_default"),
		zap.String("reason", reason),
	)
}
