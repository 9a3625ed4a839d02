package push

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Platform names, as Context.Platform holds them and as the server
// configuration's "platform" key and scopes spell them.
const (
	PlatformGit    = "git"    // plain git: git-receive-pack over ssh, git-http-backend, gitolite, local
	PlatformGitLab = "gitlab" // GitLab (Gitaly server hooks)
	PlatformGitea  = "gitea"  // Gitea and Forgejo (they share the GITEA_* variables)
	PlatformGHES   = "ghes"   // GitHub Enterprise Server pre-receive hooks
)

// Platforms lists the platform names in detection order.
func Platforms() []string {
	return []string{PlatformGHES, PlatformGitLab, PlatformGitea, PlatformGit}
}

// Protocols, as Context.Protocol holds them. Platforms that tell the
// protocol use their own words, which are these.
const (
	ProtocolSSH   = "ssh"
	ProtocolHTTP  = "http"
	ProtocolWeb   = "web"   // the platform's web UI or API made the push
	ProtocolLocal = "local" // plain git without ssh or http: a push to a path
)

// GitLabWebPrefix starts every line a hook prints when GitLab's web UI or
// API made the push (GL_PROTOCOL=web): GitLab shows only the lines that
// carry it, without the prefix.
const GitLabWebPrefix = "GL-HOOK-ERR: "

// EnvOptions tune how FromEnvWith reads the hook environment. The zero value
// detects the platform and uses the default pusher variables.
type EnvOptions struct {
	// Platform forces a platform ("gitlab", "gitea", "ghes", "git"); empty or
	// "auto" detects it from the environment.
	Platform string
	// PusherEnv names the variable that holds the pusher on plain git. When
	// empty, REMOTE_USER (git-http-backend behind an authenticating web
	// server), then GL_USER (gitolite), then USER are tried.
	PusherEnv string
}

// Detect returns the platform the hook runs on, from its environment alone.
// The first platform whose own variables are present wins, in this order:
// GHES (GITHUB_USER_LOGIN or GITHUB_REPO_NAME), GitLab (GL_ID, GL_USERNAME,
// GL_REPOSITORY, GL_PROJECT_PATH or GL_PROTOCOL), Gitea/Forgejo
// (GITEA_REPO_NAME, GITEA_REPO_USER_NAME or GITEA_PUSHER_NAME); otherwise
// plain git. Gitolite's GL_USER and GL_REPO are not GitLab's variables and
// do not select GitLab.
func Detect(getenv func(string) string) string {
	anySet := func(keys ...string) bool {
		for _, k := range keys {
			if getenv(k) != "" {
				return true
			}
		}
		return false
	}
	switch {
	case anySet("GITHUB_USER_LOGIN", "GITHUB_REPO_NAME"):
		return PlatformGHES
	case anySet("GL_ID", "GL_USERNAME", "GL_REPOSITORY", "GL_PROJECT_PATH", "GL_PROTOCOL"):
		return PlatformGitLab
	case anySet("GITEA_REPO_NAME", "GITEA_REPO_USER_NAME", "GITEA_PUSHER_NAME"):
		return PlatformGitea
	}
	return PlatformGit
}

// FromEnvWith builds the Context of a hook run from its environment, with
// the platform adapter opts select (or detect). Only malformed push options
// are an error: a platform variable that is missing leaves its field empty.
func FromEnvWith(getenv func(string) string, opts EnvOptions) (Context, error) {
	options, err := Options(getenv)
	if err != nil {
		return Context{}, fmt.Errorf("push options: %w", err)
	}
	platform := opts.Platform
	switch platform {
	case "", "auto":
		platform = Detect(getenv)
	case PlatformGit, PlatformGitLab, PlatformGitea, PlatformGHES:
	default:
		return Context{}, fmt.Errorf("unknown platform %q (want one of %s, or auto)", clip(platform), strings.Join(Platforms(), ", "))
	}
	c := Context{Platform: platform, Options: options, GitDir: gitDir(getenv)}
	switch platform {
	case PlatformGitLab:
		fromGitLab(&c, getenv)
	case PlatformGitea:
		fromGitea(&c, getenv)
	case PlatformGHES:
		fromGHES(&c, getenv)
	default:
		fromGit(&c, getenv, opts.PusherEnv)
	}
	if opts.PusherEnv != "" {
		// The admin named the variable that holds the pusher: it wins over
		// every platform variable, which a pusher may be able to set (a GL_*
		// variable in a plain git hook's environment must not make anyone
		// else the pusher). Unset, the pusher is unknown.
		// The platform's other identity fields name whoever the platform
		// variables name: drop them rather than audit a mixed identity.
		c.Pusher, c.PusherFrom, c.PusherID, c.PusherEmail = getenv(opts.PusherEnv), "", "", ""
		c.DeployKey, c.KeyOwner = "", ""
		if c.Pusher != "" {
			c.PusherFrom = opts.PusherEnv
		}
	}
	if c.Repo == "" {
		c.Repo = c.GitDir
	}
	return c, nil
}

// gitDir returns the absolute repository directory: GIT_DIR, else the
// working directory (git runs hooks from the repository directory).
func gitDir(getenv func(string) string) string {
	dir := getenv("GIT_DIR")
	if dir == "" {
		dir = "."
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir
}

// fromGitLab reads Gitaly's server hook variables. GL_PROTOCOL is http, ssh
// or web ("all other actions": web editor, merge requests, API).
//
// GL_ID is "user-<id>" for a user, "key-<id>" for a deploy key (GitLab's
// server hooks documentation); a deploy key's GL_USERNAME names the user
// who created the key, who did not make this push: the pusher is then
// "deploy-key:<id>" and GL_USERNAME is kept as KeyOwner.
func fromGitLab(c *Context, getenv func(string) string) {
	c.Pusher = getenv("GL_USERNAME")
	c.PusherID = getenv("GL_ID") // user-123, or key-45 for a deploy key
	if id, ok := strings.CutPrefix(c.PusherID, "key-"); ok && id != "" {
		c.DeployKey, c.KeyOwner, c.Pusher = id, c.Pusher, DeployKeyPusher(id)
	}
	c.Repo = getenv("GL_PROJECT_PATH")
	c.RepoID = getenv("GL_REPOSITORY") // project-7, wiki-7, group-3, snippet-9, design-7
	if c.Repo == "" {
		c.Repo = c.RepoID // GitLab before 13.2 had no GL_PROJECT_PATH
	}
	c.Protocol = getenv("GL_PROTOCOL")
	if c.Protocol == ProtocolWeb {
		c.Internal = true
		c.LinePrefix = GitLabWebPrefix
	}
}

// fromGitea reads the variables Gitea and Forgejo set for every push,
// including the pushes they make themselves.
func fromGitea(c *Context, getenv func(string) string) {
	c.Pusher = getenv("GITEA_PUSHER_NAME")
	c.PusherEmail = getenv("GITEA_PUSHER_EMAIL") // absent when the user keeps the address private
	c.PusherID = getenv("GITEA_PUSHER_ID")
	owner, name := getenv("GITEA_REPO_USER_NAME"), getenv("GITEA_REPO_NAME")
	switch {
	case owner != "" && name != "":
		c.Repo = owner + "/" + name // a wiki's name ends in ".wiki"
	case name != "":
		c.Repo = name
	}
	c.RepoID = getenv("GITEA_REPO_ID")
	// GITEA_INTERNAL_PUSH=true: Gitea itself pushes inside one of its own
	// operations; its own hook skips its checks then. pushguard scans the
	// push like any other and records Internal.
	c.Internal, _ = strconv.ParseBool(getenv("GITEA_INTERNAL_PUSH"))
	pr, idx := getenv("GITEA_PR_ID"), getenv("GITEA_PR_INDEX")
	if pr == "0" {
		pr = ""
	}
	if idx == "0" {
		idx = ""
	}
	if pr != "" || idx != "" {
		c.PullRequest = &PullRequest{ID: pr, Index: idx}
	}
	c.Trigger = getenv("GITEA_PUSH_TRIGGER")
	// GITEA_DEPLOY_KEY_ID: "gitea serv" sets it for every ssh push, 0
	// unless a deploy key authenticated it. GITEA_PUSHER_NAME then names
	// the repository's owner, who did not push: the pusher is the key.
	if id := getenv("GITEA_DEPLOY_KEY_ID"); id != "" && id != "0" {
		c.DeployKey, c.KeyOwner, c.Pusher = id, c.Pusher, DeployKeyPusher(id)
		c.PusherEmail = "" // the owner's address, not the key's
	}
	// SSH_ORIGINAL_COMMAND is what Gitea's ssh server received
	// ("git-receive-pack 'owner/repo.git'"), the service name for smart
	// HTTP ("receive-pack"), or "gitea-internal" when Gitea pushes from its
	// own temporary clone (web editor, merge button, API).
	switch soc := getenv("SSH_ORIGINAL_COMMAND"); {
	case c.Internal || soc == "gitea-internal":
		c.Protocol = ProtocolWeb
		c.Internal = true
	case soc == "receive-pack":
		c.Protocol = ProtocolHTTP
	case soc != "":
		c.Protocol = ProtocolSSH
	}
}

// fromGHES reads GitHub Enterprise Server's pre-receive variables.
// GITHUB_VIA is set only when the web interface or the API updates the ref;
// GITHUB_PUBLIC_KEY_FINGERPRINT only for pushes authenticated by SSH key;
// GITHUB_PULL_REQUEST_* only for pull request merges.
func fromGHES(c *Context, getenv func(string) string) {
	c.Pusher = getenv("GITHUB_USER_LOGIN")
	c.Repo = getenv("GITHUB_REPO_NAME") // owner/repo
	c.Via = getenv("GITHUB_VIA")
	switch {
	case c.Via != "":
		c.Protocol = ProtocolWeb
		c.Internal = true
	case getenv("GITHUB_PUBLIC_KEY_FINGERPRINT") != "":
		c.Protocol = ProtocolSSH
	default:
		// GHES does not say; a git push without an SSH key is HTTPS.
		c.Protocol = ProtocolHTTP
	}
	author, head, base := getenv("GITHUB_PULL_REQUEST_AUTHOR_LOGIN"), getenv("GITHUB_PULL_REQUEST_HEAD"), getenv("GITHUB_PULL_REQUEST_BASE")
	if author != "" || head != "" || base != "" {
		c.PullRequest = &PullRequest{Author: author, Head: head, Base: base}
	}
}

// fromGit reads what a plain git server offers. The pusher comes from the
// variable the admin names, else from REMOTE_USER (set by git-http-backend
// when the web server authenticated the user), GL_USER (gitolite) or USER
// (the account that runs git-receive-pack: the pusher with per-user ssh
// accounts, a shared "git" otherwise).
func fromGit(c *Context, getenv func(string) string, pusherEnv string) {
	vars := []string{"REMOTE_USER", "GL_USER", "USER"}
	if pusherEnv != "" {
		vars = []string{pusherEnv}
	}
	for _, v := range vars {
		if p := getenv(v); p != "" {
			c.Pusher, c.PusherFrom = p, v
			break
		}
	}
	switch {
	case getenv("SSH_CONNECTION") != "" || getenv("SSH_CLIENT") != "":
		c.Protocol = ProtocolSSH
	case getenv("GATEWAY_INTERFACE") != "" || getenv("REMOTE_ADDR") != "":
		c.Protocol = ProtocolHTTP
	default:
		c.Protocol = ProtocolLocal
	}
}
