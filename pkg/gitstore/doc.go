// Package gitstore gives read-only access to the objects of a repository
// during a pre-receive hook, honouring git's object quarantine
// (GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES), and lists
// the commits a push adds.
//
// It uses go-git's storage underneath but none of its slow paths: no
// object.DiffTree, no revlist.Objects (see ../../docs/design notes).
package gitstore
