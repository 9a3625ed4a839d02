#!/usr/bin/env python3
"""Write the secret-rule evaluation corpus under testdata/secrets-eval/corpus/.

positives/: one or more samples per provider token format (the shapes of the
specs in fam_*.py and of the rules of secrets.yml in existing.py), each a
line of a realistic file: .env, YAML config, CI workflow, JSON, Python, Go,
JavaScript, Kubernetes Secret (stringData, and data: base64), docker-compose,
Terraform, Java properties, shell. positives.tsv lists path, line, family
and the rule the sample was written for.

negatives/: lines that must not block: documentation placeholders of every
format, hashes (sha1, sha256, md5, sha512 integrity, go.sum), UUIDs, test
fixtures, minified JavaScript, base64 images, certificates, public keys.
negatives.tsv lists path, line and kind.

Bodies are random with fixed seeds: the same specs give the same corpus;
no sample is a real credential. Usage: python3 gen/corpus.py
"""

import base64
import hashlib
import importlib
import os
import random
import re
import shutil
import string
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import existing  # noqa: E402
import fmt  # noqa: E402
import spec  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "corpus")
FAMILIES = ["cloud", "devtools", "ai", "payments", "comms", "saas"]


def words(alias):
    return re.sub(r"[^A-Za-z0-9 ]", " ", alias).split()


SUFFIXES = [("API", "KEY"), ("TOKEN",), ("SECRET",), ("AUTH", "TOKEN"), ("ACCESS", "KEY"), ("SECRET", "KEY")]


def keyname(alias, style, rng):
    ws = (words(alias) if alias else ["SERVICE"]) + list(rng.choice(SUFFIXES))
    if style == "UPPER":
        return "_".join(w.upper() for w in ws)
    if style == "snake":
        return "_".join(w.lower() for w in ws)
    if style == "camel":
        return ws[0].lower() + "".join(w.capitalize() for w in ws[1:])
    if style == "kebab":
        return "-".join(w.lower() for w in ws)
    if style == "dotted":
        return ".".join(w.lower() for w in ws)
    raise ValueError(style)


# A context: the file, its header lines, and how a (key, token) pair is written.
CONTEXTS = [
    ("positives/.env", [], "UPPER", lambda k, v: "%s=%s" % (k, v)),
    ("positives/config/settings.yaml", ["service:", "  name: orders", "  credentials:"], "snake", lambda k, v: "    %s: %s" % (k, v)),
    ("positives/.github/workflows/deploy.yml", ["name: deploy", "on: [push]", "jobs:", "  deploy:", "    runs-on: ubuntu-latest", "    env:"], "UPPER", lambda k, v: '      %s: "%s"' % (k, v)),
    ("positives/config/app.json", ["{"], "camel", lambda k, v: '  "%s": "%s",' % (k, v)),
    ("positives/src/settings.py", ["import os", ""], "UPPER", lambda k, v: '%s = os.environ.get("%s", "%s")' % (k, k, v)),
    ("positives/cmd/server/main.go", ["package main", ""], "camel", lambda k, v: '\t%s := "%s"' % (k, v)),
    ("positives/web/src/api.js", ["// API clients"], "camel", lambda k, v: "const %s = '%s';" % (k, v)),
    ("positives/deploy/k8s/secret.yaml", ["apiVersion: v1", "kind: Secret", "metadata:", "  name: app-secrets", "type: Opaque", "stringData:"], "UPPER", lambda k, v: '  %s: "%s"' % (k, v)),
    ("positives/docker-compose.yml", ["services:", "  app:", "    image: acme/app:1.4", "    environment:"], "UPPER", lambda k, v: "      - %s=%s" % (k, v)),
    ("positives/infra/terraform.tfvars", [], "snake", lambda k, v: '%s = "%s"' % (k, v)),
    ("positives/src/main/resources/application.properties", [], "dotted", lambda k, v: "%s=%s" % (k, v)),
    ("positives/scripts/deploy.sh", ["#!/bin/sh", "set -eu"], "kebab", lambda k, v: "./bin/deploy --%s %s --region eu-west-1" % (k, v)),
]


class Writer:
    def __init__(self):
        self.files = {}
        self.rows = []

    def add(self, path, header, line, row):
        lines = self.files.setdefault(path, list(header))
        lines.append(line)
        self.rows.append((path, len(lines)) + row)

    def write(self, manifest, cols):
        for path, lines in self.files.items():
            full = os.path.join(OUT, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                f.write("\n".join(lines) + "\n")
        with open(os.path.join(OUT, manifest), "w") as f:
            f.write("\t".join(("path", "line") + cols) + "\n")
            for r in self.rows:
                f.write("\t".join(str(x) for x in r) + "\n")


def all_specs():
    out = []
    for fam in FAMILIES:
        mod = importlib.import_module("fam_" + fam)
        for s in mod.RULES:
            out.append((fam, s))
    return out


def positives(rng):
    w = Writer()
    samples = []  # (family, rule, token, alias, raw line or None)
    for fam, s in all_specs():
        if s.sev != "block":
            continue
        if s.noauto:
            for m in s.extra_match:
                samples.append((fam, s.id, None, None, m))
            continue
        for i, shape in enumerate(s.shapes):
            tok = fmt.make(shape, fmt.rng_for(s.id, "eval|%d" % i))
            samples.append((fam, s.id, tok, s.ctx[0] if s.ctx else None, None))
    for rid, fam, shape, alias in existing.E:
        tok = fmt.make(shape, fmt.rng_for(rid, "eval|" + shape))
        samples.append((fam, rid, tok, alias, None))
    # Harder contexts for formats known by their provider's name: the name in
    # a parent YAML key or a parent JSON object, not in the key itself.
    nested = 0
    for fam, rid, tok, alias, raw in list(samples):
        if alias is None or raw is not None:
            continue
        ws = words(alias)
        if nested % 2 == 0:
            lines = w.files.setdefault("positives/config/services.yaml", ["services:"])
            lines.append("  %s:" % "_".join(x.lower() for x in ws))
            lines.append("    %s: %s" % (rng.choice(["api_key", "token", "secret", "auth_token", "access_key"]), tok))
            w.rows.append(("positives/config/services.yaml", len(lines), fam, rid))
        else:
            w.add("positives/config/services.json", ["{"], '  "%s": {"region": "eu", "apiKey": "%s"},' % (ws[0].lower() + "".join(x.capitalize() for x in ws[1:]), tok), (fam, rid))
        nested += 1
    k8s = []
    for n, (fam, rid, tok, alias, raw) in enumerate(samples):
        if raw is not None:
            w.add("positives/misc/%s.txt" % fam, [], raw, (fam, rid))
            continue
        path, header, style, fn = CONTEXTS[n % len(CONTEXTS)]
        if alias is None and style == "kebab":
            line = 'curl -sf -H "Authorization: Bearer %s" https://api.internal.example.net/v1/deploy' % tok
        else:
            line = fn(keyname(alias, style, rng), tok)
        w.add(path, header, line, (fam, rid))
        if alias is None and n % 4 == 0:
            k8s.append((fam, rid, tok))
    # Kubernetes Secret data: values are base64 of the secret (issue 11, item 4).
    hdr = ["apiVersion: v1", "kind: Secret", "metadata:", "  name: app-secrets-b64", "type: Opaque", "data:"]
    for i, (fam, rid, tok) in enumerate(k8s):
        w.add("positives/deploy/k8s/secret-data.yaml", hdr, "  KEY_%d: %s" % (i, base64.b64encode(tok.encode()).decode()), ("k8s-base64", rid))
    cfg = '{"auths":{"registry.acme.io":{"auth":"%s"}}}' % base64.b64encode(("ci:" + fmt.make("{an:32}", rng)).encode()).decode()
    hdr2 = ["apiVersion: v1", "kind: Secret", "metadata:", "  name: regcred", "type: kubernetes.io/dockerconfigjson", "data:"]
    w.add("positives/deploy/k8s/regcred.yaml", hdr2, "  .dockerconfigjson: %s" % base64.b64encode(cfg.encode()).decode(), ("k8s-base64", "docker-config-auth"))
    w.write("positives.tsv", ("family", "rule"))
    return len(w.rows)


def rand_b64(rng, n):
    return base64.b64encode(bytes(rng.getrandbits(8) for _ in range(n))).decode()


def negatives(rng):
    w = Writer()
    # Documentation placeholders of every format, in .env.example and docs.
    for fam, s in all_specs():
        for shape in s.shapes[:2]:
            for form in (fmt.placeholder(shape), fmt.xs(shape)):
                k = keyname(s.ctx[0] if s.ctx else s.name, "UPPER", rng)
                w.add("negatives/.env.example", ["# copy to .env and fill in"], "%s=%s" % (k, form), ("placeholder",))
            k = keyname(s.ctx[0] if s.ctx else s.name, "snake", rng)
            w.add("negatives/docs/configuration.md", ["# Configuration", ""], "Set `%s` to your token, e.g. `%s: <your-%s>`." % (k, k, s.id), ("placeholder",))
            pre = next(fmt._fields(shape))
            if pre[0] == "lit" and len(pre[1]) >= 3:
                w.add("negatives/docs/tokens.md", ["# Tokens", ""], "| %s | `%s…` | `%sYourTokenHere` |" % (s.name, pre[1], pre[1]), ("placeholder",))
    for line in ["SLACK_TOKEN=xoxb-YourTokenHere", "SLACK_USER_TOKEN=xoxp-…-####", "token: xoxp-123456789012-123456789012-123456789012-################################",
                 "ANTHROPIC_API_KEY=sk-ant-api03-abc123xyz…", "ANTHROPIC_API_KEY=sk-ant-api03-" + ("abc123xyz" * 11)[:95] + "AA",
                 "OPENAI_API_KEY=sk-a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6", "GITHUB_TOKEN=ghp_a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6",
                 '"private_key": "-----BEGIN PRIVATE KEY-----\\n-----END PRIVATE KEY-----\\n"', "-----BEGIN OPENSSH PRIVATE KEY----- -----END OPENSSH PRIVATE KEY-----",
                 'const firebaseConfig = { apiKey: "AIzaSyDOCAbC123dEf456GhI789jKl012-MnO", authDomain: "project-id.firebaseapp.com" };',
                 "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                 "STRIPE_SECRET_KEY=sk_live_" + "x" * 24, "TWILIO_AUTH_TOKEN=your_auth_token", "DATADOG_API_KEY=<DATADOG_API_KEY>",
                 "NEW_RELIC_LICENSE_KEY=${NEW_RELIC_LICENSE_KEY}", "SENDGRID_API_KEY={{ sendgrid_api_key }}", "api_key: !vault |"]:
        w.add("negatives/docs/placeholders.md", ["# Placeholders from READMEs", ""], line, ("placeholder",))
    # Hashes.
    for i in range(60):
        data = ("blob %d" % i).encode() + bytes(rng.getrandbits(8) for _ in range(16))
        w.add("negatives/.git-blame-ignore-revs", ["# formatting commits"], hashlib.sha1(data).hexdigest(), ("sha1",))
        w.add("negatives/checksums/SHA256SUMS", [], "%s  dist/app-%d.tar.gz" % (hashlib.sha256(data).hexdigest(), i), ("sha256",))
        w.add("negatives/checksums/md5.txt", [], "MD5 (asset-%d.bin) = %s" % (i, hashlib.md5(data).hexdigest()), ("md5",))
        w.add("negatives/package-lock.json", ['{', '  "lockfileVersion": 3,'],
              '      "integrity": "sha512-%s"' % base64.b64encode(hashlib.sha512(data).digest()).decode(), ("integrity",))
        w.add("negatives/go.sum", [], "github.com/acme/mod%d v1.%d.0 h1:%s" % (i, i, base64.b64encode(hashlib.sha256(data).digest()).decode()), ("go.sum",))
        w.add("negatives/Dockerfile", [], "FROM registry.acme.io/base/img%d@sha256:%s" % (i, hashlib.sha256(data + b"d").hexdigest()), ("digest",))
        w.add("negatives/config/commits.yaml", ["pins:"], "  - commit_sha: %s" % hashlib.sha1(data + b"c").hexdigest(), ("sha1",))
        w.add("negatives/Cargo.lock", [], 'checksum = "%s"' % hashlib.sha256(data + b"k").hexdigest(), ("sha256",))
    # UUIDs in neutral keys.
    for i in range(80):
        u = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        w.add("negatives/data/ids.json", ["["], '  {"requestId": "%s", "tenantId": "%s"},' % (u, str(uuid.UUID(int=rng.getrandbits(128), version=4))), ("uuid",))
        w.add("negatives/src/migrations.py", [], 'MIGRATION_ID = "%s"' % u, ("uuid",))
    # Test fixtures with fake, obviously marked values.
    for fam, s in all_specs()[::3]:
        shape = s.shapes[0] if s.shapes else None
        if not shape:
            continue
        w.add("negatives/tests/fixtures/config.yaml", ["# fixture"], "  %s: %s" % (keyname(s.ctx[0] if s.ctx else "fake", "snake", rng), fmt.xs(shape)), ("fixture",))
        w.add("negatives/tests/test_config.py", ["import pytest", ""], 'assert mask("%s") == "****"' % fmt.placeholder(shape), ("fixture",))
    # Minified JavaScript.
    idents = ["".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(1, 3))) for _ in range(400)]
    for i in range(60):
        parts = []
        for _ in range(30):
            a, b, c = rng.choice(idents), rng.choice(idents), rng.choice(idents)
            parts.append(rng.choice(["%s.%s=function(%s){return %s.%s}" % (a, b, c, c, a), "var %s=%s(%d)" % (a, b, rng.randint(0, 99999)),
                                     '%s["%s"]="%s"' % (a, b, "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(6, 16)))),
                                     "if(!%s)throw new Error(\"%s\")" % (a, b), '%s.src="/static/js/chunk.%s.js"' % (a, hashlib.md5(bytes([i, len(parts)])).hexdigest()[:8])]))
        w.add("negatives/dist/app.min.js", [], ";".join(parts) + ";", ("minified-js",))
    # base64 images, certificates and public keys.
    for i in range(30):
        w.add("negatives/web/styles.css", [], ".icon-%d{background:url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA%s)}" % (i, rand_b64(rng, rng.randint(150, 900))), ("base64-image",))
        w.add("negatives/keys/authorized_keys", [], "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI%s deploy-%d@ci" % (rand_b64(rng, 32)[:43], i), ("public-key",))
        w.add("negatives/certs/ca.pem", ["-----BEGIN CERTIFICATE-----"], rand_b64(rng, 48), ("certificate",))
    w.write("negatives.tsv", ("kind",))
    return len(w.rows)


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    rng = random.Random("secrets-eval-corpus")
    print("positives: %d" % positives(rng))
    print("negatives: %d" % negatives(rng))


if __name__ == "__main__":
    main()
