package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// JUnit XML, as CI systems (GitLab, Jenkins, Azure) show test results: one
// test case per rule of the set, named by the rule id, in class
// "pushguard.<severity>". A rule with blocking findings that make the scan
// fail is a failed test case listing where it fired; warnings and notices
// pass and are listed in the case's system-out; a scan that did not finish
// adds an errored case.

// JUnitSuites is the <testsuites> document.
type JUnitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one <testsuite>.
type JUnitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []JUnitCase `xml:"testcase"`
}

// JUnitCase is one <testcase>: one rule.
type JUnitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *JUnitProblem `xml:"failure,omitempty"`
	Error     *JUnitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

// JUnitProblem is a <failure> or an <error>.
type JUnitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit writes the JUnit XML report of a scan.
func JUnit(w io.Writer, v *verdict.Verdict, commits []scan.CommitInfo, o ScanOptions) error {
	doc := BuildJUnit(v, commits, o)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write JUnit report: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write JUnit report: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write JUnit report: %w", err)
	}
	return nil
}

// BuildJUnit builds the JUnit document of a scan.
func BuildJUnit(v *verdict.Verdict, commits []scan.CommitInfo, o ScanOptions) JUnitSuites {
	o.MaxLocations = -1
	subjects := subjectsOf(commits)
	byRule := map[string][]scan.Finding{}
	for _, f := range v.Findings {
		byRule[f.Rule.ID] = append(byRule[f.Rule.ID], f)
	}
	enforced := enforcedByRule(v)
	suite := JUnitSuite{Name: "pushguard scan"}
	for _, r := range allRules(o.Rules, v.Findings) {
		c := JUnitCase{Name: r.ID, Classname: "pushguard." + string(r.Severity)}
		fs := byRule[r.ID]
		if len(fs) > 0 {
			body := junitBody(r, fs, subjects, o)
			if n := enforced[r.ID]; n > 0 {
				c.Failure = &JUnitProblem{
					Message: fmt.Sprintf("%s: %s", plural(n, "blocking finding"), textsafe.Clean(r.Message, maxField)),
					Type:    string(r.Severity),
					Text:    body,
				}
				suite.Failures++
			} else {
				c.SystemOut = fmt.Sprintf("%s (%s, not failing the scan)\n%s", plural(len(fs), "finding"), r.Severity, body)
			}
		}
		suite.Cases = append(suite.Cases, c)
	}
	if v.Err != nil {
		suite.Cases = append(suite.Cases, JUnitCase{
			Name: "scan", Classname: "pushguard",
			Error: &JUnitProblem{Message: "the scan did not finish", Type: "error", Text: textsafe.Clean(v.Err.Error(), 0)},
		})
		suite.Errors++
	}
	suite.Tests = len(suite.Cases)
	return JUnitSuites{Name: "pushguard", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Suites: []JUnitSuite{suite}}
}

// enforcedByRule counts the blocking findings per rule when the scan
// fails; none when it passes (every blocking finding on a ref in audit
// mode).
func enforcedByRule(v *verdict.Verdict) map[string]int {
	out := map[string]int{}
	if v.Enforced == 0 {
		return out
	}
	for _, f := range v.Findings {
		if f.Rule.Severity == ruleset.SeverityBlock {
			out[f.Rule.ID]++
		}
	}
	return out
}

// junitBody is the message, fix and every location of a rule's findings.
func junitBody(r *ruleset.Rule, fs []scan.Finding, subjects map[plumbing.Hash]string, o ScanOptions) string {
	var b strings.Builder
	b.WriteString(textsafe.Clean(r.Message, 0))
	b.WriteString("\n")
	for i, h := range splitLines(r.Help) {
		if i == 0 {
			b.WriteString("fix: ")
		} else {
			b.WriteString("     ")
		}
		b.WriteString(h + "\n")
	}
	for _, l := range locations(fs, subjects, o) {
		b.WriteString(l + "\n")
	}
	return b.String()
}
