package gitstore

import (
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Env locates the objects of a repository while a hook runs.
type Env struct {
	// GitDir is the repository (bare, or the .git directory of a work tree).
	GitDir string
	// ObjectDir is GIT_OBJECT_DIRECTORY: during pre-receive, the quarantine
	// directory holding the pushed objects. Empty outside a hook.
	ObjectDir string
	// Alternates are the entries of GIT_ALTERNATE_OBJECT_DIRECTORIES, already
	// split and unquoted.
	Alternates []string
}

// Person is an author, committer or tagger.
type Person struct {
	Name  string
	Email string
	When  time.Time
}

// Commit holds the facts of one commit that rules look at.
type Commit struct {
	Hash      plumbing.Hash
	Tree      plumbing.Hash
	Parents   []plumbing.Hash
	Author    Person
	Committer Person
	Message   string
	// Signed reports whether the commit carries a signature header (gpgsig).
	Signed bool
}

// Tag is an annotated tag object.
type Tag struct {
	Hash       plumbing.Hash
	Name       string
	Target     plumbing.Hash
	TargetType plumbing.ObjectType
	Tagger     Person
	// Message is the tag message without its trailing signature block.
	Message string
	// Signed reports whether the message carried a signature block
	// (PGP, SSH or X.509).
	Signed bool
}

// Ref is one reference of the repository and the object it points at.
type Ref struct {
	Name string
	Hash plumbing.Hash
}

// Status says how a file changed between two trees.
type Status string

// File statuses, as in `git diff --name-status`.
const (
	Added    Status = "added"
	Modified Status = "modified"
	Deleted  Status = "deleted"
	Renamed  Status = "renamed"
)

// Change is one non-tree entry that differs between two trees.
type Change struct {
	Status  Status
	Path    string // new path; the old path for Deleted
	OldPath string // set for Renamed and Modified and Deleted
	OldHash plumbing.Hash
	NewHash plumbing.Hash
	OldMode filemode.FileMode
	NewMode filemode.FileMode
}
