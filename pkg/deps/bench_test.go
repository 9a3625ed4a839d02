package deps

import (
	"fmt"
	"strings"
	"testing"
)

// bigManifests are manifests of n dependencies each, one per ecosystem.
func bigManifests(n int) map[string][]byte {
	var gomod, npm, req, py, cargo, gem strings.Builder
	gomod.WriteString("module example.com/big\n\ngo 1.22\n\nrequire (\n")
	npm.WriteString("{\n  \"name\": \"big\",\n  \"dependencies\": {\n")
	py.WriteString("[project]\nname = \"big\"\ndependencies = [\n")
	cargo.WriteString("[package]\nname = \"big\"\n\n[dependencies]\n")
	for i := range n {
		fmt.Fprintf(&gomod, "\tgithub.com/org%d/module-%d v1.%d.0 // indirect\n", i%50, i, i)
		sep := ","
		if i == n-1 {
			sep = ""
		}
		fmt.Fprintf(&npm, "    \"package-%d\": \"^%d.0.0\"%s\n", i, i%20, sep)
		fmt.Fprintf(&req, "Package_%d[extra]>=1.%d ; python_version >= \"3.8\"  # pinned\n", i, i)
		fmt.Fprintf(&py, "  \"package-%d>=1.%d\",\n", i, i)
		fmt.Fprintf(&cargo, "crate-%d = { version = \"1.%d\", features = [\"a\", \"b\"] }\n", i, i)
		fmt.Fprintf(&gem, "gem \"gem-%d\", \"~> 1.%d\"\n", i, i)
	}
	gomod.WriteString(")\n")
	npm.WriteString("  }\n}\n")
	py.WriteString("]\n")
	return map[string][]byte{
		"go.mod": []byte(gomod.String()), "package.json": []byte(npm.String()), "requirements.txt": []byte(req.String()),
		"pyproject.toml": []byte(py.String()), "Cargo.toml": []byte(cargo.String()), "Gemfile": []byte(gem.String()),
	}
}

// BenchmarkAdded measures the work of one manifest change with 2000
// dependencies: both versions parsed and compared.
func BenchmarkAdded(b *testing.B) {
	for name, content := range bigManifests(2000) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(2 * len(content)))
			for b.Loop() {
				if _, err := Added(name, content, content); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
