package provenance

import "slices"

// AgentTrailer is a trailer whose value is an identity ("Name <email>")
// that the identity markers (emails, names) of a known tool claim: an agent
// named as co-author, reviewer or, against the kernel's rule, as signer.
type AgentTrailer struct {
	// Key is the trailer key as written (Signed-off-by, Reviewed-by, ...).
	Key string
	// Value is the trailer value as pushed, cut to MaxEvidenceText bytes.
	Value string
	// Tools are the tools whose identity markers match, sorted.
	Tools []string
}

// IdentityTools returns the tools whose identity markers (emails, names)
// match the identity name <email>, in tool id order; nil for a person.
func (d *Detector) IdentityTools(name, email string) []string {
	if m := d.matchIdentity(name, email); m != nil {
		return slices.Clone(m.tools)
	}
	return nil
}

// agentTrailer records t in res.AgentTrailers when its value is an identity
// a tool claims. At most maxDeclared are kept.
func (d *Detector) agentTrailer(res *Result, key, value string) {
	if len(res.AgentTrailers) >= maxDeclared {
		return
	}
	name, email, ok := splitIdentity(value)
	if !ok {
		return
	}
	if tools := d.IdentityTools(name, email); len(tools) > 0 {
		res.AgentTrailers = append(res.AgentTrailers, AgentTrailer{Key: key, Value: capText(value), Tools: tools})
	}
}
