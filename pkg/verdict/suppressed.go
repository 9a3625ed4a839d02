package verdict

import "github.com/pushguard/pushguard/pkg/scan"

// counted returns a copy of the findings that count for the decision: all
// but those suppressed inline.
func counted(fs []scan.Finding) []scan.Finding {
	out := make([]scan.Finding, 0, len(fs))
	for _, f := range fs {
		if !f.Suppressed {
			out = append(out, f)
		}
	}
	return out
}

// suppressed returns the findings suppressed inline, in scan order.
func suppressed(fs []scan.Finding) []scan.Finding {
	var out []scan.Finding
	for _, f := range fs {
		if f.Suppressed {
			out = append(out, f)
		}
	}
	return out
}
