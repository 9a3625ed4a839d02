package scan

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/ruleset"
)

// Metadata is content too: a key pasted into a commit message, an author
// name or e-mail, or an annotated tag message reaches the server as surely
// as one in a file. The secret rules (content rules tagged SecretTag) read
// each such field line by line, as they read added lines; a finding names
// the field and the line within it.

// metaField is one metadata field of a commit or tag.
type metaField struct {
	name, text string
}

// secretRules marks the secret rules of a set by index.
func secretRules(set *ruleset.Set) []bool {
	out := make([]bool, len(set.Rules))
	for _, r := range set.Rules {
		out[r.Index] = r.HasContent() && IsSecret(r)
	}
	return out
}

// IsSecret reports whether r is tagged SecretTag.
func IsSecret(r *ruleset.Rule) bool {
	return slices.Contains(r.Tags, SecretTag)
}

// checkMeta applies the rules marked in active (nil: none) to the fields,
// reporting findings of kind on object h, charged to ruleRef[rule].
func (e *Engine) checkMeta(ctx context.Context, res *Result, kind Kind, h plumbing.Hash, active []bool, ruleRef []string, fields []metaField) error {
	if active == nil {
		return nil
	}
	// The lines of every field, scanned for rule keywords at once
	// (LineMatcher.ScanLines), then matched in order. A line longer than
	// windowSize is matched window by window (matchLine) instead.
	type metaLine struct {
		field int
		no    int
		text  []byte
	}
	var lines []metaLine
	texts := e.addedText[:0]
	for fi, fld := range fields {
		text := fld.text
		for no := 1; text != ""; no++ {
			line, rest, _ := strings.Cut(text, "\n")
			text = rest
			b := []byte(strings.TrimSuffix(line, "\r"))
			lines = append(lines, metaLine{field: fi, no: no, text: b})
			if len(b) > windowSize {
				b = nil
			}
			texts = append(texts, b)
		}
	}
	e.matcher.ScanLines(texts)
	defer func() {
		clear(texts)
		e.addedText = texts[:0]
		e.matcher.ScanLines(nil)
	}()
	chk := ctxCheck{ctx: ctx}
	for i, l := range lines {
		if err := chk.add(len(l.text)); err != nil {
			return err
		}
		b, no, name := l.text, l.no, fields[l.field].name
		fn := func(m ruleset.LineMatch) {
			e.add(res, Finding{
				Rule: m.Rule, Kind: kind, Commit: h, Ref: ruleRef[m.Rule.Index], Field: name,
				Line: no, Column: utf8.RuneCount(b[:m.Start]) + 1,
				Match: string(b[m.Start:m.End]), LineText: capLine(b), Detail: m.Detail,
			})
		}
		if len(b) > windowSize {
			if err := e.matchLine(&chk, b, no, nil, active, fn); err != nil {
				return err
			}
			continue
		}
		e.matcher.MatchScanned(i, no, nil, active, fn)
	}
	return nil
}

// redactedText replaces a secret found in commit metadata wherever the
// scan result repeats that metadata (the commit's subject and author).
const redactedText = "[redacted]"

// redactCommitInfo hides in info the matches of findings on its metadata,
// so that reports listing commits do not print the secret they reject.
func redactCommitInfo(info *CommitInfo, fs []Finding) {
	for _, f := range fs {
		if f.Field == "" || f.Match == "" || f.Commit != info.Hash {
			continue
		}
		info.Subject = strings.ReplaceAll(info.Subject, f.Match, redactedText)
		info.Author.Name = strings.ReplaceAll(info.Author.Name, f.Match, redactedText)
		info.Author.Email = strings.ReplaceAll(info.Author.Email, f.Match, redactedText)
	}
}
