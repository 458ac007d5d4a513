package daemon

import (
	"go.uber.org/zap"

	"github.com/decnet/emailgend/internal/config"
	"github.com/decnet/emailgend/internal/failover"
	"github.com/decnet/emailgend/internal/generator"
	"github.com/decnet/emailgend/internal/llm"
)

// NewGenerator returns the configured content generator. An LLM generator
// comes behind a circuit breaker that falls back to the template
// generator, which is also returned so its state can be reported.
func NewGenerator(cfg config.Config, log *zap.Logger) (generator.Generator, *failover.Breaker, error) {
	template := generator.NewTemplate(log.Named("generator"))
	if cfg.Generator == config.DefaultGenerator {
		return template, nil, nil
	}
	model, err := NewModel(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	breaker := failover.New(model, template, failover.Config{}, log.Named("failover"))
	return breaker, breaker, nil
}

// NewModel returns the configured LLM generator alone, without the breaker,
// so a failing model call comes back as an error.
func NewModel(cfg config.Config, log *zap.Logger) (*llm.Generator, error) {
	var key string
	if cfg.LLMKeyFile != "" {
		var err error
		if key, err = llm.ReadKeyFile(cfg.LLMKeyFile); err != nil {
			return nil, err
		}
	}
	return llm.New(llm.Config{
		Kind:    cfg.Generator,
		BaseURL: cfg.LLMURL,
		Model:   cfg.Model,
		APIKey:  key,
		Timeout: cfg.LLMTimeout,
	}, log.Named("llm"))
}
