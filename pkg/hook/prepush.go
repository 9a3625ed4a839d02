package hook

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// maxPrePushLines bounds the ref lines read from git.
const maxPrePushLines = 100000

// PrePushInput is a developer's pre-push hook run as git starts it.
type PrePushInput struct {
	// Remote and URL are git's two arguments (the remote's name and URL).
	Remote, URL string
	// GitDir is $GIT_DIR; empty: the nearest directory upwards from the
	// working directory holding .git.
	GitDir string
	// Stdin carries git's ref lines.
	Stdin io.Reader
	// Getenv reads the environment (configuration, the pre-commit
	// framework's PRE_COMMIT_* variables).
	Getenv func(string) string
	// Flags are the command line: configuration, rule paths, baseline.
	Flags Flags
	// RepoName is the repository name the server's scopes match; empty:
	// derived from the remote URL.
	RepoName string
	// Pusher is the pusher's login on the server ("" when unknown).
	Pusher string
}

// PrePush runs a pre-push check: it reads git's pre-push protocol (or the
// pre-commit framework's environment), computes what the remote does not
// have yet and checks it as CheckClient does. A nil outcome with a nil
// error means there was nothing to push; an error is a *ClientError
// carrying the exit code. Report the result with ReportClient.
func PrePush(ctx context.Context, in PrePushInput) (*ClientOutcome, error) {
	getenv := in.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	remote, remoteURL := in.Remote, in.URL
	gitDir, err := findRepository(in.GitDir)
	if err != nil {
		return nil, clientFail(ExitUsage, err)
	}
	store, err := gitstore.Open(gitstore.Env{GitDir: gitDir})
	if err != nil {
		return nil, clientFail(ExitUsage, err)
	}
	defer store.Close()
	lines, err := readPrePushLines(in.Stdin)
	if err != nil {
		return nil, clientFail(ExitUsage, err)
	}
	has := func(h plumbing.Hash) bool { _, err := store.ObjectType(h); return err == nil }
	existing, err := remoteRefs(store, remote)
	if err != nil {
		return nil, clientFail(ExitInternal, err)
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
	if len(lines) == 0 && getenv("PRE_COMMIT_REMOTE_BRANCH") != "" {
		// Run by the pre-commit framework, which reads git's lines itself
		// and passes the first ref on in its environment.
		u, err := frameworkUpdate(store, getenv)
		if err != nil {
			return nil, clientFail(ExitUsage, err)
		}
		if remote == "" {
			remote, remoteURL = getenv("PRE_COMMIT_REMOTE_NAME"), getenv("PRE_COMMIT_REMOTE_URL")
			if existing, err = remoteRefs(store, remote); err != nil {
				return nil, clientFail(ExitInternal, err)
			}
		}
		updates = append(updates, u)
		if oh := plumbing.NewHash(u.Old); !oh.IsZero() && has(oh) {
			existing = append(existing, gitstore.Ref{Name: u.Ref, Hash: oh})
		}
	}
	if len(updates) == 0 {
		return nil, nil // nothing to push (git calls the hook anyway)
	}
	out := CheckClient(ctx, Client{
		Store: store, Getenv: getenv, Flags: in.Flags,
		Repo: clientRepo(in.RepoName, remoteURL), Pusher: in.Pusher,
		Updates: updates, Existing: existing, Mode: report.ClientPrePush,
	})
	return &out, nil
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
	if r == nil {
		return nil, nil
	}
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

// isObjectID reports whether s is a full lowercase hex object id (SHA-1
// or SHA-256).
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
