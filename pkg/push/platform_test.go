package push

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// env turns a map into a getenv function.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnvWith(t *testing.T) {
	const gitDir = "/srv/git/repos/app.git"
	tests := []struct {
		name string
		env  map[string]string
		opts EnvOptions
		want Context
	}{
		{
			name: "gitlab ssh push",
			env: map[string]string{
				"GIT_DIR":         gitDir,
				"GL_ID":           "user-7",
				"GL_USERNAME":     "alice",
				"GL_PROJECT_PATH": "platform/backend/api",
				"GL_REPOSITORY":   "project-42",
				"GL_PROTOCOL":     "ssh",
			},
			want: Context{
				Platform: PlatformGitLab, Repo: "platform/backend/api", RepoID: "project-42", GitDir: gitDir,
				Pusher: "alice", PusherID: "user-7", Protocol: ProtocolSSH,
			},
		},
		{
			name: "gitlab web push needs GL-HOOK-ERR prefix",
			env: map[string]string{
				"GIT_DIR":         gitDir,
				"GL_ID":           "user-7",
				"GL_USERNAME":     "alice",
				"GL_PROJECT_PATH": "platform/api",
				"GL_REPOSITORY":   "project-42",
				"GL_PROTOCOL":     "web",
			},
			want: Context{
				Platform: PlatformGitLab, Repo: "platform/api", RepoID: "project-42", GitDir: gitDir,
				Pusher: "alice", PusherID: "user-7", Protocol: ProtocolWeb, Internal: true,
				LinePrefix: "GL-HOOK-ERR: ",
			},
		},
		{
			name: "gitlab before 13.2 without project path, deploy key",
			env:  map[string]string{"GIT_DIR": gitDir, "GL_ID": "key-3", "GL_REPOSITORY": "wiki-42"},
			want: Context{Platform: PlatformGitLab, Repo: "wiki-42", RepoID: "wiki-42", GitDir: gitDir, PusherID: "key-3",
				Pusher: "deploy-key:3", DeployKey: "3"},
		},
		{
			name: "gitlab deploy key: GL_USERNAME is the key's creator, not the pusher",
			env: map[string]string{
				"GIT_DIR": gitDir, "GL_ID": "key-45", "GL_USERNAME": "admin-alice",
				"GL_PROJECT_PATH": "platform/api", "GL_REPOSITORY": "project-42", "GL_PROTOCOL": "ssh",
			},
			want: Context{
				Platform: PlatformGitLab, Repo: "platform/api", RepoID: "project-42", GitDir: gitDir,
				Pusher: "deploy-key:45", PusherID: "key-45", DeployKey: "45", KeyOwner: "admin-alice", Protocol: ProtocolSSH,
			},
		},
		{
			name: "gitlab key- without an id is not a deploy key",
			env:  map[string]string{"GIT_DIR": gitDir, "GL_ID": "key-", "GL_USERNAME": "alice", "GL_PROJECT_PATH": "p/a"},
			want: Context{Platform: PlatformGitLab, Repo: "p/a", GitDir: gitDir, Pusher: "alice", PusherID: "key-"},
		},
		{
			name: "gitea ssh push",
			env: map[string]string{
				"GIT_DIR":              gitDir,
				"GITEA_PUSHER_NAME":    "bob",
				"GITEA_PUSHER_EMAIL":   "bob@example.com",
				"GITEA_PUSHER_ID":      "12",
				"GITEA_REPO_USER_NAME": "acme",
				"GITEA_REPO_NAME":      "widgets",
				"GITEA_REPO_ID":        "99",
				"GITEA_PR_ID":          "0",
				"SSH_ORIGINAL_COMMAND": "git-receive-pack 'acme/widgets.git'",
			},
			want: Context{
				Platform: PlatformGitea, Repo: "acme/widgets", RepoID: "99", GitDir: gitDir,
				Pusher: "bob", PusherEmail: "bob@example.com", PusherID: "12", Protocol: ProtocolSSH,
			},
		},
		{
			name: "gitea deploy key: the owner in GITEA_PUSHER_NAME is not the pusher",
			env: map[string]string{
				"GIT_DIR":              gitDir,
				"GITEA_PUSHER_NAME":    "acme-owner",
				"GITEA_PUSHER_EMAIL":   "owner@example.com",
				"GITEA_PUSHER_ID":      "1",
				"GITEA_REPO_USER_NAME": "acme",
				"GITEA_REPO_NAME":      "widgets",
				"GITEA_DEPLOY_KEY_ID":  "7",
				"GITEA_KEY_ID":         "0",
				"GITEA_PR_ID":          "0",
				"SSH_ORIGINAL_COMMAND": "git-receive-pack 'acme/widgets.git'",
			},
			want: Context{
				Platform: PlatformGitea, Repo: "acme/widgets", GitDir: gitDir,
				Pusher: "deploy-key:7", DeployKey: "7", KeyOwner: "acme-owner", PusherID: "1", Protocol: ProtocolSSH,
			},
		},
		{
			name: "gitea user key: GITEA_DEPLOY_KEY_ID 0",
			env: map[string]string{
				"GIT_DIR": gitDir, "GITEA_PUSHER_NAME": "bob", "GITEA_REPO_USER_NAME": "acme", "GITEA_REPO_NAME": "widgets",
				"GITEA_DEPLOY_KEY_ID": "0", "GITEA_KEY_ID": "3", "SSH_ORIGINAL_COMMAND": "git-receive-pack 'acme/widgets.git'",
			},
			want: Context{Platform: PlatformGitea, Repo: "acme/widgets", GitDir: gitDir, Pusher: "bob", Protocol: ProtocolSSH},
		},
		{
			name: "gitea pull request merge: id, index and trigger",
			env: map[string]string{
				"GIT_DIR": gitDir, "GITEA_PUSHER_NAME": "carol", "GITEA_REPO_USER_NAME": "acme", "GITEA_REPO_NAME": "widgets",
				"GITEA_PR_ID": "31", "GITEA_PR_INDEX": "4", "GITEA_PUSH_TRIGGER": "pr-merge-to-base",
				"SSH_ORIGINAL_COMMAND": "gitea-internal",
			},
			want: Context{
				Platform: PlatformGitea, Repo: "acme/widgets", GitDir: gitDir, Pusher: "carol",
				Protocol: ProtocolWeb, Internal: true, PullRequest: &PullRequest{ID: "31", Index: "4"}, Trigger: "pr-merge-to-base",
			},
		},
		{
			name: "gitea pull request head ref pushed by gitea itself",
			env: map[string]string{
				"GIT_DIR": gitDir, "GITEA_PUSHER_NAME": "bob", "GITEA_REPO_USER_NAME": "acme", "GITEA_REPO_NAME": "widgets",
				"GITEA_PR_ID": "0", "GITEA_PR_INDEX": "0", "GITEA_INTERNAL_PUSH": "true", "SSH_ORIGINAL_COMMAND": "gitea-internal",
			},
			want: Context{Platform: PlatformGitea, Repo: "acme/widgets", GitDir: gitDir, Pusher: "bob", Protocol: ProtocolWeb, Internal: true},
		},
		{
			name: "configured pusher variable drops the deploy key identity",
			env: map[string]string{
				"GIT_DIR": gitDir, "GITEA_PUSHER_NAME": "acme-owner", "GITEA_REPO_NAME": "w", "GITEA_DEPLOY_KEY_ID": "7", "PUSHER": "frank",
			},
			opts: EnvOptions{PusherEnv: "PUSHER"},
			want: Context{Platform: PlatformGitea, Repo: "w", GitDir: gitDir, Pusher: "frank", PusherFrom: "PUSHER"},
		},
		{
			name: "gitea http push",
			env: map[string]string{
				"GIT_DIR": gitDir, "GITEA_PUSHER_NAME": "bob", "GITEA_REPO_USER_NAME": "acme",
				"GITEA_REPO_NAME": "widgets", "SSH_ORIGINAL_COMMAND": "receive-pack",
			},
			want: Context{Platform: PlatformGitea, Repo: "acme/widgets", GitDir: gitDir, Pusher: "bob", Protocol: ProtocolHTTP},
		},
		{
			name: "gitea merge button",
			env: map[string]string{
				"GIT_DIR": gitDir, "GITEA_PUSHER_NAME": "carol", "GITEA_REPO_USER_NAME": "acme",
				"GITEA_REPO_NAME": "widgets", "GITEA_PR_ID": "314", "SSH_ORIGINAL_COMMAND": "gitea-internal",
			},
			want: Context{
				Platform: PlatformGitea, Repo: "acme/widgets", GitDir: gitDir, Pusher: "carol",
				Protocol: ProtocolWeb, Internal: true, PullRequest: &PullRequest{ID: "314"},
			},
		},
		{
			name: "gitea internal push",
			env: map[string]string{
				"GIT_DIR": gitDir, "GITEA_PUSHER_NAME": "carol", "GITEA_REPO_USER_NAME": "acme",
				"GITEA_REPO_NAME": "widgets.wiki", "GITEA_INTERNAL_PUSH": "true",
			},
			want: Context{
				Platform: PlatformGitea, Repo: "acme/widgets.wiki", GitDir: gitDir, Pusher: "carol",
				Protocol: ProtocolWeb, Internal: true,
			},
		},
		{
			name: "ghes https push",
			env: map[string]string{
				"GIT_DIR": gitDir, "GITHUB_USER_LOGIN": "octocat", "GITHUB_REPO_NAME": "octo-org/hello",
				"GITHUB_USER_IP": "192.0.2.1", "GITHUB_REPO_PUBLIC": "false",
			},
			want: Context{Platform: PlatformGHES, Repo: "octo-org/hello", GitDir: gitDir, Pusher: "octocat", Protocol: ProtocolHTTP},
		},
		{
			name: "ghes contents api edit",
			env: map[string]string{
				"GIT_DIR": gitDir, "GITHUB_USER_LOGIN": "octocat", "GITHUB_REPO_NAME": "octo-org/hello",
				"GITHUB_VIA": "git repo contents api",
			},
			want: Context{
				Platform: PlatformGHES, Repo: "octo-org/hello", GitDir: gitDir, Pusher: "octocat",
				Protocol: ProtocolWeb, Internal: true, Via: "git repo contents api",
			},
		},
		{
			name: "ghes ssh push",
			env: map[string]string{
				"GIT_DIR": gitDir, "GITHUB_USER_LOGIN": "octocat", "GITHUB_REPO_NAME": "octo-org/hello",
				"GITHUB_PUBLIC_KEY_FINGERPRINT": "a1:b2:c3",
			},
			want: Context{Platform: PlatformGHES, Repo: "octo-org/hello", GitDir: gitDir, Pusher: "octocat", Protocol: ProtocolSSH},
		},
		{
			name: "ghes pull request merge button",
			env: map[string]string{
				"GIT_DIR": gitDir, "GITHUB_USER_LOGIN": "maintainer", "GITHUB_REPO_NAME": "octo-org/hello",
				"GITHUB_VIA":                       "pull request merge button",
				"GITHUB_PULL_REQUEST_AUTHOR_LOGIN": "octocat",
				"GITHUB_PULL_REQUEST_HEAD":         "octocat:fix-bug",
				"GITHUB_PULL_REQUEST_BASE":         "octo-org:main",
				"GIT_PUSH_OPTION_COUNT":            "1",
				"GIT_PUSH_OPTION_0":                "ci.skip",
			},
			want: Context{
				Platform: PlatformGHES, Repo: "octo-org/hello", GitDir: gitDir, Pusher: "maintainer",
				Protocol: ProtocolWeb, Internal: true, Via: "pull request merge button",
				PullRequest: &PullRequest{Author: "octocat", Head: "octocat:fix-bug", Base: "octo-org:main"},
				Options:     []string{"ci.skip"},
			},
		},
		{
			name: "plain git over ssh, shared account",
			env:  map[string]string{"GIT_DIR": gitDir, "USER": "git", "SSH_CONNECTION": "192.0.2.9 5000 192.0.2.1 22"},
			want: Context{Platform: PlatformGit, Repo: gitDir, GitDir: gitDir, Pusher: "git", PusherFrom: "USER", Protocol: ProtocolSSH},
		},
		{
			name: "plain git over http-backend",
			env: map[string]string{
				"GIT_DIR": gitDir, "USER": "www-data", "REMOTE_USER": "dave",
				"GATEWAY_INTERFACE": "CGI/1.1", "REMOTE_ADDR": "192.0.2.9",
			},
			want: Context{Platform: PlatformGit, Repo: gitDir, GitDir: gitDir, Pusher: "dave", PusherFrom: "REMOTE_USER", Protocol: ProtocolHTTP},
		},
		{
			name: "gitolite is plain git, GL_USER names the pusher",
			env:  map[string]string{"GIT_DIR": gitDir, "USER": "git", "GL_USER": "erin", "GL_REPO": "app", "SSH_CLIENT": "192.0.2.9 5000 22"},
			want: Context{Platform: PlatformGit, Repo: gitDir, GitDir: gitDir, Pusher: "erin", PusherFrom: "GL_USER", Protocol: ProtocolSSH},
		},
		{
			name: "plain git with the admin's pusher variable",
			env:  map[string]string{"GIT_DIR": gitDir, "USER": "git", "REMOTE_USER": "dave", "PUSHER": "frank"},
			opts: EnvOptions{PusherEnv: "PUSHER"},
			want: Context{Platform: PlatformGit, Repo: gitDir, GitDir: gitDir, Pusher: "frank", PusherFrom: "PUSHER", Protocol: ProtocolLocal},
		},
		{
			name: "plain git, the admin's variable unset: no fallback",
			env:  map[string]string{"GIT_DIR": gitDir, "USER": "git"},
			opts: EnvOptions{PusherEnv: "PUSHER"},
			want: Context{Platform: PlatformGit, Repo: gitDir, GitDir: gitDir, Protocol: ProtocolLocal},
		},
		{
			name: "configured pusher variable wins over a GitLab variable the pusher planted",
			env:  map[string]string{"GIT_DIR": gitDir, "PUSHER": "mallory", "GL_USERNAME": "alice", "GL_ID": "user-1"},
			opts: EnvOptions{PusherEnv: "PUSHER"},
			want: Context{Platform: PlatformGitLab, Repo: gitDir, GitDir: gitDir, Pusher: "mallory", PusherFrom: "PUSHER"},
		},
		{
			name: "forced platform",
			env:  map[string]string{"GIT_DIR": gitDir, "GITHUB_USER_LOGIN": "x", "USER": "git"},
			opts: EnvOptions{Platform: "git"},
			want: Context{Platform: PlatformGit, Repo: gitDir, GitDir: gitDir, Pusher: "git", PusherFrom: "USER", Protocol: ProtocolLocal},
		},
		{
			name: "ghes wins over gitlab when both are set",
			env:  map[string]string{"GIT_DIR": gitDir, "GITHUB_USER_LOGIN": "octocat", "GL_USERNAME": "alice"},
			want: Context{Platform: PlatformGHES, GitDir: gitDir, Repo: gitDir, Pusher: "octocat", Protocol: ProtocolHTTP},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromEnvWith(env(tc.env), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("context mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromEnvDefaults(t *testing.T) {
	// Without GIT_DIR the repository is the working directory, as before.
	got, err := FromEnv(env(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := filepath.Abs(".")
	if got.Platform != PlatformGit || got.Repo != wd || got.GitDir != wd {
		t.Errorf("FromEnv() = %+v, want plain git in %s", got, wd)
	}
}

func TestFromEnvWithErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		opts EnvOptions
	}{
		{"bad option count", map[string]string{"GIT_PUSH_OPTION_COUNT": "x"}, EnvOptions{}},
		{"unknown platform", map[string]string{}, EnvOptions{Platform: "bitbucket"}},
	}
	for _, tc := range tests {
		if _, err := FromEnvWith(env(tc.env), tc.opts); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, PlatformGit},
		{map[string]string{"GL_USER": "x", "GL_REPO": "y"}, PlatformGit}, // gitolite
		{map[string]string{"GL_PROTOCOL": "http"}, PlatformGitLab},
		{map[string]string{"GITEA_REPO_NAME": "r"}, PlatformGitea},
		{map[string]string{"GITHUB_REPO_NAME": "o/r"}, PlatformGHES},
		{map[string]string{"GITHUB_REPOSITORY": "o/r", "GITHUB_ACTOR": "x"}, PlatformGit}, // Actions, not GHES hooks
	}
	for _, tc := range tests {
		if got := Detect(env(tc.env)); got != tc.want {
			t.Errorf("Detect(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}

func TestContextOption(t *testing.T) {
	c := Context{Options: []string{"ci.skip", "pushguard.bypass=first", "pushguard.bypass=incident 42: hotfix", "flag"}}
	tests := []struct {
		key    string
		want   string
		wantOK bool
	}{
		{"pushguard.bypass", "incident 42: hotfix", true},
		{"flag", "", true},
		{"ci.skip", "", true},
		{"missing", "", false},
		{"pushguard", "", false},
	}
	for _, tc := range tests {
		got, ok := c.Option(tc.key)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("Option(%q) = %q, %v; want %q, %v", tc.key, got, ok, tc.want, tc.wantOK)
		}
	}
}
