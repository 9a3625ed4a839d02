package ruleset

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/rules"
)

// defaultSet loads the embedded rules, providers.yml included.
func defaultSet(t testing.TB) *Set {
	t.Helper()
	rs, err := LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	return NewSet(rs)
}

// findings runs the whole set over line and returns "id" or "id (detail)"
// per match, with the matched text.
func findings(m *LineMatcher, line string) []string {
	var out []string
	m.MatchLine([]byte(line), 1, nil, func(lm LineMatch) {
		s := lm.Rule.ID + " " + line[lm.Start:lm.End]
		if lm.Detail != "" {
			s += " (" + lm.Detail + ")"
		}
		out = append(out, s)
	})
	return out
}

// TestProviderContext runs the embedded provider-credential rule alone over
// lines written the ways keys are written in code, configuration and
// shell, and checks that it names the provider, or stays silent.
func TestProviderContext(t *testing.T) {
	set := defaultSet(t)
	r := set.Lookup("provider-credential")
	if r == nil {
		t.Fatal("no provider-credential rule in the embedded set")
	}
	active := make([]bool, len(set.Rules))
	active[r.Index] = true
	m := set.NewLineMatcher()
	const sg = "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"
	tests := []struct {
		name, line string
		want       string // provider named in the detail; "" for no match
		value      string // the matched value; default: the test's token
	}{
		{"env file", "SENDGRID_API_KEY=" + sg, "SendGrid", sg},
		{"export quoted", `export SENDGRID_API_KEY="` + sg + `"`, "SendGrid", sg},
		{"json", `  "sendgrid_api_key": "` + sg + `",`, "SendGrid", sg},
		{"yaml", `  sendgrid_api_key: ` + sg, "SendGrid", sg},
		{"go short decl camel", `sendgridApiKey := "` + sg + `"`, "SendGrid", sg},
		{"python environ", `os.environ["SENDGRID_API_KEY"] = "` + sg + `"`, "SendGrid", sg},
		{"setenv call", `os.Setenv("SENDGRID_API_KEY", "` + sg + `")`, "SendGrid", sg},
		{"glued credential word", "SENDGRIDAPIKEY=" + sg, "SendGrid", sg},
		{"dotted config path", "mail.sendgrid.api-key = " + sg, "SendGrid", sg},
		{"header", `curl -H "Fastly-Key: Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3" https://api.fastly.com/`, "Fastly", "Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3"},
		{"url query names provider in host", `u = "https://x7.algolia.net/1/indexes?x-algolia-api-key=ad8199bfca8b6f3a6a9421cc1c93016f&id=X7"`, "Algolia", "ad8199bfca8b6f3a6a9421cc1c93016f"},
		{"url query host only", `u = "https://api.pulumi.com/x?token=pul-5967f532f3ab3cc2d0b698d5c7e41ba4ea5ee874"`, "Pulumi", "pul-5967f532f3ab3cc2d0b698d5c7e41ba4ea5ee874"},
		{"bearer scheme skipped", `PAGERDUTY_AUTH = "Bearer TQCBNR3YbDgbl-eph1QH"`, "PagerDuty", "TQCBNR3YbDgbl-eph1QH"},
		{"hex shape allowed by provider", "TWILIO_AUTH_TOKEN=7ccf25ec84d8dbc74254770f58904dba", "Twilio", "7ccf25ec84d8dbc74254770f58904dba"},
		{"uuid shape allowed by provider", "HEROKU_API_KEY=37f6a6f0-fb23-46f5-9a2c-ec255404e4fb", "Heroku", "37f6a6f0-fb23-46f5-9a2c-ec255404e4fb"},
		{"multi-word alias", "NEW_RELIC_API_KEY=NRAK-W3706I8J76B2LAJLJ4H9DU7794G", "New Relic", "NRAK-W3706I8J76B2LAJLJ4H9DU7794G"},
		{"longest alias wins", "AZURE_DEVOPS_PAT=k7q2vx5ml3nw6pz4ry3ts2uv7wx3yz5ab6cd2ef4gh7ij3kl5mn2", "Azure DevOps", "k7q2vx5ml3nw6pz4ry3ts2uv7wx3yz5ab6cd2ef4gh7ij3kl5mn2"},

		{"provider named before, plain key", `slack_client = WebClient(token="xoxb-2048409612-4096204810-Qm7xPz2LkN8rT5wYb1cD4eF6")`, "Slack", "xoxb-2048409612-4096204810-Qm7xPz2LkN8rT5wYb1cD4eF6"},
		{"npmrc", "//registry.npmjs.org/:_authToken=npm_Qm7xPz2LkN8rT5wYb1cD4eF6gJ0sUoHk3vQ9", "npm", "npm_Qm7xPz2LkN8rT5wYb1cD4eF6gJ0sUoHk3vQ9"},
		{"xml key and value attributes", `<add key="SendGridApiKey" value="` + sg + `" />`, "SendGrid", sg},
		{"escaped json", `"{\"sendgrid_api_key\":\"` + sg + `\"}"`, "SendGrid", sg},
		{"connection string", "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=Qm7xPz2LkN8rT5wYb1cD4eF6gJ0sUoHk3vQ9xPz2L+a=", "Azure Service Bus", "Qm7xPz2LkN8rT5wYb1cD4eF6gJ0sUoHk3vQ9xPz2L+a="},

		// Assignment forms beyond = and : (Go, TypeScript, Kotlin, Python
		// annotations, Make, PHP, XML elements).
		{"go var with type", `var sendgridApiKey string = "` + sg + `"`, "SendGrid", sg},
		{"typescript annotation", `const sendgridApiKey: string = "` + sg + `";`, "SendGrid", sg},
		{"kotlin nullable annotation", `val sendgridApiKey: String? = "` + sg + `"`, "SendGrid", sg},
		{"python annotation", `SENDGRID_API_KEY: str = "` + sg + `"`, "SendGrid", sg},
		{"make ?=", "SENDGRID_API_KEY ?= " + sg, "SendGrid", sg},
		{"make ::=", "SENDGRID_API_KEY ::= " + sg, "SendGrid", sg},
		{"make :::=", "SENDGRID_API_KEY :::= " + sg, "SendGrid", sg},
		{"append +=", "SENDGRID_API_KEY += " + sg, "SendGrid", sg},
		{"php .=", `$sendgridApiKey .= "` + sg + `";`, "SendGrid", sg},
		{"xml element", `  <sendgridApiKey>` + sg + `</sendgridApiKey>`, "SendGrid", sg},
		{"value after key in yaml is no type", `args: SENDGRID_API_KEY=` + sg, "SendGrid", sg},
		{"type name alone is no key", `var string = "` + sg + `"`, "", ""},
		{"xml element of a non-secret", `<sendgridTemplate>Qm7xPz2LkN8rT5wYb1cD4eF6gJ0s</sendgridTemplate>`, "", ""},
		{"arrow is no xml element", `$sendgrid->apiKey = $config->get("` + sg + `")`, "", ""},
		{"c++ scope is no separator", `std::string sendgrid_api_key::value = Qm7xPz2LkN8rT5wYb1cD4eF6gJ0s;`, "", ""},

		{"storage connection string", "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=" + strings.Repeat("Qm7xPz2LkN8rT5wYb1cD4eF6gJ0sUoHk3vQ9", 2) + "Qm7xPz2LkN8rT5==;EndpointSuffix=core.windows.net", "Azure Storage", strings.Repeat("Qm7xPz2LkN8rT5wYb1cD4eF6gJ0sUoHk3vQ9", 2) + "Qm7xPz2LkN8rT5=="},
		{"provider far away", `token = "Qm7xPz2LkN8rT5wYb1cD4eF6gJ0sUoHk3vQ9xPz2"` + strings.Repeat(" ", 90) + "// see the stripe docs", "", ""},
		{"xml value of a non-secret key", `<add key="SendGridTemplate" value="Qm7xPz2LkN8rT5wYb1cD4eF6gJ0s" />`, "", ""},
		{"env reference", "SENDGRID_API_KEY=${SENDGRID_API_KEY}", "", ""},
		{"process.env", "const sendgridKey = process.env.SENDGRID_API_KEY;", "", ""},
		{"getenv call", `sendgrid_api_key = os.getenv("SENDGRID_API_KEY")`, "", ""},
		{"placeholder words", "SENDGRID_API_KEY=your-sendgrid-api-key-here", "", ""},
		{"placeholder run", `sendgrid_api_key: "SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"`, "", ""},
		{"placeholder sequence", "OKTA_API_TOKEN=00abcdefghijklmnopqrstuvwxyz0123456789ABCD", "", ""},
		{"placeholder repetition", "TWILIO_AUTH_TOKEN=abcd1234abcd1234abcd1234abcd1234", "", ""},
		{"placeholder a1b2c3 stopword", "TWILIO_AUTH_TOKEN=a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6", "", ""},
		{"placeholder angle brackets", "twilio_auth_token: <your-twilio-auth-token>", "", ""},
		{"ignored suffix id", "SENDGRID_API_KEY_ID=Qm7xPz2LkN8rT5wYb1cD4e", "", ""},
		{"ignored suffix camel", "sendgridApiKeyUrl = Qm7xPz2LkN8rT5wYb1cD4eF6g", "", ""},
		{"no credential word", "SENDGRID_TEMPLATE=d-4f6a8c2e0b1d3f5a7c9e1b3d5f7a9c1e", "", ""},
		{"hash where the provider has no hex shape", "VERCEL_TOKEN=5f4dcc3b5aa765d61d8327de", "", ""},
		{"uuid where the provider has no uuid shape", "ZOOM_API_KEY=3f0c9b2e-6a1d-4c8f-9e7b-2d5a1c0e8f4b", "", ""},
		{"alias inside a word", "COMMUNITY_TOKEN=Qm7xPz2LkN8rT5wYb1cD4eF6gJ0s", "", ""},
		{"comparison, not assignment", `if sendgrid_api_key == "` + sg + `":`, "", ""},
		{"markdown table", "| SENDGRID_API_KEY | Your SendGrid API key, from Settings > API Keys |", "", ""},
		{"shape prefix missing", "STRIPE_PUBLISHABLE_KEY=pk_live_51HqLyjWDarjtT1zdp7dcXtJ8a2Ls0UVrmNCVjnXb", "", ""},
		{"value too short for the shape", "SENDGRID_API_KEY=SG.Qm7xPz2LkN8r", "", ""},
		{"provider elsewhere on the line", `log.Printf("sendgrid: token=%s", tok)`, "", ""},
		{"no provider", "API_TOKEN=Qm7xPz2LkN8rT5wYb1cD4eF6gJ0s", "", ""},
		{"identifier value", "	aws.CredentialSourceSTSAssumeRole:        UserAgentFeatureCredentialsStsAssumeRole,", "", ""},

		// A key naming only a password holds one a person chose: only a
		// prefixed or UUID shape says the service issued it.
		{"password key, chosen password", `      GITLAB_ROOT_PASSWORD: "FoQ7PaTZqWaftrZ7zvAK"`, "", ""},
		{"password key, passwd", "snowflake_passwd = Kp4wQz8LmN2rT7vYb3cD", "", ""},
		{"password key, prefixed token", "SENDGRID_PASSWORD=" + sg, "SendGrid", sg},
		{"password key, uuid token", "heroku_password: 37f6a6f0-fb23-46f5-9a2c-ec255404e4fb", "Heroku", "37f6a6f0-fb23-46f5-9a2c-ec255404e4fb"},
		{"password and api words", "GITLAB_API_PASSWORD=FoQ7PaTZqWaftrZ7zvAK", "GitLab", "FoQ7PaTZqWaftrZ7zvAK"},
		// A provider named near the key, not in it, needs a specific shape.
		{"near name, catch-all shape", `# {"message": "slack_on_event", "payload": {"token": "i8Al1OkFR99MafAxURXhRJ7b", "team_id": "T07E1S2M2Q6"}}`, "", ""},
		{"near name, fixed-length shape", `{"service": "fastly", "token": "Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3"}`, "Fastly", "Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3"},
		{"name in key, catch-all shape", `"slack_token": "i8Al1OkFR99MafAxURXhRJ7b"`, "Slack", "i8Al1OkFR99MafAxURXhRJ7b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []LineMatch
			m.MatchLine([]byte(tt.line), 1, active, func(lm LineMatch) { got = append(got, lm) })
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("matched %q (%s); want no match", tt.line[got[0].Start:got[0].End], got[0].Detail)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d matches; want 1 (explain: %s)", len(got), r.content.explainNoMatch([]byte(tt.line)))
			}
			if v := tt.line[got[0].Start:got[0].End]; v != tt.value {
				t.Errorf("matched %q; want %q", v, tt.value)
			}
			if !strings.HasPrefix(got[0].Detail, tt.want+" credential assigned to ") {
				t.Errorf("detail %q does not name %s", got[0].Detail, tt.want)
			}
		})
	}
}

// TestProviderConfigPath: a key that names no provider takes the one its
// enclosing configuration keys name, when it starts its line.
func TestProviderConfigPath(t *testing.T) {
	set := defaultSet(t)
	r := set.Lookup("provider-credential")
	active := make([]bool, len(set.Rules))
	active[r.Index] = true
	m := set.NewLineMatcher()
	tests := []struct {
		path, line, want string
	}{
		{"services.fastly", "    api_key: Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3", "Fastly credential assigned to services.fastly.api_key"},
		{"services.fastly", `    "apiKey": "Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3",`, "Fastly credential assigned to services.fastly.apiKey"},
		{"twilio", `auth_token = "7ccf25ec84d8dbc74254770f58904dba"`, "Twilio credential assigned to twilio.auth_token"},
		{"services.fastly", "    region: Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3", ""},              // no credential word
		{"services.fastly", "    api_key: ${FASTLY_KEY}", ""},                                // placeholder
		{"services", "    api_key: Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3", ""},                    // no provider
		{"services.fastly", `    url: "x", api_key: "Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3"`, ""}, // key does not start the line
		{"services.fastly", "    api_key: 5f4dcc3b5aa765d61d8327deb882cf99", ""},
		{"services.azure_openai", "    access_key: 2672a2fffb8fe3e633510968144d33fd", "Azure OpenAI credential assigned to services.azure_openai.access_key"}, // a hash is no Fastly token
		// A line that holds only a value: the last key of the path names
		// the provider and a credential word (an XML element's text on its
		// own line, a YAML list item).
		{"config.fastlyApiKey", "    Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3", "Fastly credential assigned to config.fastlyApiKey"},
		{"fastly_api_keys", "  - Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3", "Fastly credential assigned to fastly_api_keys"},
		{"fastly_api_keys", `  "Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3",`, "Fastly credential assigned to fastly_api_keys"},
		{"fastly.config", "    Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3", ""},                // last key names no provider
		{"config.fastlyRegion", "    Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3", ""},          // no credential word
		{"config.fastlyApiKey", "    ${FASTLY_API_KEY}", ""},                         // placeholder
		{"config.fastlyApiKey", "    see Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3 here", ""}, // not one value
	}
	for _, tt := range tests {
		var got []string
		m.MatchLineIn([]byte(tt.line), 3, []byte(tt.path), active, func(lm LineMatch) { got = append(got, lm.Detail) })
		want := []string(nil)
		if tt.want != "" {
			want = []string{tt.want}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s / %s: (-want +got)\n%s", tt.path, tt.line, diff)
		}
	}
}

// TestOneFindingPerSecret runs the whole embedded set: a value that a
// specific rule reports is not reported again by provider-context or
// generic rules.
func TestOneFindingPerSecret(t *testing.T) {
	m := defaultSet(t).NewLineMatcher()
	tests := []struct {
		line string
		want []string
	}{
		{`const token = "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3sXy"`,
			[]string{"github-token ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3sXy"}},
		{`GITHUB_TOKEN="ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3sXy"`,
			[]string{"github-token ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3sXy"}},
		{`SENDGRID_API_KEY="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"`,
			[]string{"provider-credential 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 (SendGrid credential assigned to SENDGRID_API_KEY)"}},
		{`db_password = "9fKq2LmX7vRt4Wz8NpBs"`,
			[]string{`generic-secret-assignment db_password = "9fKq2LmX7vRt4Wz8NpBs"`}},
	}
	for _, tt := range tests {
		got := findings(m, tt.line)
		// Rules that other packs may add for the same format (a SendGrid
		// rule in secrets.yml) are fine as long as there is one finding.
		if len(got) != 1 {
			t.Errorf("%s: findings %q; want exactly one", tt.line, got)
			continue
		}
		if strings.HasPrefix(tt.want[0], "provider-credential") && !strings.HasPrefix(got[0], "provider-credential") {
			continue // a specific SendGrid rule took it
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.line, diff)
		}
	}
}

// TestOverlapTiers checks the suppression rules on small sets: a less
// specific match yields to an overlapping, at least as severe, unconditional
// more specific one, and only to it.
func TestOverlapTiers(t *testing.T) {
	const specific = `
  - {id: spec, severity: %s, message: m, content: {regex: 'tok_[a-z0-9]{8}', keywords: [tok_]}%s}
  - {id: gen, severity: %s, message: m, tags: [secret, generic], content: {regex: '(?i)token\s*=\s*"[^"]+"', keywords: [token]}}
`
	tests := []struct {
		name                    string
		specSev, extra, generic string
		line                    string
		want                    []string
	}{
		{"generic yields to a block", "block", "", "warn", `token = "tok_abcd1234"`, []string{"spec"}},
		{"generic yields to an equal severity", "warn", "", "warn", `token = "tok_abcd1234"`, []string{"spec"}},
		{"a block generic does not yield to a warn", "warn", "", "block", `token = "tok_abcd1234"`, []string{"spec", "gen"}},
		{"no overlap, both report", "block", "", "warn", `token = "zzz" // tok_abcd1234`, []string{"spec", "gen"}},
		{"a specific rule limited by paths does not silence", "block", ", paths: {include: ['*.go']}", "warn", `token = "tok_abcd1234"`, []string{"spec", "gen"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := NewSet(mustParse(t, fmt.Sprintf(specific, tt.specSev, tt.extra, tt.generic)))
			var got []string
			set.NewLineMatcher().MatchLine([]byte(tt.line), 1, nil, func(lm LineMatch) { got = append(got, lm.Rule.ID) })
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestProvidersSpecErrors checks that mistakes in content.providers are
// reported with their key.
func TestProvidersSpecErrors(t *testing.T) {
	const base = `  - id: p
    severity: block
    message: m
    content:
%s`
	good := `      providers:
        credential_words: [key]
        min_entropy: 3
        default_shapes: ['[alnum]{20,40}']
        list: ['Acme | acme | acme_[hex]{32}', 'Other']
`
	tests := []struct {
		name, body, want string
	}{
		{"regex with providers", "      regex: 'x'\n" + good, "content.regex: does not apply with content.providers"},
		{"keywords with providers", "      keywords: [x]\n" + good, "content.keywords: does not apply with content.providers"},
		{"no credential words", strings.Replace(good, "        credential_words: [key]\n", "", 1), `missing required key "credential_words"`},
		{"no list", strings.Replace(good, "        list: ['Acme | acme | acme_[hex]{32}', 'Other']\n", "", 1), `missing required key "list"`},
		{"no default shapes", strings.Replace(good, "        default_shapes: ['[alnum]{20,40}']\n", "", 1), `missing required key "default_shapes"`},
		{"entropy out of range", strings.Replace(good, "min_entropy: 3", "min_entropy: 9", 1), "min_entropy: must be above 0 and at most 8"},
		{"shape too short", strings.Replace(good, "[alnum]{20,40}", "[alnum]{4,40}", 1), "at least 8 characters"},
		{"max below min", strings.Replace(good, "[alnum]{20,40}", "[alnum]{20,10}", 1), "the maximum must be between the minimum (20)"},
		{"no length", strings.Replace(good, "acme_[hex]{32}", "acme_[hex]", 1), "no length: end the shape with {N} or {MIN,MAX}"},
		{"bad length", strings.Replace(good, "acme_[hex]{32}", "acme_[hex]{x}", 1), "write {N} or {MIN,MAX} with whole numbers"},
		{"no class", strings.Replace(good, "acme_[hex]{32}", "acme_{32}", 1), "no character class"},
		{"uuid with length", strings.Replace(good, "acme_[hex]{32}", "[uuid]{36}", 1), "[uuid] takes no length"},
		{"bad class", strings.Replace(good, "[alnum]{20,40}", "[z-a]{20,40}", 1), "range z-a is reversed"},
		{"too many bars", strings.Replace(good, "'Other'", "'Other | x | [hex]{32} | y'", 1), "two '|' at most"},
		{"alias of two providers", strings.Replace(good, "'Other'", "'Other | acme'", 1), `"acme" already names Acme`},
		{"bad alias", strings.Replace(good, "'Other'", "'Other | ot/her'", 1), "use letters, digits"},
		{"no name", strings.Replace(good, "'Other'", "' | other'", 1), "no name before the first '|'"},
		{"password word not a credential word", strings.Replace(good, "        min_entropy: 3\n", "        password_words: [password]\n        min_entropy: 3\n", 1), `password_words[0]: "password" is not one of credential_words`},
		{"entry not a string", strings.Replace(good, "'Other'", "{name: Other}", 1), "expected a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yml", []byte("rules:\n"+strings.Replace(base, "%s", tt.body, 1)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v; want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := Parse("t.yml", []byte("rules:\n"+strings.Replace(base, "%s", good, 1))); err != nil {
		t.Errorf("valid spec: %v", err)
	}
}

// TestPlaceholder checks the placeholder heuristics directly.
func TestPlaceholder(t *testing.T) {
	tests := []struct {
		v    string
		want bool // true: a placeholder
	}{
		{"xxxxxxxxxxxxxxxxxxxx", true},
		{"AAAAAAAAAAAAAAAAAAAA", true},
		{"8zvvx7mer41AAAAAAAAAAelM7TCMcANiaEL64HUK1rgH53kkmhk2Ivb-_Bt2qFEF", false},
		{"Qm7xPz2LkN8rT5wYb1cD", false},
		{"abcdefQm7xPz2LkN8rT5", true},
		{"Qm7x987654Pz2LkN8rT5", true},
		{"ab12ab12ab12ab12ab12", true},
		{"my-secret-api-token-value", true},
		{"ALLUPPERCASELETTERSONLY", true},
		{"QmxPzLkNrTwYqcXeHgJsUoVa", false},
		{"UserAgentFeatureCredentialsStsAssumeRole", true},
		{"userAgentFeatureCredentials", true},
		{"HTTPServerCredentials", true},
		{"0b17GW4D8NFSK1A7MSDA", false},
	}
	for _, tt := range tests {
		if got := placeholder([]byte(tt.v)) != ""; got != tt.want {
			t.Errorf("placeholder(%q) = %t; want %t", tt.v, got, tt.want)
		}
	}
}

// BenchmarkProviderLine measures the provider condition on a line that
// names a provider and holds a token (the costly case), and on one that
// names a provider and holds none.
func BenchmarkProviderLine(b *testing.B) {
	set := defaultSet(b)
	m := set.NewLineMatcher()
	for _, line := range []string{
		`SENDGRID_API_KEY="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"`,
		`	client := sendgrid.NewSendClient(os.Getenv("SENDGRID_API_KEY")) // send mail`,
	} {
		b.Run(line[:12], func(b *testing.B) {
			l := []byte(line)
			b.ReportAllocs()
			for b.Loop() {
				m.MatchLine(l, 1, nil, func(LineMatch) {})
			}
		})
	}
}

// BenchmarkLoadEmbedded measures what every hook run pays before scanning:
// loading and compiling the embedded rules (providers.yml included) and
// building the set's keyword automaton.
func BenchmarkLoadEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		rs, err := LoadFS(rules.FS, ".")
		if err != nil {
			b.Fatal(err)
		}
		NewSet(rs)
	}
}

// FuzzProviderLine runs the embedded rules over arbitrary lines and
// configuration paths: no panic, and every match lies within the line.
func FuzzProviderLine(f *testing.F) {
	set := defaultSet(f)
	m := set.NewLineMatcher()
	f.Add([]byte(`SENDGRID_API_KEY="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"`), []byte(""))
	f.Add([]byte(`    api_key: Up7-l7v21JXuDCFqM9_SEb1QrMur8ak3`), []byte("services.fastly"))
	f.Add([]byte(`<add key="SendGridApiKey" value="x"/>`), []byte("a.b"))
	f.Add([]byte(`"{\"okta_token\":\"00abc\"}"`), []byte(""))
	f.Fuzz(func(t *testing.T, line, path []byte) {
		m.MatchLineIn(line, 1, path, nil, func(lm LineMatch) {
			if lm.Start < 0 || lm.End > len(line) || lm.Start > lm.End {
				t.Fatalf("match %d:%d outside a line of %d bytes", lm.Start, lm.End, len(line))
			}
		})
	})
}
