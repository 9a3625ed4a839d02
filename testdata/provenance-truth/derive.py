#!/usr/bin/env python3
"""Derive AI-provenance truth candidates from `git log` of real repositories.

Independent of pushguard: this script does not import, run or read
pushguard's classifier or rules/ai-tools.yml. It reads the raw log of every
commit (git log --all --format='%H%x1f%an%x1f%ae%x1f%cn%x1f%ce%x1f%B%x1e')
and applies its own evidence list, written from the survey described in
README.md (identities, co-authors, tool footers, bot accounts). The output
(one line per labelled commit: repo, commit, label, why) is then reviewed by
hand; the reviewed result is truth.tsv.

Labels: a tool id, "declared" (AI use declared, tool not determinable),
"ambiguous" (excluded from recall and false-positive counts), "bot" (a
non-AI automation account: must never be flagged). Commits not listed are
human.

Usage: derive.py REPO_NAME=LOGFILE ...   (writes TSV on stdout)
"""
import re
import sys

NB = r'(?:\d+\+)?'  # GitHub noreply numeric prefix

def addr(a):
    return re.compile(r'(?i)<\s*' + a + r'\s*>')

# (tool, why, regex over "author <email>" / "committer <email>")
IDENTITY = [
    ('claude-code', 'author/committer Claude (noreply@anthropic.com)', r'(?i)<noreply@anthropic\.com>'),
    ('claude-code', 'author/committer claude@anthropic.com', r'(?i)<claude@anthropic\.com>'),
    ('claude-code', 'author/committer claude[bot]', r'(?i)<' + NB + r'claude\[bot\]@'),
    ('claude-code', 'author anthropic-code-agent[bot] (Claude on the GitHub agent platform)', r'(?i)anthropic-code-agent\[bot\]'),
    ('aider', 'author/committer name ends with (aider)', r'(?i)\(aider\) <'),
    ('aider', 'author aider address', r'(?i)<(aider@aider\.chat|noreply@aider\.(dev|chat))>'),
    ('github-copilot', 'author copilot-swe-agent[bot] / Copilot', r'(?i)<' + NB + r'(copilot|copilot-swe-agent\[bot\])@users\.noreply\.github\.com>'),
    ('github-copilot', 'author Copilot <copilot@github.com>', r'(?i)<copilot@github\.com>'),
    ('cursor', 'author Cursor Agent', r'(?i)<cursoragent@cursor\.com>'),
    ('cursor', 'author cursor[bot]', r'(?i)<' + NB + r'cursor\[bot\]@'),
    ('openai-codex', 'author Codex (openai.com)', r'(?i)<(codex|noreply)@openai\.com>'),
    ('openai-codex', 'author chatgpt-codex-connector[bot]', r'(?i)chatgpt-codex-connector\[bot\]@'),
    ('devin', 'author devin-ai-integration[bot]', r'(?i)devin-ai-integration\[bot\]@'),
    ('google-jules', 'author google-labs-jules[bot]', r'(?i)google-labs-jules\[bot\]@'),
    ('gemini', 'author gemini-code-assist[bot] / gemini-cli[bot]', r'(?i)<' + NB + r'gemini-(code-assist|cli)\[bot\]@'),
    ('openhands', 'author openhands@all-hands.dev', r'(?i)<openhands(-claude)?@all-hands\.dev>'),
    ('openhands', 'author OpenDevin address', r'(?i)<opendevin@(all-hands\.dev|opendevin\.ai)>'),
    ('openhands', 'author openhands-agent', r'(?i)openhands-agent@users'),
    ('roo-code', 'author Roo Code cloud agent roomote', r'(?i)<(roomote@roocode\.com|' + NB + r'roomote(-v0)?\[bot\]@users\.noreply\.github\.com)>'),
    ('roo-code', 'author agent name on chris@roocode.com (Roomote/Roo Code)', r'(?i)^(roo code|roomote( bot| agent)?) <chris@roocode\.com>'),
    ('cline', 'author Cline Agent / cline-cloud[bot] / cline[bot]', r'(?i)<(cline-agent@users\.noreply\.github\.com|' + NB + r'cline(-cloud)?\[bot\]@users\.noreply\.github\.com)>'),
    ('cline', 'author cline <cline@cline.bot> (Cline CLI identity)', r'(?i)^cline <cline@cline\.bot>'),
    ('continue', 'author Continue Agent', r'(?i)<(agent|noreply)@continue\.dev>'),
    ('crush', 'author Crush', r'(?i)<crush@charm\.land>'),
    ('amp', 'author Amp', r'(?i)<amp@ampcode\.com>'),
    ('ellipsis', 'author ellipsis-dev[bot]', r'(?i)ellipsis-dev\[bot\]@'),
    ('cubic', 'author cubic-dev-ai[bot]', r'(?i)cubic-dev-ai\[bot\]@'),
    ('greptile', 'author greptile-apps[bot]', r'(?i)greptile-apps\[bot\]@'),
    ('coderabbit', 'author coderabbitai[bot]', r'(?i)coderabbitai\[bot\]@'),
    ('continue', 'author continue[bot] (the Continue agent\'s GitHub App)', r'(?i)<' + NB + r'continue\[bot\]@'),
    ('warp-oz', 'author Oz (Warp)', r'(?i)<oz-agent@warp\.dev>'),
    ('kiro', 'author Kiro Agent', r'(?i)kiro-agent@users'),
]

# (tool, why, regex over the whole message; trailers may be anywhere,
# indented, flattened or written with a literal \n)
MESSAGE = [
    ('claude-code', 'co-author noreply@anthropic.com', r'(?i)co-?authored-?by\s*:[^\n]*noreply@anthropic\.com'),
    ('claude-code', 'co-author claude@anthropic.com', r'(?i)co-?authored-?by\s*:[^\n]*claude@anthropic\.com'),
    ('claude-code', 'co-author claude[bot]', r'(?i)co-?authored-?by\s*:[^\n]*claude\[bot\]@'),
    ('claude-code', 'Generated with Claude Code footer', r'(?i)generated with \[?claude code'),
    ('claude-code', 'Claude-Session trailer', r'(?i)claude-session:\s*https://claude\.'),
    ('aider', 'co-author aider', r'(?i)co-?authored-?by\s*:[^\n]*(aider@aider\.chat|noreply@aider\.(dev|chat))'),
    ('aider', 'subject prefix aider:', r'\Aaider: '),
    ('github-copilot', 'co-author Copilot', r'(?i)co-?authored-?by\s*:[^\n]*(' + NB + r'copilot(-swe-agent\[bot\])?@users\.noreply\.github\.com|copilot@github\.com)'),
    ('github-copilot', 'co-author Copilot Autofix (github-advanced-security[bot])', r'(?i)co-?authored-?by\s*:[^\n]*(copilot autofix|github-advanced-security\[bot\])'),
    ('cursor', 'co-author Cursor', r'(?i)co-?authored-?by\s*:[^\n]*(cursoragent@cursor\.com|cursor@agent)'),
    ('cursor', 'Made-with: Cursor', r'(?i)made-with:\s*cursor'),
    ('openai-codex', 'co-author Codex', r'(?i)co-?authored-?by\s*:[^\n]*((codex|noreply)@openai\.com|codex@agent|chatgpt-codex-connector)'),
    ('devin', 'co-author Devin', r'(?i)co-?authored-?by\s*:[^\n]*devin-ai-integration'),
    ('google-jules', 'co-author Jules', r'(?i)co-?authored-?by\s*:[^\n]*google-labs-jules'),
    ('gemini', 'co-author gemini-code-assist[bot] (committed review suggestion)', r'(?i)co-?authored-?by\s*:[^\n]*gemini-code-assist\[bot\]'),
    ('gemini', 'co-author Gemini without an address', r'(?im)co-?authored-?by\s*:\s*gemini\b(?!-cli-robot)[^@\n]*$'),
    ('gemini', 'Signed-off-by: Gemini (no address or a placeholder one)', r'(?im)signed-off-by:\s*gemini\b([^@\n]*|[^<\n]*<[^>@\n]*@example\.com>)$'),
    ('gemini', 'co-author gemini-cli[bot] (the Gemini CLI agent contributed to the squashed PR)', r'(?i)co-?authored-?by\s*:[^\n]*gemini-cli\[bot\]@'),
    ('gemini', 'co-author Gemini on noreply@google.com', r'(?im)co-?authored-?by\s*:\s*gemini\b[^\n<]*<noreply@google\.com>'),
    ('gemini', 'co-author gemini@google.com', r'(?i)co-?authored-?by\s*:[^\n]*gemini@google\.com'),
    ('openhands', 'co-author openhands', r'(?i)co-?authored-?by\s*:[^\n]*(openhands(-claude)?@all-hands\.dev|opendevin@)'),
    ('roo-code', 'co-author roomote', r'(?i)co-?authored-?by\s*:[^\n]*(roomote@roocode\.com|roomote(-v0)?\[bot\])'),
    ('cline', 'co-author Cline agent', r'(?i)co-?authored-?by\s*:[^\n]*(cline-agent@users|cline(-cloud)?\[bot\])'),
    ('continue', 'co-author / footer Continue', r'(?i)(co-?authored-?by\s*:[^\n]*noreply@continue\.dev|generated with \[?continue\]?\(?https://continue\.dev)'),
    ('crush', 'Crush co-author / footer / Assisted-by', r'(?im)(crush@charm\.land|generated with crush|^assisted-by:[^\n]*\bcrush\b)'),
    ('claude-flow', 'co-author claude-flow', r'(?i)co-?authored-?by\s*:\s*claude-flow\b'),
    ('amp', 'Amp thread / co-author', r'(?i)(amp-thread-id:|co-?authored-?by\s*:[^\n]*amp@ampcode\.com)'),
    ('ellipsis', 'co-author ellipsis-dev[bot] (committed review suggestion)', r'(?i)co-?authored-?by\s*:[^\n]*ellipsis-dev\[bot\]'),
    ('cubic', 'co-author cubic-dev-ai[bot] (committed review suggestion)', r'(?i)co-?authored-?by\s*:[^\n]*cubic-dev-ai\[bot\]'),
    ('greptile', 'co-author greptile-apps[bot] (committed review suggestion)', r'(?i)co-?authored-?by\s*:[^\n]*greptile-apps\[bot\]'),
    ('coderabbit', 'co-author coderabbitai[bot] (committed review suggestion)', r'(?i)co-?authored-?by\s*:[^\n]*coderabbitai\[bot\]'),
    ('opencode', 'opencode footer / co-author', r'(?i)(generated with \[?opencode|co-?authored-?by\s*:[^\n]*opencode)'),
    ('factory-droid', 'Factory Droid co-author', r'(?i)co-?authored-?by\s*:[^\n]*(factory-droid|droid@factory\.ai)'),
    ('qwen-code', 'Qwen Code co-author / footer', r'(?i)(co-?authored-?by\s*:[^\n]*qwen[- ]?code|generated with \[?qwen code)'),
    ('warp-oz', 'co-author Oz (Warp)', r'(?i)co-?authored-?by\s*:[^\n]*oz-agent@warp\.dev'),
    ('roo-code', 'co-author Roo Code agent on chris@roocode.com', r'(?i)co-?authored-?by\s*:\s*(roo code|roomote( bot| agent)?) <chris@roocode\.com>'),
    ('roo-code', 'co-author Roo Code Translate Mode (an AI mode)', r'(?i)co-?authored-?by\s*:\s*roo code translate mode'),
    ('openai-codex', 'AI-assisted: Codex', r'(?im)^(ai-assisted|assisted-by):\s*codex\b'),
    ('declared', 'Generated-By: PostHog Code / PostHog Desktop (PostHog AI agent)', r'(?im)^generated-by:\s*posthog (code|desktop)'),
    ('continue', 'co-author continue[bot] (the Continue agent contributed to the squashed PR)', r'(?i)co-?authored-?by\s*:[^\n]*continue\[bot\]@'),
    ('declared', 'co-author names a model without an address', r'(?im)^co-?authored-?by\s*:\s*(claude|gpt|gemini)[\w .-]*$'),
    ('crush', 'footer Generated with termai (Crush under its first name)', r'(?i)generated with termai'),
    ('sisyphus', 'co-author Sisyphus agent', r'(?i)co-?authored-?by\s*:[^\n]*sisyphuslabs\.ai'),
    ('gemini', 'message says generated by Gemini Code', r'(?i)generated by yours truly[^\n]*gemini'),
    ('orbis-security', 'OrbisAI Security automated fix', r'(?i)generated by (orbis ?(security )?ai|orbisai security)'),
    ('declared', 'Assisted-by names a model, not a tool', r'(?im)^\s*assisted-by:\s*(openai|claude|gpt|gemini|glm|kimi|qwen|deepseek)'),
]

# Non-AI automation: must never be flagged.
BOTS = r'(?i)(dependabot(\[bot\])?|renovate(\[bot\])?|github-actions(\[bot\])?|gemini-cli-robot|snyk-bot|semantic-release-bot|pyup-bot|ansibot|hashibot|hashicorp-[a-z-]+\[bot\]|tf-release-bot|tscircuitbot|tscircuit[- ]bot|ghostty-vouch\[bot\]|cloudflare-workers-and-pages\[bot\]|changeset-bot|release-please\[bot\]|allcontributors\[bot\]) <'

# Reviewed exceptions: identities an AI tool's address is shared with but
# whose commits are not AI work.
NOT_AI = [
    ('bot', 'OpenHands lint-fix workflow (OpenHands Bot), no AI work', r'(?i)^openhands bot <openhands@all-hands\.dev>'),
]

# The same, recognised by the message.
NOT_AI_MSG = [
    ('bot', 'OrbisAI Security dependency upgrade (a version bump, no generated code)', r'(?im)^automated dependency upgrade by orbisai security'),
]

AMBIGUOUS = [
    ('ambiguous', 'Merge Resolver identity: an automated merge tool, AI involvement not shown', r'(?i)merge-resolver@roo-code\.com'),
    ('ambiguous', 'OpenDevinBot <bot@opendevin.com>: early shared identity (lint fixes, merges), agent use not shown', r'(?i)<bot@opendevin\.com>'),
    ('ambiguous', 'self-chosen "Claude AGI" identity, no tool marker', r'(?i)claude-agi@example\.com'),
]

# Message-side ambiguity: bots whose committed changes may or may not be
# AI-written (documentation writers, security autofix, unknown agents).
AMBIGUOUS_MSG = [
    ('ambiguous', 'co-author mintlify[bot] (AI documentation writer, unverified)', r'(?i)co-?authored-?by\s*:[^\n]*mintlify\[bot\]'),
    ('ambiguous', 'co-author aikido-autofix[bot] (security autofix, AI use unverified)', r'(?i)co-?authored-?by\s*:[^\n]*aikido-autofix\[bot\]'),
    ('ambiguous', 'co-author MindFlow (unknown agent)', r'(?i)co-?authored-?by\s*:[^\n]*mindflo\.ai'),
]

# Cheap prefilter: a commit whose identities and message contain none of
# these words cannot match any rule above.
KEYWORDS = ('anthropic', 'claude', 'aider', 'copilot', 'cursor', 'openai', 'codex', 'devin', 'jules',
            'gemini', 'openhands', 'opendevin', 'roomote', 'roocode', 'roo-code', 'cline', 'continue',
            'crush', 'ruv@', 'ampcode', 'amp-thread', 'ellipsis', 'cubic', 'greptile', 'coderabbit',
            'opencode', 'droid', 'qwen', 'termai', 'sisyphus', 'orbis', 'assisted-by', 'mintlify',
            'aikido', 'mindflo', 'kiro', 'dependabot', 'renovate', 'github-actions', 'bot', 'advanced-security',
            'merge-resolver', 'tscircuit', 'hashicorp', 'release', 'made-with', 'oz-agent',
            'posthog', 'ai-assisted', 'co-author')

def records(path):
    data = open(path, encoding='utf-8', errors='replace').read()
    for rec in data.split('\x1e'):
        rec = rec.lstrip('\n')
        p = rec.split('\x1f')
        if len(p) < 6:
            continue
        yield p[0], p[1], p[2], p[3], p[4], p[5]

def main():
    ident = [(t, w, re.compile(r)) for t, w, r in IDENTITY]
    msgre = [(t, w, re.compile(r, re.M)) for t, w, r in MESSAGE]
    bots = re.compile(BOTS)
    notai = [(t, w, re.compile(r)) for t, w, r in NOT_AI]
    notaimsg = [(t, w, re.compile(r)) for t, w, r in NOT_AI_MSG]
    amb = [(t, w, re.compile(r)) for t, w, r in AMBIGUOUS]
    ambmsg = [(t, w, re.compile(r)) for t, w, r in AMBIGUOUS_MSG]
    for arg in sys.argv[1:]:
        repo, path = arg.split('=', 1)
        seen = set()
        for h, an, ae, cn, ce, msg in records(path):
            if h in seen:
                continue
            seen.add(h)
            people = ['%s <%s>' % (an, ae), '%s <%s>' % (cn, ce)]
            low = (people[0] + people[1] + msg).lower()
            if not any(k in low for k in KEYWORDS):
                continue
            text = msg.replace('\\n', '\n')
            labels = {}
            for t, w, r in notai:
                if r.search(people[0]):
                    labels[t] = w
            for t, w, r in notaimsg:
                if r.search(text):
                    labels[t] = w
            if not labels:
                for t, w, r in ident:
                    if any(r.search(p) for p in people):
                        labels.setdefault(t, w)
                for t, w, r in msgre:
                    if r.search(text):
                        labels.setdefault(t, w)
            if not labels:
                for t, w, r in amb:
                    if any(r.search(p) for p in people):
                        labels[t] = w
                for t, w, r in ambmsg:
                    if r.search(text):
                        labels[t] = w
            if not labels and bots.search(people[0]):
                labels['bot'] = 'non-AI automation account ' + an
            for t in sorted(labels):
                print('%s\t%s\t%s\t%s' % (repo, h, t, labels[t]))

if __name__ == '__main__':
    main()
