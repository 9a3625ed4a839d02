package push

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	zero40 = strings.Repeat("0", 40)
	a40    = strings.Repeat("a", 40)
	b40    = strings.Repeat("b", 40)
	a64    = strings.Repeat("a", 64)
	zero64 = strings.Repeat("0", 64)
)

func TestParseUpdates(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Update
		wantErr string
	}{
		{"one", a40 + " " + b40 + " refs/heads/main\n", []Update{{a40, b40, "refs/heads/main"}}, ""},
		{"no trailing newline", a40 + " " + b40 + " refs/heads/main", []Update{{a40, b40, "refs/heads/main"}}, ""},
		{"create delete and update", zero40 + " " + a40 + " refs/heads/new\n" + a40 + " " + zero40 + " refs/heads/old\n" + a40 + " " + b40 + " refs/tags/v1\n",
			[]Update{{zero40, a40, "refs/heads/new"}, {a40, zero40, "refs/heads/old"}, {a40, b40, "refs/tags/v1"}}, ""},
		{"sha256", zero64 + " " + a64 + " refs/heads/main\n", []Update{{zero64, a64, "refs/heads/main"}}, ""},
		{"crlf", a40 + " " + b40 + " refs/heads/main\r\n", []Update{{a40, b40, "refs/heads/main"}}, ""},
		{"empty", "", nil, "no ref updates"},
		{"two fields", a40 + " refs/heads/main\n", nil, "line 1: want"},
		{"tab separated", a40 + "\t" + b40 + "\trefs/heads/main\n", nil, "fields"},
		{"upper hex", strings.ToUpper(a40) + " " + b40 + " refs/heads/main\n", nil, "lower-case hex"},
		{"short id", "abc " + b40 + " refs/heads/main\n", nil, "not 40 or 64"},
		{"mixed lengths", a40 + " " + a64 + " refs/heads/main\n", nil, "different lengths"},
		{"both zero", zero40 + " " + zero40 + " refs/heads/main\n", nil, "both object ids are zero"},
		{"not under refs", a40 + " " + b40 + " main\n", nil, "not a full ref name"},
		{"control char", a40 + " " + b40 + " refs/heads/\x1b[31m\n", nil, "forbidden character"},
		{"dotdot", a40 + " " + b40 + " refs/heads/a..b\n", nil, "not a valid ref name"},
		{"lock", a40 + " " + b40 + " refs/heads/x.lock\n", nil, "not a valid ref name"},
		{"empty component", a40 + " " + b40 + " refs/heads//x\n", nil, "empty or dot-prefixed"},
		{"dot component", a40 + " " + b40 + " refs/heads/.hidden\n", nil, "empty or dot-prefixed"},
		{"twice", a40 + " " + b40 + " refs/heads/main\n" + b40 + " " + a40 + " refs/heads/main\n", nil, "line 2: ref updated twice"},
		{"second line bad", a40 + " " + b40 + " refs/heads/main\ngarbage\n", nil, "line 2"},
		{"too long", a40 + " " + b40 + " refs/heads/" + strings.Repeat("x", 5000) + "\n", nil, "longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseUpdates(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tc.wantErr)
				}
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Errorf("error %T is not a *ParseError", err)
				}
				if strings.ContainsRune(err.Error(), 0x1b) {
					t.Errorf("error echoes a raw escape: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestUpdateCreatedDeleted(t *testing.T) {
	if u := (Update{zero40, a40, "refs/heads/x"}); !u.Created() || u.Deleted() {
		t.Errorf("create: Created=%v Deleted=%v", u.Created(), u.Deleted())
	}
	if u := (Update{a40, zero64[:40], "refs/heads/x"}); u.Created() || !u.Deleted() {
		t.Errorf("delete: Created=%v Deleted=%v", u.Created(), u.Deleted())
	}
	if u := (Update{a40, b40, "refs/heads/x"}); u.Created() || u.Deleted() {
		t.Errorf("update: Created=%v Deleted=%v", u.Created(), u.Deleted())
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    []string
		wantErr bool
	}{
		{"none", nil, nil, false},
		{"two", map[string]string{"GIT_PUSH_OPTION_COUNT": "2", "GIT_PUSH_OPTION_0": "ci.skip", "GIT_PUSH_OPTION_1": "pushguard.bypass=x"}, []string{"ci.skip", "pushguard.bypass=x"}, false},
		{"zero", map[string]string{"GIT_PUSH_OPTION_COUNT": "0"}, []string{}, false},
		{"bad count", map[string]string{"GIT_PUSH_OPTION_COUNT": "x"}, nil, true},
		{"negative", map[string]string{"GIT_PUSH_OPTION_COUNT": "-1"}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Options(func(k string) string { return tc.env[k] })
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseUpdates(f *testing.F) {
	f.Add(a40 + " " + b40 + " refs/heads/main\n")
	f.Add(zero40 + " " + a40 + " refs/tags/v1\n" + a40 + " " + zero40 + " refs/heads/x\n")
	f.Add("garbage\x00\xff")
	f.Fuzz(func(t *testing.T, in string) {
		ups, err := ParseUpdates(strings.NewReader(in))
		if err != nil {
			if ups != nil {
				t.Fatal("updates returned with an error")
			}
			return
		}
		if len(ups) == 0 {
			t.Fatal("no error and no updates")
		}
		for _, u := range ups {
			if CheckRefName(u.Ref) != nil || checkID(u.Old) != nil || checkID(u.New) != nil {
				t.Fatalf("accepted invalid update %+v", u)
			}
		}
	})
}
