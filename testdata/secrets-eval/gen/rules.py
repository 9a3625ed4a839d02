#!/usr/bin/env python3
"""Write rules/secrets-<family>.yml from the specs in fam_<family>.py.

Usage: python3 testdata/secrets-eval/gen/rules.py [family...]
Deterministic: the same specs give the same files (fixed seeds).
"""

import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spec  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
FAMILIES = ["cloud", "devtools", "ai", "payments", "comms", "saas"]


def main(argv):
    fams = argv or [f for f in FAMILIES if os.path.exists(os.path.join(os.path.dirname(__file__), "fam_%s.py" % f))]
    for fam in fams:
        mod = importlib.import_module("fam_" + fam)
        spec.write(os.path.join(ROOT, "rules", "secrets-%s.yml" % fam), fam, mod.HEADER, mod.RULES)
        print("rules/secrets-%s.yml: %d rules" % (fam, len(mod.RULES)))


if __name__ == "__main__":
    main(sys.argv[1:])
