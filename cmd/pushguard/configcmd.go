package main

import "fmt"

// config implements "pushguard config validate FILE".
func (a *app) config(args []string) int {
	fmt.Fprintln(a.stderr, "pushguard config: not yet")
	return exitUsage
}
