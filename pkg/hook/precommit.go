package hook

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/staged"
)

// PreCommitInput is a developer's pre-commit hook run.
type PreCommitInput struct {
	// GitDir is $GIT_DIR; empty: the nearest directory upwards from the
	// working directory holding .git.
	GitDir string
	// Getenv reads the environment: configuration, GIT_INDEX_FILE and
	// the GIT_AUTHOR_* / GIT_COMMITTER_* identities.
	Getenv func(string) string
	// Flags are the command line: configuration, rule paths, baseline.
	Flags Flags
	// RepoName is the repository name the server's scopes match ("" when
	// unknown).
	RepoName string
	// Pusher is the pusher's login on the server ("" when unknown).
	Pusher string
	// Paths, when set, limit the report to these files.
	Paths []string
}

// PreCommit checks the staged changes (the index against HEAD, written
// as a commit into a scratch object directory) as CheckClient does,
// without the commit-level rules. A nil outcome with a nil error means
// nothing is staged; an error is a *ClientError carrying the exit code.
// Report the result with ReportClient.
func PreCommit(ctx context.Context, in PreCommitInput) (*ClientOutcome, error) {
	getenv := in.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	gitDir, err := findRepository(in.GitDir)
	if err != nil {
		return nil, clientFail(ExitUsage, err)
	}
	repo, err := gitstore.Open(gitstore.Env{GitDir: gitDir})
	if err != nil {
		return nil, clientFail(ExitUsage, err)
	}
	defer repo.Close()
	ref, head, err := currentHead(repo)
	if err != nil {
		return nil, clientFail(ExitInternal, err)
	}
	var parentTree plumbing.Hash
	if !head.IsZero() {
		c, err := repo.Commit(head)
		if err != nil {
			return nil, clientFail(ExitInternal, fmt.Errorf("read HEAD: %w", err))
		}
		parentTree = c.Tree
	}
	scratch, err := os.MkdirTemp("", "pushguard-staged-")
	if err != nil {
		return nil, clientFail(ExitInternal, err)
	}
	defer os.RemoveAll(scratch)
	indexFile := getenv("GIT_INDEX_FILE")
	if indexFile == "" {
		indexFile = filepath.Join(repo.GitDir(), "index")
	}
	now := time.Now()
	who := func(nameVar, emailVar string) gitstore.Person {
		return gitstore.Person{Name: getenv(nameVar), Email: getenv(emailVar), When: now}
	}
	commit, changed, err := staged.Write(staged.Options{
		IndexFile: indexFile, ObjectDir: scratch, Parent: head,
		Author: who("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL"), Committer: who("GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"),
		Exists: func(h plumbing.Hash) bool { _, err := repo.ObjectType(h); return err == nil },
	}, parentTree)
	var serr *staged.Error
	switch {
	case errors.As(err, &serr):
		return nil, clientFail(ExitUsage, err)
	case errors.Is(err, os.ErrNotExist):
		return nil, nil // no index: nothing was ever staged
	case err != nil:
		return nil, clientFail(ExitInternal, err)
	case !changed:
		return nil, nil
	}
	store, err := gitstore.Open(gitstore.Env{GitDir: repo.GitDir(), ObjectDir: scratch})
	if err != nil {
		return nil, clientFail(ExitInternal, err)
	}
	defer store.Close()
	old := strings.Repeat("0", 40)
	var exclude []plumbing.Hash
	if !head.IsZero() {
		old = head.String()
		exclude = append(exclude, head)
	}
	out := CheckClient(ctx, Client{
		Store: store, Getenv: getenv, Flags: in.Flags,
		Repo: clientRepo(in.RepoName, ""), Pusher: in.Pusher,
		Updates: []push.Update{{Old: old, New: commit.String(), Ref: ref}},
		Exclude: exclude, Staged: true, Mode: report.ClientPreCommit, Paths: in.Paths,
	})
	return &out, nil
}

// currentHead returns the branch HEAD names (refs/heads/...; "HEAD" when
// detached) and its commit (zero before the first commit).
func currentHead(s *gitstore.Store) (string, plumbing.Hash, error) {
	ref := "HEAD"
	b, err := os.ReadFile(filepath.Join(s.GitDir(), "HEAD"))
	if err != nil {
		return "", plumbing.ZeroHash, fmt.Errorf("read HEAD: %w", err)
	}
	if target, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "ref:"); ok {
		ref = strings.TrimSpace(target)
	}
	h, err := s.Resolve("HEAD")
	if err != nil {
		return ref, plumbing.ZeroHash, nil // unborn branch
	}
	return ref, h, nil
}
