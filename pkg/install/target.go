package install

import "errors"

// Targets is what `pushguard install` was asked to install into: exactly
// one field is set (Client counts as set with its Repo).
type Targets struct {
	Client        bool
	ClientRepo    string // default "."
	Plain         string
	GitLab        string
	GiteaRepo     string
	GiteaRoot     string
	GiteaTemplate string
	GHES          string
	GHESBase      string
}

// Count returns how many targets are set.
func (t Targets) Count() int {
	n := 0
	for _, s := range []string{t.Plain, t.GitLab, t.GiteaRepo, t.GiteaRoot, t.GiteaTemplate, t.GHES} {
		if s != "" {
			n++
		}
	}
	if t.Client {
		n++
	}
	return n
}

// Install installs into the one target t names. A GHES bundle without a
// base is the caller's mistake (an *ArgError).
func (in *Installer) Install(t Targets) error {
	switch {
	case t.Client:
		repo := t.ClientRepo
		if repo == "" {
			repo = "."
		}
		return in.Client(repo)
	case t.Plain != "":
		return in.Plain(t.Plain)
	case t.GitLab != "":
		return in.GitLab(t.GitLab)
	case t.GiteaRepo != "":
		return in.GiteaRepo(t.GiteaRepo)
	case t.GiteaRoot != "":
		return in.GiteaRoot(t.GiteaRoot)
	case t.GiteaTemplate != "":
		return in.GiteaTemplate(t.GiteaTemplate)
	case t.GHES != "" && t.GHESBase == "":
		return &ArgError{Err: errors.New("--ghes-bundle needs --ghes-base ROOTFS.tar.gz: GHES runs hooks in a chroot that must provide /bin/sh " +
			"(for example: docker export $(docker create alpine:3) | gzip > base.tar.gz); see docs/install.md")}
	case t.GHES != "":
		return in.GHESBundle(t.GHES, t.GHESBase)
	}
	return &ArgError{Err: errors.New("no install target")}
}
