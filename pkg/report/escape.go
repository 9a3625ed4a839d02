package report

import "unicode/utf8"

// Redact shows the first few characters of a secret and hides the rest.
func Redact(s string) string {
	keep := utf8.RuneCountInString(s) / 4
	if keep > 4 {
		keep = 4
	}
	i := 0
	for k := 0; k < keep && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "***"
}
