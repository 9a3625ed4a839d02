// Package rules holds pushguard's defaults, YAML files embedded into the
// binary: the rule packs (secrets.yml, risky-code.yml, files.yml, …; load
// them with ruleset.LoadFS(rules.FS, ".")) and the AI tool markers
// (ai-tools.yml, read by pkg/provenance).
package rules

import "embed"

// FS holds the embedded *.yml files at its root.
//
//go:embed *.yml
var FS embed.FS
