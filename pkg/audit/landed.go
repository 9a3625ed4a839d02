package audit

import (
	"bytes"
	"errors"
	"time"

	"github.com/rs/zerolog"
)

// EventLanded is the "event" key of a Landed record. Push events have no
// "event" key.
const EventLanded = "landed"

// Landed is what pushguard's post-receive companion records: the ref
// updates the platform applied, after every pre-receive check (pushguard's
// and the platform's own: protected branches, its own hooks) let them
// through. Git runs post-receive only for the ref updates that were made.
//
// It is linked to the push event of the same push by the tuple (repo, ref
// name, old id, new id), which both hooks see alike whatever the quarantine,
// and by time: the push event comes first. See docs/audit.md.
type Landed struct {
	// Time is when post-receive ran (default: when it is written).
	Time time.Time
	// Platform, Repo, Pusher and Protocol come from push.Context, as in
	// Event.
	Platform string
	Repo     string
	Pusher   string
	Protocol string
	// Refs are the ref updates that landed (Decision unset).
	Refs []Ref
	// Version is pushguard's version.
	Version string
}

// Marshal encodes the record as one line of JSON, newline included. Keys,
// in order: time, event ("landed"), platform, repo, pusher, protocol,
// refs, pushguard_version.
func (e *Landed) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	t := e.Time
	if t.IsZero() {
		t = time.Now()
	}
	refs := make([]Ref, len(e.Refs))
	for i, r := range e.Refs {
		refs[i] = Ref{Name: r.Name, Old: r.Old, New: r.New}
	}
	zl := zerolog.New(&buf)
	zl.Log().
		Str("time", t.UTC().Format(TimeFormat)).
		Str("event", EventLanded).
		Str("platform", clean(e.Platform, maxField)).
		Str("repo", clean(e.Repo, maxField)).
		Str("pusher", clean(e.Pusher, maxField)).
		Str("protocol", clean(e.Protocol, maxField)).
		Array("refs", refList(refs)).
		Str("pushguard_version", clean(e.Version, maxField)).
		Send()
	if buf.Len() == 0 {
		return nil, errors.New("audit record not encoded: zerolog is disabled globally")
	}
	return buf.Bytes(), nil
}
