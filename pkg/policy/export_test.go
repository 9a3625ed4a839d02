package policy

// ForgeStamp writes the validation stamp of content data in cache dir for
// the running build, as if it had been validated: for the test that a
// forged stamp still fails closed in the hook (lazyhook_test.go).
func ForgeStamp(dir string, data []byte) { newStamps(dir).store(data) }
