// Package diff finds the lines a new version of a file adds to its old
// version(s), in linear time, and decides whether content is binary the way
// git does.
package diff
