// Package gitstore gives read-only access to the objects of a repository
// during a pre-receive hook, honouring git's object quarantine
// (GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES), and lists
// the commits a push adds.
//
// Objects are read (loose objects with zlib; pack indexes in place,
// packidx.go, so that a lookup costs the same in a repository of any
// size; pack entries and deltas by this package's own reader, pack.go,
// which profiling showed several times cheaper than go-git's packfile) from
// an explicit list of
// object directories built by Open: the quarantine, the alternates from
// the environment, the repository's objects directory, and whatever their
// objects/info/alternates files name. go-git's storage/filesystem is not
// used for objects because its dotgit layer guesses quarantine directories
// from their names and resolves relative alternates wrongly.
//
// None of go-git's slow paths are used (see /work/shared/design.md):
// NewCommits is a paint walk that reads only as much of the excluded
// history as its dates require, instead of revlist.Objects, and Changes
// compares sorted tree entry lists, decoded by this package and cached
// with the raw trees, instead of object.DiffTree. The walk takes commit
// parents and dates from git's commit-graph when the repository has one
// (commitgraph.go), so that 10,000 ref tips cost no object reads.
//
// SHA-256 repositories and reftable refs are refused by Open with an error
// wrapping ErrUnsupportedRepository: go-git v5 cannot read them, and
// callers fail closed.
package gitstore
