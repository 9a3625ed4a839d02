package push

import (
	"fmt"
	"path/filepath"
)

// Context is what the hook environment says about a push: where it goes,
// who makes it, and the push options. Platform adapters (GitLab, Gitea,
// GitHub Enterprise Server) fill it from their own variables; plain git has
// only GIT_DIR.
type Context struct {
	Platform string   // "git" for a plain git server
	Repo     string   // repository path or name as the platform knows it
	Pusher   string   // pusher's login, when the platform tells it
	Protocol string   // "ssh", "http", "web", ... when the platform tells it
	Options  []string // git push options
}

// FromEnv builds the Context of a hook run from its environment.
func FromEnv(getenv func(string) string) (Context, error) {
	opts, err := Options(getenv)
	if err != nil {
		return Context{}, fmt.Errorf("push options: %w", err)
	}
	c := Context{Platform: "git", Options: opts}
	dir := getenv("GIT_DIR")
	if dir == "" {
		dir = "."
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	c.Repo = dir
	return c, nil
}
