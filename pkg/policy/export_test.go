package policy

import (
	"context"

	"github.com/pushguard/pushguard/pkg/ruleset"
)

// ForgeStamp writes the validation stamp of content data in cache dir for
// the running build, as if it had been validated: for the test that a
// forged stamp still fails closed in the hook (lazyhook_test.go).
func ForgeStamp(dir string, data []byte) { newStamps(dir).store(data) }

// ForgeCompiled writes in cache dir, as the compiled rules of the rule file
// name (of a directory source) with content data, what a lazy decode of
// forged gives: a lazy decode compiles no content regex, so forged may
// hold one that does not compile. For the tests that a forged compiled
// file still fails closed.
func ForgeCompiled(dir, name string, data, forged []byte) error {
	doc, err := ruleset.ParseDocument(name, forged)
	if err != nil {
		return err
	}
	rs, err := ruleset.DecodeDocumentWith(context.Background(), name, doc, nil, ruleset.DecodeOptions{Lazy: true})
	if err != nil {
		return err
	}
	l := &loader{opt: Options{CacheDir: dir}.withDefaults(), stamps: newStamps(dir)}
	l.storeCompiled(l.compiledPath(name, data, nil), rs, nil, false)
	return nil
}
