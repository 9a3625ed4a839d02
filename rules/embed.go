// Package rules holds pushguard's defaults, YAML files embedded into the
// binary: the rule packs (secrets.yml, risky-code.yml, files.yml, …) and
// the AI tool markers (ai-tools.yml). pkg/policy loads them
// (policy.Embedded), decoding each file once for its rules and its markers.
package rules

import "embed"

// FS holds the embedded *.yml files at its root.
//
//go:embed *.yml
var FS embed.FS
