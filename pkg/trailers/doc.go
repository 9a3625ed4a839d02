// Package trailers parses git commit-message trailers ("Key: value" lines)
// the way `git interpret-trailers` reads them.
package trailers
