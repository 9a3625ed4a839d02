// Package ruleset loads pushguard's YAML rules (embedded defaults, files,
// directories), validates them strictly with file:line positions, and
// compiles them once into matchers the scanner applies.
package ruleset
