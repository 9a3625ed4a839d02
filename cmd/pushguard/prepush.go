package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/hook"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

const prePushUsage = `usage: pushguard pre-push [flags] REMOTE URL   (ref lines on stdin)

A developer's pre-push hook, speaking git's pre-push protocol: REMOTE and
URL as arguments, one "<local ref> <local sha> <remote ref> <remote sha>"
line per ref on stdin. It checks the commits the remote does not have yet
(not reachable from what the remote's refs, as last fetched, and the
remote's side of each ref point at) under the policy of the remote ref
they go to: the same grouping and decision as the server's pre-receive
hook for the same configuration (pass the server's with --config).
Exit 0 nothing blocks, 1 blocking findings, 2 usage or configuration error,
3 internal error. Install with "pushguard install --client".
`

// maxPrePushLines bounds the ref lines read from git.
const maxPrePushLines = 100000

// prePush implements "pushguard pre-push REMOTE URL".
func (a *app) prePush(args []string) int {
	fs := flag.NewFlagSet("pre-push", flag.ContinueOnError)
	cf := addClientFlags(fs)
	if code, ok := a.parseFlags(fs, prePushUsage, args); !ok {
		return code
	}
	if fs.NArg() > 2 {
		return a.usageError(fs, prePushUsage, "pushguard pre-push: unexpected argument %q (git passes REMOTE and URL)", fs.Arg(2))
	}
	remote, remoteURL := fs.Arg(0), fs.Arg(1)
	fail := func(code int, err error) int {
		fmt.Fprintf(a.stderr, "pushguard pre-push: %s\n", textsafe.Clean(err.Error(), 0))
		return code
	}
	gitDir, err := findRepository(a.getenv("GIT_DIR"))
	if err != nil {
		return fail(exitUsage, err)
	}
	store, err := gitstore.Open(gitstore.Env{GitDir: gitDir})
	if err != nil {
		return fail(exitUsage, err)
	}
	defer store.Close()
	lines, err := readPrePushLines(a.stdin)
	if err != nil {
		return fail(exitUsage, err)
	}
	has := func(h plumbing.Hash) bool { _, err := store.ObjectType(h); return err == nil }
	existing, err := remoteRefs(store, remote)
	if err != nil {
		return fail(exitInternal, err)
	}
	var updates []push.Update
	for _, l := range lines {
		updates = append(updates, push.Update{Old: l.remoteSHA, New: l.localSHA, Ref: l.remoteRef})
		// The remote's side of the ref, when this clone has it, is what
		// the remote holds there (fresher than the remote-tracking ref).
		if rh := plumbing.NewHash(l.remoteSHA); !rh.IsZero() && has(rh) {
			existing = append(existing, gitstore.Ref{Name: l.remoteRef, Hash: rh})
		}
	}
	if len(lines) == 0 && a.getenv("PRE_COMMIT_REMOTE_BRANCH") != "" {
		// Run by the pre-commit framework, which reads git's lines itself
		// and passes the first ref on in its environment.
		u, err := frameworkUpdate(store, a.getenv)
		if err != nil {
			return fail(exitUsage, err)
		}
		if remote == "" {
			remote, remoteURL = a.getenv("PRE_COMMIT_REMOTE_NAME"), a.getenv("PRE_COMMIT_REMOTE_URL")
			if existing, err = remoteRefs(store, remote); err != nil {
				return fail(exitInternal, err)
			}
		}
		updates = append(updates, u)
		if oh := plumbing.NewHash(u.Old); !oh.IsZero() && has(oh) {
			existing = append(existing, gitstore.Ref{Name: u.Ref, Hash: oh})
		}
	}
	if len(updates) == 0 {
		return exitOK // nothing to push (git calls the hook anyway)
	}
	out := hook.CheckClient(context.Background(), hook.Client{
		Store: store, Getenv: a.getenv, Flags: cf.flags(),
		Repo: cf.repo(a, remoteURL), Pusher: cf.pusherName(a),
		Updates: updates, Existing: existing, Mode: report.ClientPrePush,
	})
	return a.clientReport(out)
}

// frameworkUpdate is the ref update the pre-commit framework describes in
// its environment: PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF to
// PRE_COMMIT_REMOTE_BRANCH, or the whole PRE_COMMIT_LOCAL_BRANCH when the
// remote has none of its history.
func frameworkUpdate(store *gitstore.Store, getenv func(string) string) (push.Update, error) {
	zero := strings.Repeat("0", 40)
	u := push.Update{Old: zero, Ref: getenv("PRE_COMMIT_REMOTE_BRANCH")}
	if from := getenv("PRE_COMMIT_FROM_REF"); isObjectID(from) {
		u.Old = from
	}
	to := getenv("PRE_COMMIT_TO_REF")
	if !isObjectID(to) {
		h, err := store.Resolve(getenv("PRE_COMMIT_LOCAL_BRANCH"))
		if err != nil {
			return u, fmt.Errorf("pre-commit framework: local branch: %w", err)
		}
		to = h.String()
	}
	u.New = to
	if !strings.HasPrefix(u.Ref, "refs/") {
		return u, fmt.Errorf("pre-commit framework: PRE_COMMIT_REMOTE_BRANCH %q is not a ref", textsafe.Clean(u.Ref, 200))
	}
	return u, nil
}

// prePushLine is one line of git's pre-push input.
type prePushLine struct {
	localRef, localSHA, remoteRef, remoteSHA string
}

// readPrePushLines parses git's pre-push input; a malformed line is an
// error (the push is stopped: a hook that cannot read its input must not
// pass).
func readPrePushLines(r io.Reader) ([]prePushLine, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	var out []prePushLine
	for n := 1; sc.Scan(); n++ {
		if n > maxPrePushLines {
			return nil, fmt.Errorf("stdin: more than %d ref lines", maxPrePushLines)
		}
		text := sc.Text()
		if strings.TrimSpace(text) == "" {
			continue
		}
		f := strings.Fields(text)
		if len(f) != 4 || !isObjectID(f[1]) || !isObjectID(f[3]) || !strings.HasPrefix(f[2], "refs/") {
			return nil, fmt.Errorf("stdin line %d: want \"<local ref> <local sha> <remote ref> <remote sha>\", got %q", n, textsafe.Clean(text, 200))
		}
		if len(f[1]) != 40 || len(f[3]) != 40 {
			return nil, fmt.Errorf("stdin line %d: SHA-256 repositories are not supported yet", n)
		}
		out = append(out, prePushLine{localRef: f[0], localSHA: f[1], remoteRef: f[2], remoteSHA: f[3]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	return out, nil
}

func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// remoteRefs returns what this clone knows the remote holds: its
// remote-tracking refs (refs/remotes/REMOTE/X), named as on the remote
// (refs/heads/X), so that each is judged under the remote ref's policy.
func remoteRefs(store *gitstore.Store, remote string) ([]gitstore.Ref, error) {
	if remote == "" {
		return nil, nil
	}
	refs, err := store.Refs()
	if err != nil {
		return nil, fmt.Errorf("list refs: %w", err)
	}
	prefix := "refs/remotes/" + remote + "/"
	var out []gitstore.Ref
	for _, r := range refs {
		name, ok := strings.CutPrefix(r.Name, prefix)
		if !ok || name == "HEAD" {
			continue
		}
		out = append(out, gitstore.Ref{Name: "refs/heads/" + name, Hash: r.Hash})
	}
	return out, nil
}

// repoNameFromURL derives the repository name a server's scopes match
// from a remote URL: "group/app" from https://host/group/app.git,
// ssh://git@host/group/app.git or git@host:group/app.git; the absolute
// path for a local repository (plain git names repositories by GIT_DIR).
func repoNameFromURL(raw string) string {
	if raw == "" {
		return ""
	}
	var p string
	switch {
	case strings.Contains(raw, "://"):
		u, err := url.Parse(raw)
		if err != nil {
			return ""
		}
		if u.Scheme == "file" {
			return filepath.Clean(u.Path)
		}
		p = u.Path
	case filepath.IsAbs(raw) || strings.HasPrefix(raw, "."):
		abs, err := filepath.Abs(raw)
		if err != nil {
			return raw
		}
		return abs
	default:
		_, after, ok := strings.Cut(raw, ":") // scp-like user@host:path
		if !ok {
			return raw
		}
		p = after
	}
	p = strings.Trim(p, "/")
	p = strings.TrimSuffix(p, ".git")
	return p
}
