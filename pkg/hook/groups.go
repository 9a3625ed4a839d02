package hook

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/config"
	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// The policy of a ref applies to every commit that enters that ref,
// whether or not the repository already had it through another ref. The
// cheap way: a ref's policy is its profile — the scope that selects it (by
// repository, ref and pusher), that scope's mode, and which rules' own
// `refs:` conditions match it. A commit already reachable from an existing
// ref whose policy is at least as strict (every rule that applies on the
// pushed ref applies there too, and it is enforced, or the pushed ref is in
// audit mode) was checked under that policy when it entered that ref, so
// it needs no rescan. Pushed refs with the same profile are scanned
// together, each group excluding exactly the existing refs that cover it.
// Without scopes and `refs:` conditions every ref has the same profile and
// the push is one walk that excludes every existing ref, as before.

// profile is what decides a ref's policy, comparable.
type profile struct {
	scope int    // index of the matching scope, -1 for none
	mode  string // the scope's (or the configuration's) mode
	refs  string // which ref-conditioned rules match, as a bit string
}

// policyIndex computes profiles and the rules each profile enables.
type policyIndex struct {
	cfg      *config.Config
	pc       push.Context
	rules    []*ruleset.Rule
	refRules []*ruleset.Rule // the rules with a refs: condition
	applies  map[profile]*big.Int
}

func newPolicyIndex(cfg *config.Config, pc push.Context, rules []*ruleset.Rule) *policyIndex {
	ix := &policyIndex{cfg: cfg, pc: pc, rules: rules, applies: map[profile]*big.Int{}}
	for _, r := range rules {
		if r.RefScoped() {
			ix.refRules = append(ix.refRules, r)
		}
	}
	return ix
}

// profileOf returns the profile of ref, and a representative ref for it.
func (ix *policyIndex) profileOf(ref string) profile {
	p := ix.cfg.PolicyFor(ix.pc.Repo, ref, ix.pc.Pusher)
	pr := profile{scope: -1, mode: string(refMode(ix.pc, ref, p.Mode))}
	if p.Scope != nil {
		for i := range ix.cfg.Scopes {
			if &ix.cfg.Scopes[i] == p.Scope {
				pr.scope = i
			}
		}
	}
	if len(ix.refRules) > 0 {
		var b strings.Builder
		for _, r := range ix.refRules {
			if r.MatchRef(ref) {
				b.WriteByte('1')
			} else {
				b.WriteByte('0')
			}
		}
		pr.refs = b.String()
	}
	return pr
}

// enabled returns the set of rule indexes that apply under a profile (ref
// is any ref with that profile).
func (ix *policyIndex) enabled(pr profile, ref string) *big.Int {
	if s, ok := ix.applies[pr]; ok {
		return s
	}
	p := ix.cfg.PolicyFor(ix.pc.Repo, ref, ix.pc.Pusher)
	s := new(big.Int)
	for i, r := range ix.rules {
		if r.MatchRef(ref) && p.Applies(r.ID, r.Tags) {
			s.SetBit(s, i, 1)
		}
	}
	ix.applies[pr] = s
	return s
}

// covers reports whether an existing ref with profile e was checked at
// least as strictly as a pushed ref with profile p needs.
func (ix *policyIndex) covers(e profile, eRef string, p profile, pRef string) bool {
	if e == p {
		return true
	}
	if e.mode != string(config.ModeEnforce) && p.mode == string(config.ModeEnforce) {
		return false
	}
	es, ps := ix.enabled(e, eRef), ix.enabled(p, pRef)
	// ps ⊆ es
	return new(big.Int).AndNot(ps, es).Sign() == 0
}

// group is pushed refs that share a profile, and what their walk excludes.
type group struct {
	profile profile
	tips    []scan.Tip
	exclude []plumbing.Hash
	all     bool // exclude is every existing ref
	// listed: commits are the group's new commits, found from the
	// quarantine (pushedGroups) rather than by walking exclude.
	listed  bool
	commits []plumbing.Hash
}

func (g *group) hasRef(ref string) bool {
	for _, t := range g.tips {
		if t.Ref == ref {
			return true
		}
	}
	return false
}

// groups splits the ref updates of a push by profile. Deleted refs bring
// nothing in and form no group.
func (ix *policyIndex) groups(updates []push.Update, existing []gitstore.Ref) []*group {
	out, rep := ix.pushGroups(updates)
	if len(out) == 0 {
		return nil
	}
	// Existing refs by profile (HEAD is a name for another ref).
	type eref struct {
		pr   profile
		name string
		hash plumbing.Hash
	}
	ex := make([]eref, 0, len(existing))
	reviewRefs := false
	for _, e := range existing {
		if e.Name == "HEAD" {
			continue
		}
		if isReviewRef(e.Name) {
			// Written by the platform for a pull request, never a
			// check of its own: covers nothing.
			reviewRefs = true
			continue
		}
		ex = append(ex, eref{pr: ix.profileOf(e.Name), name: e.Name, hash: e.Hash})
	}
	for _, g := range out {
		g.all = !reviewRefs
		covered := map[profile]bool{}
		for _, e := range ex {
			c, ok := covered[e.pr]
			if !ok {
				c = ix.covers(e.pr, e.name, g.profile, rep[g.profile])
				covered[e.pr] = c
			}
			if c {
				g.exclude = append(g.exclude, e.hash)
			} else {
				g.all = false
			}
		}
	}
	sortGroups(out)
	return out
}

// pushGroups splits the ref updates of a push by profile, with a ref of
// each profile. Deleted refs bring nothing in and form no group.
func (ix *policyIndex) pushGroups(updates []push.Update) ([]*group, map[profile]string) {
	byProfile := map[profile]*group{}
	var out []*group
	rep := map[profile]string{}
	for _, u := range updates {
		if u.Deleted() {
			continue
		}
		pr := ix.profileOf(u.Ref)
		g := byProfile[pr]
		if g == nil {
			g = &group{profile: pr}
			byProfile[pr] = g
			rep[pr] = u.Ref
			out = append(out, g)
		}
		g.tips = append(g.tips, scan.Tip{Ref: u.Ref, Hash: tipHash(u)})
	}
	return out, rep
}

// sortGroups orders the groups for scanning.
func sortGroups(out []*group) {
	// The groups that carry the AI authorship notes first: the engine
	// keeps what they say for the commits of every later group. Then
	// enforced groups: under a time budget, what can reject is found first.
	// Then by ref name, for stable output.
	sort.SliceStable(out, func(i, j int) bool {
		ni := out[i].hasRef(scan.AINotesRef) || out[i].hasRef(scan.AgentTraceNotesRef)
		nj := out[j].hasRef(scan.AINotesRef) || out[j].hasRef(scan.AgentTraceNotesRef)
		if ni != nj {
			return ni
		}
		ei, ej := out[i].profile.mode == string(config.ModeEnforce), out[j].profile.mode == string(config.ModeEnforce)
		if ei != ej {
			return ei
		}
		return out[i].tips[0].Ref < out[j].tips[0].Ref
	})
}

// pushedGroups plans the scan of a push during pre-receive from the
// quarantine alone, without reading the repository's refs: the cost of a
// small push then does not grow with the number of refs or commits.
//
// Each group's new commits are the commits the push brought that its tips
// reach through pushed commits only (gitstore.Store.PushedCommits). That
// is exact when every commit where this walk leaves the pushed objects is
// the tip of an existing ref that covers the group (see covers): the old
// value of a pushed or deleted ref, or the branch HEAD names (a new branch
// made on the default branch). Then it is in the exclude list groups would
// compute, and no existing ref reaches a pushed commit. Annotated tags and
// non-commit tips must be pushed objects or such tips too.
//
// It returns nil when that does not hold for some group (a new branch on
// another branch's commit, a commit the server stored but no ref reached, a
// merge of a branch under a more relaxed policy, a repository without
// quarantine): the caller then reads the refs and walks.
func (ix *policyIndex) pushedGroups(store *gitstore.Store, updates []push.Update) ([]*group, error) {
	if !store.Quarantined() {
		return nil, nil
	}
	out, rep := ix.pushGroups(updates)
	if len(out) == 0 {
		return nil, nil
	}
	type known struct {
		ref  string
		hash plumbing.Hash
		pr   profile
	}
	var tips []known
	for _, u := range updates {
		if u.Created() || isReviewRef(u.Ref) || u.Ref == "HEAD" {
			continue
		}
		tips = append(tips, known{ref: u.Ref, hash: plumbing.NewHash(u.Old), pr: ix.profileOf(u.Ref)})
	}
	if name, h, ok, err := store.HeadRef(); err != nil {
		return nil, err
	} else if ok && !isReviewRef(name) {
		tips = append(tips, known{ref: name, hash: h, pr: ix.profileOf(name)})
	}
	for _, g := range out {
		covered := map[plumbing.Hash]bool{}
		for _, k := range tips {
			if !covered[k.hash] && ix.covers(k.pr, k.ref, g.profile, rep[g.profile]) {
				covered[k.hash] = true
				g.exclude = append(g.exclude, k.hash)
			}
		}
		ok := func(h plumbing.Hash) (bool, error) {
			if covered[h] {
				return true, nil
			}
			return store.Pushed(h)
		}
		var commitTips []plumbing.Hash
		for _, t := range g.tips {
			target, typ, tags, err := store.Peel(t.Hash)
			if err != nil {
				return nil, nil // the walk reports it, naming the ref
			}
			for _, tag := range tags {
				if p, err := ok(tag.Hash); err != nil || !p {
					return nil, err
				}
			}
			if typ != plumbing.CommitObject {
				if p, err := ok(target); err != nil || !p {
					return nil, err
				}
				continue
			}
			commitTips = append(commitTips, target)
		}
		commits, boundary, err := store.PushedCommits(commitTips)
		if err != nil {
			return nil, fmt.Errorf("list pushed commits: %w", err)
		}
		for _, b := range boundary {
			if !covered[b] {
				return nil, nil
			}
		}
		g.commits, g.listed, g.all = commits, true, true
	}
	sortGroups(out)
	return out, nil
}

// refPolicies is the verdict's view of the configuration: the scope and
// mode of each ref.
func refPolicies(cfg *config.Config, pc push.Context) func(string) verdict.RefPolicy {
	base := verdict.ConfigPolicy(cfg, pc.Repo, pc.Pusher)
	return func(ref string) verdict.RefPolicy {
		p := base(ref)
		p.Mode = verdict.Mode(refMode(pc, ref, config.Mode(p.Mode)))
		return p
	}
}

// scanGroups scans what each group of pushed refs brings in under its own
// policy, with one engine so that a blob pair examined for one group is
// not read again for another. The result holds each commit once. On an
// error the findings made so far are returned with it.
func (r *run) scanGroups(ctx context.Context, cfg *config.Config, pc push.Context, store *gitstore.Store, pol *Policy, updates []push.Update) (*scan.Result, error) {
	total := &scan.Result{}
	ix := newPolicyIndex(cfg, pc, pol.Rules.Rules)
	groups, err := ix.pushedGroups(store, updates)
	if err != nil {
		return total, err
	}
	var existing []gitstore.Ref
	if groups == nil {
		existing, err = store.Refs()
		if err != nil {
			return total, fmt.Errorf("list refs: %w", err)
		}
		groups = ix.groups(updates, existing)
	}
	if len(groups) == 0 {
		return total, nil
	}
	eng := scan.New(store, pol.Rules, scanOptions(cfg, pol))
	merged := newResults(total)
	allExcluded := true
	for _, g := range groups {
		allExcluded = allExcluded && g.all
		var res *scan.Result
		if g.listed {
			res, err = eng.RunListed(ctx, g.tips, g.exclude, g.commits)
		} else {
			res, err = eng.Run(ctx, g.tips, g.exclude)
		}
		merged.add(res)
		if err != nil {
			return total, err
		}
	}
	if !allExcluded {
		// Some commits were checked because they enter a stricter ref,
		// though the repository had them: count as new (audit, stats)
		// only those new to the repository.
		isNew, err := newToRepository(store, updates, existing)
		if err != nil {
			return total, err
		}
		r.isNew = isNew
	}
	return total, nil
}

// newToRepository returns the commits of the push that no existing ref
// reached.
func newToRepository(store *gitstore.Store, updates []push.Update, existing []gitstore.Ref) (map[plumbing.Hash]bool, error) {
	var tips, exclude []plumbing.Hash
	for _, u := range updates {
		if !u.Deleted() {
			tips = append(tips, tipHash(u))
		}
	}
	for _, e := range existing {
		exclude = append(exclude, e.Hash)
	}
	var commitTips []plumbing.Hash
	for _, t := range tips {
		target, typ, _, err := store.Peel(t)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", t, err)
		}
		if typ == plumbing.CommitObject {
			commitTips = append(commitTips, target)
		}
	}
	fresh, err := store.NewCommits(commitTips, exclude)
	if err != nil {
		return nil, fmt.Errorf("list new commits: %w", err)
	}
	isNew := make(map[plumbing.Hash]bool, len(fresh))
	for _, h := range fresh {
		isNew[h] = true
	}
	return isNew, nil
}

// Pull request refs. Gitea and Forgejo write refs/pull/<n>/head into the
// base repository themselves (GITEA_INTERNAL_PUSH=true) when a pull request
// is opened, reopened or its head branch moves, and answer a refusal with
// an HTTP 500 that carries no message (pull request creation), or only log
// it (updates). So pushguard records such a push and its findings and never
// rejects it: the head branch was checked when it was pushed (the fork's own
// hook, new repositories included: docs/install.md), and what enters a
// branch from a pull request is checked when it is merged, under that
// branch's policy. For that, a review ref never counts as an existing ref
// that already checked a commit (groups): a commit that only a pull request
// ref holds is checked again when it enters any branch. See docs/install.md.

// isReviewRef reports whether ref is one a platform writes for a pull or
// merge request (refs/pull/*, refs/merge-requests/*).
func isReviewRef(ref string) bool {
	return strings.HasPrefix(ref, "refs/pull/") || strings.HasPrefix(ref, "refs/merge-requests/")
}

// deferredRef reports whether the platform itself pushes ref for a pull
// request (Gitea/Forgejo internal push to refs/pull/*): it is checked in
// audit mode (recorded, never rejected), see above.
func deferredRef(pc push.Context, ref string) bool {
	return pc.Platform == push.PlatformGitea && pc.Internal && strings.HasPrefix(ref, "refs/pull/")
}

// refMode is the mode a ref is checked in: the configured one, or audit
// for a deferred pull request ref.
func refMode(pc push.Context, ref string, configured config.Mode) config.Mode {
	if deferredRef(pc, ref) {
		return config.ModeAudit
	}
	return configured
}
