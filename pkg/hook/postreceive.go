package hook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pushguard/pushguard/pkg/audit"
	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/push"
)

// PostReceiveMarker is in every post-receive companion pushguard install
// writes; the pre-receive run looks for it to record that a "landed"
// record will follow (audit.Event.PostReceive).
const PostReceiveMarker = "# pushguard post-receive companion"

// PostReceiveEnv names, for platforms whose hooks live outside the
// repository (GitLab's global custom_hooks_dir), the companion file: the
// pre-receive wrapper pushguard install writes there sets it.
const PostReceiveEnv = "PUSHGUARD_POST_RECEIVE"

// postReceiveInstalled reports whether pushguard's post-receive companion
// will run for the repository: hooks/post-receive.d/pushguard (Gitea,
// Forgejo) or hooks/post-receive (plain git) carrying PostReceiveMarker, or
// the file $PUSHGUARD_POST_RECEIVE names.
func postReceiveInstalled(gitDir string, getenv func(string) string) bool {
	candidates := []string{
		filepath.Join(gitDir, "hooks", "post-receive.d", "pushguard"),
		filepath.Join(gitDir, "hooks", "post-receive"),
	}
	if p := getenv(PostReceiveEnv); p != "" {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 || st.Size() > 64<<10 {
			continue
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(PostReceiveMarker)) {
			return true
		}
	}
	return false
}

// PostReceive is the companion run: git gives post-receive the ref updates
// it made ("<old> <new> <ref>" lines), after every pre-receive check let
// them through; it appends one audit.Landed record. It never affects the
// push (post-receive runs after the refs moved) and returns an error only
// to be reported on stderr.
func PostReceive(ctx context.Context, input io.Reader, env Env) error {
	if env.Now == nil {
		env.Now = time.Now
	}
	start := env.Now()
	cfg, err := config.LoadOrDefault(env.Flags.ConfigPath, env.Getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	pc, err := push.FromEnvWith(env.Getenv, cfg.EnvOptions())
	if err != nil {
		return fmt.Errorf("hook environment: %w", err)
	}
	cfg = cfg.ForPlatform(pc.Platform)
	updates, err := push.ParseUpdates(input)
	if err != nil {
		return fmt.Errorf("hook input: %w", err)
	}
	if len(updates) == 0 {
		return nil
	}
	logger, err := audit.Open(audit.Options{
		Destination: audit.Destination(cfg.Audit.Destination), Path: cfg.Audit.Path,
		Stderr: env.Out, SyslogTag: cfg.Audit.SyslogTag, SyslogFacility: cfg.Audit.SyslogFacility,
	})
	if err != nil {
		return err
	}
	defer logger.Close()
	l := audit.Landed{Time: start, Platform: pc.Platform, Repo: pc.Repo, Pusher: pc.Pusher, Protocol: pc.Protocol, Version: env.Version}
	for _, u := range updates {
		l.Refs = append(l.Refs, audit.Ref{Name: u.Ref, Old: u.Old, New: u.New})
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return logger.WriteLanded(wctx, l)
}
