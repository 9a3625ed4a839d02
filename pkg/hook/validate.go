package hook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/audit"
	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/policy"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// ValidateOptions tune ValidateConfig.
type ValidateOptions struct {
	// NoFiles skips the checks of paths on this machine (rule files,
	// policy repositories, the audit log): for a configuration that will
	// run elsewhere, such as inside a GHES hook environment.
	NoFiles bool
}

// Validation is what ValidateConfig found.
type Validation struct {
	// Config is the configuration, nil when it does not load.
	Config *config.Config
	// Errors are the problems that would reject every push, each naming
	// the configuration's file:line where it has one.
	Errors []error
	// Warnings are problems that do not stop the hook.
	Warnings []string
	// Rules and AITools count what the rule sources load.
	Rules, AITools int
}

// OK reports whether the configuration is usable.
func (v *Validation) OK() bool { return len(v.Errors) == 0 }

// ValidateConfig checks a configuration file as the hook will use it: the
// file itself (every key, file:line), every rule source it names (files,
// directories, policy repositories and their refs), whether the audit
// destination can be opened (without writing an event, and without
// creating a missing log file: the hook's user may not be the one running
// this), and a dry run of an empty push through the engine, the decision
// and the report under the configuration.
func ValidateConfig(ctx context.Context, path string, opt ValidateOptions) *Validation {
	v := &Validation{}
	cfg, err := config.Load(path)
	if err != nil {
		v.Errors = append(v.Errors, splitJoined(err)...)
		return v
	}
	v.Config = cfg
	data, _ := os.ReadFile(path) // read once more for key positions
	at := func(keys ...any) string {
		if l := keyLine(data, keys...); l > 0 {
			return fmt.Sprintf("%s:%d", path, l)
		}
		return path
	}
	platform := cfg.Platform
	if platform == "" {
		platform = push.PlatformGit
	}
	run := cfg.ForPlatform(platform)
	v.Warnings = append(v.Warnings, run.Warnings...)

	if !opt.NoFiles {
		for _, s := range cfg.Rules {
			if err := checkSource(s); err != nil {
				v.Errors = append(v.Errors, fmt.Errorf("%s:%d: rules: %w", path, s.Line, err))
			}
		}
	}
	var pol *Policy
	if len(v.Errors) == 0 {
		p, err := policy.Load(ctx, policy.FromConfig(cfg.Rules, nil), policy.Options{})
		if err != nil {
			v.Errors = append(v.Errors, fmt.Errorf("%s: rules: the rule sources do not load:\n%w", at("rules"), err))
		} else {
			pol = p
			v.Rules, v.AITools = len(p.Rules.Rules), len(p.AI.Tools())
		}
	}
	if !opt.NoFiles {
		if err := checkAudit(cfg.Audit); err != nil {
			key := []any{"audit", "path"}
			if cfg.Audit.Path == "" {
				key = []any{"audit", "destination"}
			}
			v.Errors = append(v.Errors, fmt.Errorf("%s: audit: %w", at(key...), err))
		}
	}
	if pol != nil {
		if err := dryRun(ctx, run, pol); err != nil {
			v.Errors = append(v.Errors, fmt.Errorf("%s: a dry-run push failed: %w", path, err))
		}
	}
	return v
}

// checkSource checks that a rule source exists where the hook will look.
func checkSource(s config.Source) error {
	switch {
	case s.Embedded:
		return nil
	case s.Repo != "":
		store, err := gitstore.Open(gitstore.Env{GitDir: s.Repo})
		if err != nil {
			return fmt.Errorf("policy repository %s: %w", s.Repo, err)
		}
		defer store.Close()
		if _, err := store.Resolve(s.Ref); err != nil {
			return fmt.Errorf("policy repository %s has no ref %s (push the rules there first): %w", s.Repo, s.Ref, err)
		}
		return nil
	}
	if _, err := os.Stat(s.Path); err != nil {
		return fmt.Errorf("rule path: %w", err)
	}
	return nil
}

// checkAudit checks that the audit destination can be opened as the hook
// will open it. An existing log file is opened for appending and closed
// (nothing is written); a missing one is not created, only its directory
// checked: it must exist and be writable.
func checkAudit(a config.AuditLog) error {
	if a.Destination != config.AuditFile {
		l, err := audit.Open(audit.Options{
			Destination: audit.Destination(a.Destination), Stderr: io.Discard,
			SyslogTag: a.SyslogTag, SyslogFacility: a.SyslogFacility,
		})
		if err != nil {
			return err
		}
		return l.Close()
	}
	if _, err := os.Lstat(a.Path); err == nil {
		l, err := audit.Open(audit.Options{Destination: audit.File, Path: a.Path})
		if err != nil {
			return err
		}
		return l.Close()
	}
	dir := filepath.Dir(a.Path)
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("the log %s cannot be created: %w", a.Path, err)
	case !st.IsDir():
		return fmt.Errorf("the log %s cannot be created: %s is not a directory", a.Path, dir)
	}
	// A probe file, removed at once, tells whether this user may create
	// the log there (permissions, ACLs, read-only mounts alike).
	f, err := os.CreateTemp(dir, ".pushguard-validate-*")
	if err != nil {
		return fmt.Errorf("the log %s cannot be created: directory %s is not writable by %s: %w", a.Path, dir, who(), err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// who names the user running the check, for messages.
func who() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return fmt.Sprintf("uid %d", os.Getuid())
}

// dryRun pushes nothing through the engine, the decision and the report
// under the configuration: an empty repository, every rule compiled into
// an engine, the policy of a ref in every scope, a verdict and its text.
func dryRun(ctx context.Context, cfg *config.Config, pol *Policy) error {
	dir, err := os.MkdirTemp("", "pushguard-dryrun-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, d := range []string{"objects", "refs/heads"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "HEAD"), []byte("ref: refs/heads/main\n"), 0o644); err != nil {
		return err
	}
	store, err := gitstore.Open(gitstore.Env{GitDir: dir})
	if err != nil {
		return err
	}
	defer store.Close()
	pc := push.Context{Platform: cfg.Platform, Repo: "dry-run", GitDir: dir}
	res, err := scan.New(store, pol.Rules, scanOptions(cfg, pol)).Run(ctx, nil, nil)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	v := verdict.Decide(res, verdict.Options{Mode: verdict.Mode(cfg.Mode), Policy: refPolicies(cfg, pc)})
	if v.Decision == verdict.Reject {
		return fmt.Errorf("an empty push would be rejected (%v)", v.Err)
	}
	return report.Text(io.Discard, v, AdviceOptions(cfg, pc))
}

// splitJoined returns the errors errors.Join combined, or err alone.
func splitJoined(err error) []error {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		return j.Unwrap()
	}
	return []error{err}
}

// keyLine returns the line of a key path (mapping keys, sequence indexes)
// in a YAML document, 0 when it is not there.
func keyLine(data []byte, keys ...any) int {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0
	}
	n := doc.Content[0]
	line := 0
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return line
			}
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if strings.EqualFold(n.Content[i].Value, k) {
					line, n, found = n.Content[i].Line, n.Content[i+1], true
					break
				}
			}
			if !found {
				return line
			}
		case int:
			if n.Kind != yaml.SequenceNode || k >= len(n.Content) {
				return line
			}
			n = n.Content[k]
			line = n.Line
		}
	}
	return line
}
