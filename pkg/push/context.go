package push

import "strings"

// Context is what the hook environment says about a push: where it goes,
// who makes it, how, and the push options. Platform adapters (GitLab,
// Gitea/Forgejo, GitHub Enterprise Server, plain git; see platform.go) fill
// it from their own variables. Fields the platform does not tell are empty.
//
// The values come from the server, not from the pushed content, but some
// are user-chosen (a display e-mail, a login): escape them before printing.
type Context struct {
	// Platform is one of PlatformGit, PlatformGitLab, PlatformGitea,
	// PlatformGHES.
	Platform string
	// Repo is the repository as the platform names it: "group/sub/project"
	// on GitLab, "owner/name" on Gitea and GHES, the absolute GIT_DIR on
	// plain git. Scopes in the server configuration match it.
	Repo string
	// RepoID is the platform's internal id when it gives one: GitLab's
	// GL_REPOSITORY ("project-42", "wiki-42"), Gitea's GITEA_REPO_ID.
	RepoID string
	// GitDir is the absolute repository directory (GIT_DIR, else the
	// working directory git runs the hook in), on every platform.
	GitDir string
	// Pusher is the login of the account that pushes (or, for a push the
	// server makes itself, the account on whose behalf it does). A push
	// authenticated by a deploy key has the pusher DeployKeyPusher(id)
	// ("deploy-key:<id>"), never the account the platform attributes the
	// key to: a deploy key gets no one's scopes or bypass rights.
	Pusher string
	// DeployKey is the platform's id of the deploy key that authenticated
	// the push (Gitea GITEA_DEPLOY_KEY_ID, GitLab GL_ID "key-<id>"), else
	// empty.
	DeployKey string
	// KeyOwner is, for a deploy-key push, the account the platform names
	// as the pusher (Gitea: the repository owner; GitLab: the key's
	// creator). It is recorded, never used for scopes or bypass.
	KeyOwner string
	// PusherID is the platform's id of the pusher: GitLab's GL_ID
	// ("user-7", or "key-3" for a deploy key), Gitea's GITEA_PUSHER_ID.
	PusherID string
	// PusherEmail is the pusher's e-mail when the platform gives it (Gitea,
	// unless the user keeps it private).
	PusherEmail string
	// PusherFrom names the variable Pusher was read from on plain git
	// (REMOTE_USER, GL_USER, USER or the configured pusher_env).
	PusherFrom string
	// Protocol is ProtocolSSH, ProtocolHTTP, ProtocolWeb or ProtocolLocal;
	// empty when the platform does not tell.
	Protocol string
	// Internal reports that the server made the push itself on the pusher's
	// behalf: web editor, merge button, API (GitLab GL_PROTOCOL=web, GHES
	// GITHUB_VIA, Gitea GITEA_INTERNAL_PUSH or its "gitea-internal"
	// pushes). Such pushes are scanned like any other.
	Internal bool
	// Via is GHES's GITHUB_VIA: which web or API action updated the ref
	// ("blob#save", "pull request merge button", ...).
	Via string
	// PullRequest is set when a pull request makes the push (its merge, or
	// the platform updating the pull request's refs).
	PullRequest *PullRequest
	// Trigger is the platform's reason for a push it makes itself: Gitea's
	// GITEA_PUSH_TRIGGER ("pr-merge-to-base", "pr-update-with-base"); empty
	// otherwise.
	Trigger string
	// LinePrefix must start every line printed for the pusher:
	// GitLabWebPrefix on GitLab web pushes, else empty.
	LinePrefix string
	// Options are the git push options, in order.
	Options []string
}

// PullRequest describes the pull request whose merge makes a push, as far
// as the platform tells: GHES gives the author and the head and base as
// "owner:branch"; Gitea gives its id.
type PullRequest struct {
	ID     string
	Index  string
	Author string
	Head   string
	Base   string
}

// DeployKeyPrefix starts the Pusher of a push authenticated by a deploy
// key: "deploy-key:<id>".
const DeployKeyPrefix = "deploy-key:"

// DeployKeyPusher returns the pusher name of a deploy key.
func DeployKeyPusher(id string) string { return DeployKeyPrefix + id }

// Option returns the value of the last push option named key: "v" for
// `-o key=v`, "" for a bare `-o key`. ok is false when no option has that
// name.
func (c Context) Option(key string) (value string, ok bool) {
	for i := len(c.Options) - 1; i >= 0; i-- {
		k, v, _ := strings.Cut(c.Options[i], "=")
		if k == key {
			return v, true
		}
	}
	return "", false
}

// FromEnv builds the Context of a hook run from its environment, detecting
// the platform and using the default pusher variables. See FromEnvWith.
func FromEnv(getenv func(string) string) (Context, error) {
	return FromEnvWith(getenv, EnvOptions{})
}
