package textenc

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConfigPaths(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"services.yaml", `services:
  sendgrid:
    api_key: x
    # comment
    region: eu
  twilio: &tw
    - name: a
      auth:
        token: y
top: 1
---
other:
  key: z
`, []string{"", "services", "services.sendgrid", "services.sendgrid", "services.sendgrid", "services", "services.twilio", "services.twilio", "services.twilio.auth", "", "", "", "other"}},
		{"app.toml", "a = 1\n[sendgrid]\napi_key = \"x\"\n[[servers.alpha]]\nkey = 2\n", []string{"", "sendgrid", "sendgrid", "servers.alpha", "servers.alpha"}},
		{"settings.json", `{
  "sendgrid": {
    "apiKey": "x",
    "inner": {"a": 1},
    "list": [
      "v"
    ]
  },
  "top": 2
}
`, []string{"", "", "sendgrid", "sendgrid", "sendgrid", "sendgrid.list", "sendgrid", "", "", ""}},
		{"credentials.xml", `<?xml version="1.0"?>
<config>
  <merakiApiKey>
    6214b480669359e157a3813544c5498394674ecd
  </merakiApiKey>
  <region>eu</region>
  <group name="a">
    <item/>
  </group>
  <!-- comment -->
</config>
after
`, []string{"", "", "config", "config.merakiApiKey", "config", "config", "config", "config.group", "config", "config", "", ""}},
	}
	for _, tt := range tests {
		got := ConfigPaths(tt.name, []byte(tt.doc))
		var gs []string
		for _, p := range got {
			gs = append(gs, string(p))
		}
		if diff := cmp.Diff(tt.want, gs); diff != "" {
			t.Errorf("%s (-want +got)\n%s", tt.name, diff)
		}
	}
	// A crafted key does not make every path below it long.
	long := strings.Repeat("k", 1<<20)
	deep := long + ":\n"
	for i := range 40 {
		deep += strings.Repeat(" ", 2*(i+1)) + long + ":\n"
	}
	for i, p := range ConfigPaths("x.yaml", []byte(deep)) {
		if len(p) > maxPathKeys*(maxKeyLen+1) {
			t.Fatalf("line %d: path of %d bytes", i+1, len(p))
		}
	}
	if ConfigPaths("main.go", []byte("a:\n  b: 1\n")) != nil {
		t.Error("paths for a Go file")
	}
}
