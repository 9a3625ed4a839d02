"""Rule specs: one R(...) per token format, and how a spec becomes a rule
(regex, keywords, stopwords, entropy, tests) and evaluation samples.

A spec names the provider's documented token shapes (fmt.py syntax). A
prefixed shape ("sk-or-v1-{hex:64}") becomes a regex on its own; a spec with
ctx (provider aliases) matches a value of one of the shapes only where a key,
variable, header or flag names the provider and a credential word.
"""

import math
import re

import fmt

STOPWORDS = ["example", "xxxx", "sample", "dummy", "placeholder", "your", "tokenhere", "keyhere", "secrethere", "changeme",
             "redacted", "insert", "a1b2c3", "1a2b3c", "abc123", "12345678", "abcdefgh",
             "00000000", "****", "..."]

# Aliases that are everyday words of code or prose: their keywords are the
# alias as part of a key (segment_, segmentApiKey…), not the bare word.
COMMON_WORDS = {"segment", "circle", "circleci", "spaces", "checkout", "together", "elastic", "modal", "phrase",
                "hunter", "apollo", "packet", "vault", "consul", "drone", "sonar", "spark", "sauce", "harbor",
                "stream", "genie", "voyage", "kraken", "alpaca", "wasabi", "sanity", "cohere", "railway",
                "bunny", "percy", "cypress", "kibana", "twitch", "tweet", "twitter", "spotify", "shortcut",
                "clubhouse", "amplitude", "portkey", "render", "brave", "stripe", "square", "plaid", "postmark",
                "pusher", "recurly", "revolut", "webflow", "weaviate", "zendesk", "firebase", "ngrok", "nomad"}

CRED = r"(?:key|token|secret|pass(?:word)?|passwd|pwd|auth|cred|credentials?|pat|sig|signature)"


class R:
    def __init__(self, id, name, shapes, ctx=None, kw=None, sev="block", where=None, what="credential",
                 regex=None, match=(), nomatch=(), ent=None, desc=None, tags=(), eval_ctx=None,
                 noauto=False, terminator=None, pad=False, stop=(), allow=()):
        self.id, self.name, self.shapes = id, name, list(shapes)
        self.ctx, self.kw, self.sev, self.where, self.what = ctx, kw, sev, where, what
        self.regex_override, self.extra_match, self.extra_nomatch = regex, list(match), list(nomatch)
        self.ent, self.desc, self.tags, self.noauto, self.terminator = ent, desc, list(tags), noauto, terminator
        self.eval_ctx, self.pad, self.stop, self.allow = eval_ctx, pad, list(stop), list(allow)


def shape_regex(shape):
    out = []
    for f in fmt._fields(shape):
        if f[0] == "lit":
            out.append(re.escape(f[1]))
        elif f[1] == "uuid":
            out.append("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        elif f[1] == "UUID":
            out.append("[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
        else:
            n = f[2]
            if isinstance(n, tuple):
                q = "{%d,}" % n[0] if n[1] - n[0] > 16 else "{%d,%d}" % n
            else:
                q = "{%d}" % n
            out.append("[%s]%s" % (fmt.RECLASS[f[1]], q))
    return "".join(out)


def _term(spec):
    """The character after a token: one that cannot continue it (or the end)."""
    if spec.terminator:
        return spec.terminator
    extra = set()
    for s in spec.shapes:
        for f in fmt._fields(s):
            if f[0] == "cls" and f[1] in fmt.RECLASS:
                c = re.sub(r"[A-Za-z0-9]-[A-Za-z0-9]", "", fmt.RECLASS[f[1]])
                extra |= {ch for ch in c if not ch.isalnum()}
    if spec.pad:
        extra.add("=")
    body = "A-Za-z0-9" + "".join(sorted(ch for ch in extra if ch != "-")) + ("-" if "-" in extra else "")
    body = body.replace("/", "/")
    return "(?:[^%s]|$)" % body


def alias_re(a):
    return r"[_ .-]?".join(re.escape(w) for w in a.split(" "))


def alias_kw(a):
    ws = a.split(" ")
    if len(ws) == 1:
        return [a.lower()]
    return sorted({sep.join(ws).lower() for sep in ["", "_", "-", " ", "."]})


BOUNDARY = "(?:^|[^A-Za-z0-9])("
B64BOUNDARY = "(?:^|[^A-Za-z0-9+/])("


def _literal_head(rx):
    """The literal text a regex starts with (up to its first metacharacter)."""
    out = []
    i = 0
    while i < len(rx):
        c = rx[i]
        if c == "\\" and i + 1 < len(rx) and not rx[i + 1].isalnum():
            out.append(rx[i + 1])
            i += 2
            continue
        if c in "()[]{}|?*+.^$\\":
            break
        out.append(c)
        i += 1
    return "".join(out)


def _unbounded(rx):
    """A token regex without its left boundary when it starts with a literal
    of 4 or more characters: Go's regexp then finds candidates with a fast
    substring search instead of stepping through every byte of the line
    (a 100 kB line costs 0.1 s per rule otherwise). The prefix is distinctive
    enough on its own."""
    if rx.startswith(BOUNDARY):
        body = rx[len(BOUNDARY):]
        head = _literal_head(body)
        # a group of alternatives right after the boundary has no common head
        if len(head) >= 4 and not body.startswith("(?") and any(c in "_-.:~!$%" for c in head):
            return "(" + body
        if head.isalnum() or not head:
            # A letters-and-digits prefix (AKID, EZAK, eyJrIjoi, or a run of A)
            # also occurs inside base64 data (fonts, images): neither side of
            # the token may be a base64 character.
            return B64BOUNDARY + body.replace("(?:[^A-Za-z0-9]|$)", "(?:[^A-Za-z0-9+/]|$)")
    return rx


def regex(spec):
    if spec.regex_override:
        return _unbounded(spec.regex_override)
    val = "|".join(shape_regex(s) for s in spec.shapes)
    if spec.pad:
        val = "(?:%s)={0,2}" % val if len(spec.shapes) > 1 else val + "={0,2}"
    if spec.ctx:
        al = "|".join(alias_re(a) for a in spec.ctx)
        # The provider's name before or after the credential word in one key,
        # or as the key of an object on the same line ("sendgrid": {"apiKey": …}).
        # Unbounded repeats: a key cannot hold spaces anyway, and bounded ones
        # make the compiled program (and the hook's start) much larger.
        key = r"""(?i:(?:%s)[\w.-]*?%s|%s[\w.-]*?(?:%s)|(?:%s)[\w.-]*?["']?\s{0,3}[:=]\s{0,3}\{[^{}]*?%s)[\w.-]*""" % (al, CRED, CRED, al, al, CRED)
        # A type annotation may sit between key and value (Go var k string =,
        # TypeScript/Kotlin/Python k: string =); the operator may be :=, =>,
        # ::=, :::=, ?=, += (Make), .= (PHP) besides = and :, or the > of an
        # XML element (<algoliaApiKey>…</algoliaApiKey>).
        sep = r"""["'\]]{0,2}(?:\s*:\s*[A-Za-z_][\w.<>?]*|\s+(?:string|String|str))?\s{0,4}(?::{1,3}=|=>|[?+.]=|[:=,>]|\s)\s{0,4}(?:["'`]|(?i:bearer|token|basic)\s+)?"""
        return key + sep + "(" + val + ")" + _term(spec)
    return _unbounded(BOUNDARY + val + ")" + _term(spec))


def keywords(spec):
    if spec.kw:
        return spec.kw
    if spec.ctx:
        # The alias as a word of a key: followed or preceded by a separator
        # or a credential word. A bare alias ("lob", "modal") occurs in far
        # more lines (global, blob, modal dialogs) than keys naming it.
        out = []
        for a in spec.ctx:
            for v in alias_kw(a):
                if len(v) >= 6 and v not in COMMON_WORDS:
                    out.append(v)
                    continue
                out += [v + c for c in "_-.\"':="]
                out += [c + v for c in "_-."]
                out += [v + w for w in ("api", "key", "token", "secret", "auth", "pass", "pwd", "cred", "pat", "sig", "access", "client", "app")]
        return sorted(set(out))
    out = []
    for s in spec.shapes:
        f = next(fmt._fields(s))
        assert f[0] == "lit", (spec.id, s)
        out.append(f[1].lower())
    return sorted(set(out))


def min_entropy(spec):
    if spec.ent is not None:
        return spec.ent
    if not spec.ctx:
        return 3.0
    classes = {f[1] for s in spec.shapes for f in fmt._fields(s) if f[0] == "cls"}
    if classes <= {"d"}:
        return 2.5
    if classes <= {"hex", "HEX", "d", "uuid", "UUID"}:
        return 3.0
    return 3.3


def entropy(s):
    if not s:
        return 0.0
    n = len(s)
    counts = {}
    for ch in s.encode():
        counts[ch] = counts.get(ch, 0) + 1
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def clean(spec, tok):
    low = tok.lower()
    return not any(w in low for w in STOPWORDS + spec.stop) and entropy(tok) >= min_entropy(spec) + 0.15


def sample(spec, shape, salt, strict=True):
    """A random token of the shape for the rule's own tests: re-rolled until
    it is free of stopwords and well above the entropy floor."""
    for i in range(1000):
        tok = fmt.make(shape, fmt.rng_for(spec.id, "%s|%d" % (salt, i)))
        if clean(spec, tok) or (not strict and not any(w in tok.lower() for w in STOPWORDS)):
            return tok
    raise ValueError(spec.id)


def key_name(spec, style):
    a = (spec.ctx or [spec.name])[0]
    ws = re.sub(r"[^A-Za-z0-9 ]", " ", a).split()
    if style == "env":
        return "_".join(w.upper() for w in ws) + "_API_KEY"
    if style == "yaml":
        return "_".join(w.lower() for w in ws) + "_token"
    if style == "json":
        return ws[0].lower() + "".join(w.capitalize() for w in ws[1:]) + "Secret"
    if style == "header":
        return "X-" + "-".join(w.capitalize() for w in ws) + "-Token"
    if style == "flag":
        return "--" + "-".join(w.lower() for w in ws) + "-api-key"
    raise ValueError(style)


def in_context(spec, tok, style):
    if style == "env":
        return "%s=%s" % (key_name(spec, "env"), tok)
    if style == "yaml":
        return '  %s: "%s"' % (key_name(spec, "yaml"), tok)
    if style == "json":
        return '{"%s": "%s", "timeout": 30}' % (key_name(spec, "json"), tok)
    if style == "header":
        return 'curl -H "%s: %s" https://api.example.com/v1/' % (key_name(spec, "header"), tok)
    if style == "flag":
        return "deploy %s %s --yes" % (key_name(spec, "flag"), tok)
    if style == "code":
        return 'client = Client(token="%s")' % tok
    if style == "export":
        return 'export SERVICE_TOKEN="%s"' % tok
    if style == "govar":
        return 'var %s string = "%s"' % (key_name(spec, "json"), tok)
    if style == "ts":
        return 'const %s: string = "%s";' % (key_name(spec, "json"), tok)
    if style == "make":
        return "%s ?= %s" % (key_name(spec, "env"), tok)
    if style == "makecolon":
        return "%s ::= %s" % (key_name(spec, "env"), tok)
    if style == "append":
        return "%s += %s" % (key_name(spec, "env"), tok)
    if style == "php":
        return '$%s .= "%s";' % (key_name(spec, "json"), tok)
    if style == "xml":
        return "  <%s>%s</%s>" % (key_name(spec, "json"), tok, key_name(spec, "json"))
    raise ValueError(style)


def truncate(shape):
    """The shape with its longest random field cut to a third: too short to
    be a token. None for shapes without such a field (a bare UUID)."""
    parts = list(fmt._fields(shape))
    best, bn = None, 0
    for i, p in enumerate(parts):
        if p[0] == "cls" and p[1] not in ("uuid", "UUID"):
            n = p[2][0] if isinstance(p[2], tuple) else p[2]
            if n > bn:
                best, bn = i, n
    if best is None or bn < 6:
        return None
    parts[best] = ("cls", parts[best][1], bn // 3)
    out = []
    for p in parts:
        if p[0] == "lit":
            out.append(p[1])
        elif p[1] in ("uuid", "UUID"):
            out.append("{%s}" % p[1])
        else:
            out.append("{%s:%d}" % (p[1], p[2]))
    return "".join(out)


def tests(spec):
    match, nomatch = [], []
    if not spec.noauto:
        styles = ["env", "yaml", "json", "header", "flag"] if spec.ctx else ["env", "code", "yaml"]
        rot = sum(map(ord, spec.id)) % len(styles)
        for i, s in enumerate(spec.shapes[:4]):
            n = 3 if i == 0 else 1
            for j in range(n):
                st = styles[(rot + i + j) % len(styles)]
                match.append(in_context(spec, sample(spec, s, "t%d%d" % (i, j)), st))
        if spec.ctx:
            # One more assignment form per rule, in rotation.
            forms = ["govar", "ts", "make", "makecolon", "append", "php", "xml"]
            st = forms[sum(map(ord, spec.id)) % len(forms)]
            match.append(in_context(spec, sample(spec, spec.shapes[0], "f0"), st))
        s0 = spec.shapes[0]
        nomatch.append(in_context(spec, fmt.placeholder(s0), "env"))
        nomatch.append(in_context(spec, fmt.xs(s0), "yaml" if spec.ctx else "code"))
        if truncate(s0):
            nomatch.append(in_context(spec, sample(spec, truncate(s0), "short", strict=False), "env"))
        if spec.ctx:
            nomatch.append("build_cache_digest: %s" % sample(spec, s0, "t00"))
            nomatch.append("%s=${%s}" % (key_name(spec, "env"), key_name(spec, "env")))
    return match + spec.extra_match, nomatch + spec.extra_nomatch


def q(s):
    return "'" + s.replace("'", "''") + "'"


def flow(xs):
    return "[" + ", ".join(q(x) for x in xs) + "]"


def to_yaml(spec, family, anchored):
    where = spec.where or ("the %s console" % spec.name)
    ctxdesc = ""
    if spec.ctx:
        ctxdesc = " in a key, variable, header or flag that names it (%s)" % ", ".join(spec.ctx[:4])
    desc = spec.desc or ("%s%s." % (spec.name, ctxdesc))
    article = "An" if spec.name[0] in "AEIOUx" else "A"
    m, nm = tests(spec)
    tags = ["secret", family] + spec.tags
    lines = [
        "  - id: %s" % spec.id,
        "    description: %s" % q(desc),
        "    severity: %s" % spec.sev,
        "    tags: %s" % ("[" + ", ".join(tags) + "]"),
        "    message: %s" % q("%s %s is being pushed." % (article, spec.name)),
        "    help: |",
        "      Remove it from your commits and load it from the environment or a",
        "      secrets manager instead. Treat it as leaked: revoke it in",
        "      %s and create a new one. Then rewrite your" % where,
        "      branch so that no commit contains it (git rebase -i, or git commit",
        "      --amend for the last commit) and push again.",
        "    redact: true",
        "    content:",
        "      regex: %s" % q(regex(spec)),
        "      keywords: %s" % flow(keywords(spec)),
        "      stopwords: %s" % (flow(STOPWORDS + spec.stop) if spec.stop else ("*stopwords" if anchored else "&stopwords " + flow(STOPWORDS))),
    ] + (["      allow: %s" % flow(spec.allow)] if spec.allow else []) + [
        "      entropy: {min: %s, group: 1}" % min_entropy(spec),
        "    tests:",
        "      match:",
    ] + ["        - %s" % q(x) for x in m] + ["      nomatch:"] + ["        - %s" % q(x) for x in nm]
    return "\n".join(lines) + "\n"


def write(path, family, header, specs):
    seen = set()
    anchored = False
    with open(path, "w") as f:
        f.write(header.rstrip() + "\n#\n# Generated by testdata/secrets-eval/gen/rules.py from the specs in\n"
                "# testdata/secrets-eval/gen/fam_%s.py: edit the spec, not this file.\n"
                "# The first rule's stopwords (&stopwords) are shared by the others.\n\nrules:\n" % family)
        for s in specs:
            assert s.id not in seen, s.id
            seen.add(s.id)
            f.write("\n" + to_yaml(s, family, anchored))
            anchored = anchored or not s.stop
