// Package yamlmsg words the parts of a YAML document for error messages the
// way every pushguard loader does: "expected a list, got the string "x"".
package yamlmsg

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

// maxQuoted is the number of characters of a value quoted in a message.
const maxQuoted = 60

// Quote quotes s for a message (Go syntax, so control characters are
// escaped), cut to a readable length with "…".
func Quote(s string) string {
	r := []rune(s)
	if len(r) > maxQuoted {
		return strconv.Quote(string(r[:maxQuoted])) + "…"
	}
	return strconv.Quote(s)
}

// Describe names what a node is, for "expected X, got Y" messages.
func Describe(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!str":
			return "the string " + Quote(n.Value)
		default:
			return Quote(n.Value)
		}
	}
	return "an unsupported YAML node"
}
