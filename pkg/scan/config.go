package scan

import "github.com/pushguard/pushguard/pkg/config"

// ConfigOptions are the engine options a server configuration sets: the
// file size limit and the inline-suppression settings. The caller adds
// Provenance (and may override MaxFileSize).
func ConfigOptions(cfg *config.Config) Options {
	return Options{
		MaxFileSize:         cfg.MaxFileSize,
		NoInlineSuppression: !cfg.InlineSuppression,
		Suppressible:        SuppressibleSecrets(cfg.InlineSuppressionSecretRules),
		MinReasonLength:     cfg.InlineSuppressionMinReason,
	}
}
