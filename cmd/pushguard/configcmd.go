package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/pushguard/pushguard/pkg/hook"
	"github.com/pushguard/pushguard/pkg/policy"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

const configUsage = `usage: pushguard config validate FILE

Checks a server configuration as the hook will use it: every key (errors as
file:line), every rule source it names (files, directories, policy
repositories and their refs), whether the audit destination can be opened
(nothing is written, a missing log file is not created), and a dry-run push
through the engine, the decision and the report. Run it as the user the
hook runs as. Exit 0 usable, 2 broken (every push would be rejected).
`

// config implements "pushguard config validate FILE".
func (a *app) config(args []string) int {
	if len(args) > 0 && isHelpArg(args[0]) {
		fmt.Fprint(a.stdout, configUsage)
		return exitOK
	}
	if len(args) == 0 || args[0] != "validate" {
		fmt.Fprint(a.stderr, configUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("config validate", flag.ContinueOnError)
	if code, ok := a.parseFlags(fs, configUsage, args[1:]); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return a.usageError(fs, configUsage, "pushguard config validate: give exactly one configuration FILE")
	}
	file := fs.Arg(0)
	v := hook.ValidateConfig(context.Background(), file, hook.ValidateOptions{})
	if !a.printValidation(file, v, true) {
		return exitUsage
	}
	return exitOK
}

// printValidation prints a validation: warnings (unless the caller prints
// them itself) and errors on stderr, the summary of a usable configuration
// on stdout. It reports whether the
// configuration is usable.
func (a *app) printValidation(file string, v *hook.Validation, warnings bool) bool {
	for _, w := range v.Warnings {
		if !warnings {
			break
		}
		fmt.Fprintf(a.stderr, "%s: warning: %s\n", textsafe.Clean(file, 0), textsafe.Clean(w, 0))
	}
	if !v.OK() {
		fmt.Fprintf(a.stderr, "pushguard: configuration %s is broken: every push would be rejected:\n", textsafe.Clean(file, 0))
		for _, err := range v.Errors {
			fmt.Fprintln(a.stderr, policy.Indent(err.Error()))
		}
		return false
	}
	fmt.Fprintf(a.stdout, "ok: %s: %d rules, %d AI tools; audit log: %s\n", textsafe.Clean(file, 0), v.Rules, v.AITools, textsafe.Clean(auditWhere(v), 0))
	return true
}

func auditWhere(v *hook.Validation) string {
	a := v.Config.Audit
	if a.Path != "" {
		return a.Destination + " " + a.Path
	}
	return a.Destination
}
