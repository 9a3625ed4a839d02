package hook

import "testing"

// TestRepoNameFromURL: the repository name a server's scopes match, from
// the remote URL git passes to pre-push.
func TestRepoNameFromURL(t *testing.T) {
	for _, tt := range []struct{ url, want string }{
		{"https://gitlab.example.org/group/sub/app.git", "group/sub/app"},
		{"ssh://git@gitea.example.org:2222/org/app.git", "org/app"},
		{"git@github.example.org:org/app.git", "org/app"},
		{"git@github.example.org:org/app", "org/app"},
		{"file:///srv/git/app.git", "/srv/git/app.git"},
		{"/srv/git/app.git", "/srv/git/app.git"},
		{"", ""},
	} {
		if got := RepoNameFromURL(tt.url); got != tt.want {
			t.Errorf("RepoNameFromURL(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}
