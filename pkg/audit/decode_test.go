package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// sameAsJSON checks that decodeRecord accepts exactly what json.Unmarshal
// into a record accepts, and reads the same values. Keys differing from a
// known key only by case are the one documented difference: callers keep
// them out.
func sameAsJSON(t *testing.T, line []byte, reuse *record) {
	t.Helper()
	var want record
	wantErr := json.Unmarshal(line, &want)
	gotErr := decodeRecord(line, reuse)
	if (wantErr == nil) != (gotErr == nil) {
		t.Errorf("%q: encoding/json error %v, decodeRecord error %v", line, wantErr, gotErr)
		return
	}
	if wantErr != nil {
		return
	}
	if diff := cmp.Diff(want, *reuse, cmpopts.EquateEmpty(), cmpopts.IgnoreUnexported(record{})); diff != "" {
		t.Errorf("%q (-encoding/json +decodeRecord):\n%s", line, diff)
	}
}

func TestDecodeRecordMatchesEncodingJSON(t *testing.T) {
	var lines [][]byte
	f, err := os.Open(filepath.Join("testdata", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	f.Close()
	e := benchEvent()
	e.Bypass = &Bypass{Used: true, Reason: "INC-1 \u202e<script>"}
	e.PostReceive = true
	ev, _ := e.Marshal()
	lines = append(lines, bytes.TrimSpace(ev))
	l := Landed{Repo: "a/b", Refs: []Ref{{Name: "refs/heads/main", Old: "1", New: "2"}}}
	lv, _ := l.Marshal()
	lines = append(lines, bytes.TrimSpace(lv))
	for _, s := range []string{
		`{}`, `null`, `[]`, `"x"`, `{"time":"t","decision":"accepted"}`, ` {"decision" : "rejected" } `,
		`{"decision":"accepted","repo":null,"ai_tools":null,"findings":null,"bypass":null,"refs":[null]}`,
		`{"decision":"accepted","findings":[{"rule":"a","count":1},{"rule":"b","extra":[1,{"x":[]}]}],"findings":[{"rule":"c","count":2}]}`,
		`{"decision":"accepted","ai_tools":{"a":1},"ai_tools":{"b":2}}`,
		`{"decision":"accepted","bypass":{"used":true},"bypass":{"reason":"r"}}`,
		`{"decision":"accepted","new_commits":1.5}`, `{"decision":"accepted","new_commits":1e2}`,
		`{"decision":"accepted","new_commits":-0}`, `{"decision":"accepted","new_commits":99999999999999999999}`,
		`{"decision":"accepted","new_commits":"1"}`, `{"decision":"accepted","repo":1}`,
		`{"decision":"accepted","post_receive":1}`, `{"decision":"accepted","post_receive":null}`,
		`{"decision":"accepted","repo":"a\"b\\c\u00e9\ud83d\ude00\n"}`, `{"decision":"accepted","repo":"a\x"}`,
		"{\"decision\":\"accepted\",\"repo\":\"bad \xff utf-8\"}", "{\"decision\":\"accepted\",\"repo\":\"tab\tinside\"}",
		`{"decision":"accepted","\u0072epo":"escaped key"}`, `{"decision":"accepted","re\"po":1}`,
		`{"decision":"accepted"}x`, `{"decision":"accepted"}{}`, `{"decision":"accepted",}`, `{"decision":"accepted" "x":1}`,
		`{"decision":"accepted","x":tru}`, `{"decision":"accepted","x":nul}`, `{"decision":"accepted","x":01}`,
		`{"decision":"accepted","x":-}`, `{"decision":"accepted","x":1.}`, `{"decision":"accepted","x":.5}`,
		`{"decision":"accepted","x":1e}`, `{"decision":"accepted","x":[1,]}`, `{"decision":"accepted","x":{"a"}}`,
		`{"decision":"accepted","x":[` + strings.Repeat("[", 20000) + `]}`,
	} {
		lines = append(lines, []byte(s))
	}
	var reuse record
	for _, line := range lines {
		sameAsJSON(t, line, &reuse)
	}
	// Every prefix of real events, and every byte replaced by JSON's
	// punctuation: a line cut short or damaged is refused alike.
	for _, line := range [][]byte{bytes.TrimSpace(ev), bytes.TrimSpace(lv), lines[1]} {
		for i := range line {
			sameAsJSON(t, line[:i], &reuse)
			if testing.Short() && i%7 != 0 {
				continue
			}
			for _, c := range []byte(`"\{}[],: 0-x`) {
				m := append([]byte(nil), line...)
				m[i] = c
				sameAsJSON(t, m, &reuse)
			}
		}
	}
}

// FuzzDecodeRecord compares decodeRecord with encoding/json on any input
// without upper-case letters (encoding/json matches keys regardless of
// case; decodeRecord does not).
func FuzzDecodeRecord(f *testing.F) {
	e := benchEvent()
	ev, _ := e.Marshal()
	f.Add(bytes.TrimSpace(ev))
	f.Add([]byte(`{"time":"2026-01-05T09:00:00.000Z","event":"landed","repo":"a","refs":[{"name":"r","old":"1","new":"2"}]}`))
	f.Add([]byte(`{"decision":"accepted","bypass":{"used":true,"reason":"\u202e"},"ai_tools":{"x":1}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.ContainsFunc(line, func(r rune) bool { return 'A' <= r && r <= 'Z' }) {
			t.Skip()
		}
		var reuse record
		reuse.AITools = map[string]int{"stale": 1}
		reuse.Findings = []FindingCount{{Rule: "stale"}}
		sameAsJSON(t, line, &reuse)
	})
}
