// Package baseline records known findings so that a scan or a push reports
// only new ones: `pushguard scan --all --baseline-out FILE` writes the
// findings of the history, `--baseline FILE` drops the findings whose
// fingerprint the file holds.
//
// A fingerprint identifies what was found, not where in history: it is the
// SHA-256 of the rule id, the file path and the text that fired, so it stays
// the same when the line moves or the commit is rebased, amended or
// cherry-picked. The text is the matched text for rules that redact it
// (secrets: the same secret anywhere in the file is the same finding), and
// the added line with runs of whitespace collapsed for other line rules
// (re-indenting keeps the fingerprint; editing the line changes it). File
// findings are keyed by rule and path; commit and tag findings by rule and
// commit id, since nothing else identifies them (a rebase makes them new).
package baseline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pushguard/pushguard/pkg/scan"
)

// Version is the format version written to baseline files.
const Version = 1

// Entry is one known finding. Only Fingerprint is used for matching; the
// other fields help a reviewer of the file.
type Entry struct {
	Rule        string `json:"rule"`
	Path        string `json:"path,omitempty"`
	Fingerprint string `json:"fingerprint"`
	Commit      string `json:"commit"`
	Line        int    `json:"line,omitempty"`
}

// File is the JSON document of a baseline.
type File struct {
	Version  int     `json:"version"`
	Findings []Entry `json:"findings"`
}

// Baseline is a loaded set of known fingerprints.
type Baseline struct {
	known map[string]bool
}

// Fingerprint returns the stable fingerprint of a finding (see the package
// documentation): 64 hex digits.
func Fingerprint(f scan.Finding) string {
	h := sha256.New()
	text := ""
	switch f.Kind {
	case scan.KindLine:
		if f.Rule.Redact {
			text = f.Match
		} else {
			text = strings.Join(strings.Fields(f.LineText), " ")
		}
	case scan.KindFile:
	default:
		text = f.Commit.String()
	}
	for _, part := range []string{f.Rule.ID, string(f.Kind), f.Path, text} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Build returns the baseline document of findings, one entry per distinct
// fingerprint, in the order given. Suppressed findings are left out: the
// comment in the code already records them.
func Build(findings []scan.Finding) File {
	out := File{Version: Version, Findings: []Entry{}}
	seen := map[string]bool{}
	for _, f := range findings {
		if f.Suppressed {
			continue
		}
		fp := Fingerprint(f)
		if seen[fp] {
			continue
		}
		seen[fp] = true
		out.Findings = append(out.Findings, Entry{
			Rule: f.Rule.ID, Path: f.Path, Fingerprint: fp, Commit: f.Commit.String(), Line: f.Line,
		})
	}
	return out
}

// Write writes the baseline document of findings as indented JSON.
func Write(w io.Writer, findings []scan.Finding) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(Build(findings)); err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	return nil
}

// WriteFile writes the baseline of findings to path.
func WriteFile(path string, findings []scan.Finding) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	if err := Write(f, findings); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write baseline %s: %w", path, err)
	}
	return nil
}

// Parse reads a baseline document.
func Parse(r io.Reader) (*Baseline, error) {
	var doc File
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	if doc.Version != Version {
		return nil, fmt.Errorf("read baseline: unsupported version %d (want %d)", doc.Version, Version)
	}
	b := &Baseline{known: make(map[string]bool, len(doc.Findings))}
	for i, e := range doc.Findings {
		if len(e.Fingerprint) != 64 || strings.Trim(e.Fingerprint, "0123456789abcdef") != "" {
			return nil, fmt.Errorf("read baseline: finding %d: fingerprint must be 64 lower-case hex digits", i+1)
		}
		b.known[e.Fingerprint] = true
	}
	return b, nil
}

// Load reads the baseline file at path.
func Load(path string) (*Baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	defer f.Close()
	b, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Len returns the number of known fingerprints.
func (b *Baseline) Len() int { return len(b.known) }

// Contains reports whether the finding is known.
func (b *Baseline) Contains(f scan.Finding) bool { return b.known[Fingerprint(f)] }

// Filter returns the findings the baseline does not know, in order, and how
// many it dropped. A nil Baseline drops nothing.
func (b *Baseline) Filter(findings []scan.Finding) ([]scan.Finding, int) {
	if b == nil {
		return findings, 0
	}
	out := make([]scan.Finding, 0, len(findings))
	for _, f := range findings {
		if b.Contains(f) {
			continue
		}
		out = append(out, f)
	}
	return out, len(findings) - len(out)
}
