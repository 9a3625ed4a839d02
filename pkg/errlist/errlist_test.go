package errlist

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type posErr struct{ msg string }

func (e *posErr) Error() string { return e.msg }

func TestFlatten(t *testing.T) {
	a, b := &posErr{"a"}, &posErr{"b"}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"nil", nil, nil},
		{"one", a, []string{"a"}},
		{"joined in order", errors.Join(a, errors.Join(b, errors.New("io"))), []string{"a", "b", "io"}},
		{"wrapped", fmt.Errorf("load: %w", b), []string{"b"}},
		{"plain", errors.New("disk full"), []string{"disk full"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, e := range Flatten(tc.err, func(m string) *posErr { return &posErr{m} }) {
				got = append(got, e.msg)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
