"""Token shapes and random bodies for the secret-rule generator and the
evaluation corpus.

A shape is a string with {class:n} fields, e.g. "squ_{hex:40}". Bodies are
random (seeded per use), so no sample is a real credential.
"""

import random
import string
import uuid as _uuid

CLASSES = {
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "an": string.ascii_letters + string.digits,
    "AN": string.ascii_uppercase + string.digits,
    "ln": string.ascii_lowercase + string.digits,
    "b64": string.ascii_letters + string.digits + "+/",
    "url": string.ascii_letters + string.digits + "_-",
    "d": string.digits,
    "l": string.ascii_lowercase,
    "L": string.ascii_uppercase,
    "b32": "abcdefghijklmnopqrstuvwxyz234567",
    "B32": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    "Hh": "0123456789abcdefABCDEF",
    "tok": string.ascii_letters + string.digits + "_-.",
    "aqgw": "AQgw",
    "aeim": "AEIMQUYcgkosw048",
    "AD": "ABCD",
    "AL": "ABCDEFGHIJKL",
    "AP": "ABCDEFGHIJKLMNOP",
    "DH": "9DH",
    "hexpl": "0123456789abcdefghijklmnopqrstuv",
    "urlp": string.ascii_letters + string.digits + "_+-",
    "alpha": string.ascii_letters,
    "bech": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
    "azs": string.ascii_letters + string.digits + "_~.-",
}

# The regex character class of each field class.
RECLASS = {
    "hex": "0-9a-f", "HEX": "0-9A-F", "Hh": "0-9a-fA-F", "an": "A-Za-z0-9",
    "AN": "A-Z0-9", "ln": "a-z0-9", "b64": "A-Za-z0-9+/", "url": "A-Za-z0-9_-",
    "d": "0-9", "l": "a-z", "L": "A-Z", "b32": "a-z2-7", "B32": "A-Z2-7",
    "tok": "A-Za-z0-9_.-", "aqgw": "AQgw", "aeim": "AEIMQUYcgkosw048", "AD": "A-D",
    "AL": "A-L", "AP": "A-P", "DH": "9DH", "hexpl": "0-9a-v", "urlp": "A-Za-z0-9_+-",
    "alpha": "A-Za-z", "bech": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", "azs": "A-Za-z0-9_~.-",
}

# Placeholder bodies, as documentation writes them: sequences a stopword drops.
PLACE = {
    "hex": "a1b2c3d4e5f6",
    "HEX": "A1B2C3D4E5F6",
    "an": "a1b2c3d4e5f6",
    "AN": "A1B2C3D4E5F6",
    "ln": "a1b2c3d4e5f6",
    "b64": "a1b2c3d4e5f6",
    "url": "a1b2c3d4e5f6",
    "d": "1234567890",
    "l": "abcdefghij",
    "L": "ABCDEFGHIJ",
    "b32": "abcdefghij",
    "B32": "ABCDEFGHIJ",
    "Hh": "a1b2c3d4e5f6",
    "tok": "a1b2c3d4e5f6",
    "aqgw": "A", "aeim": "A", "AD": "A", "AL": "A", "AP": "A", "DH": "9", "hexpl": "a1b2c3d4e5f6", "urlp": "a1b2c3d4e5f6",
    "alpha": "abcdefghij", "bech": "QPZRY9X8GF", "azs": "a1b2c3d4e5f6",
}


def _fields(shape):
    """Yield ('lit', text) and ('cls', name, n) parts of a shape."""
    i = 0
    while i < len(shape):
        j = shape.find("{", i)
        if j < 0:
            yield ("lit", shape[i:])
            return
        if j > i:
            yield ("lit", shape[i:j])
        k = shape.index("}", j)
        name, _, n = shape[j + 1 : k].partition(":")
        lo, _, hi = n.partition(",")
        lo = int(lo) if lo else 0
        yield ("cls", name, (lo, int(hi)) if hi else lo)
        i = k + 1


def _rand_body(rng, alphabet, n):
    # Random bodies with at least one digit and one letter when the alphabet
    # has both, as real tokens of that length nearly always do.
    while True:
        s = "".join(rng.choice(alphabet) for _ in range(n))
        if n < 8:
            return s
        has_d = any(c.isdigit() for c in alphabet)
        has_l = any(c.isalpha() for c in alphabet)
        if (not has_d or any(c.isdigit() for c in s)) and (not has_l or any(c.isalpha() for c in s)):
            return s


def make(shape, rng):
    """A random token of the shape."""
    out = []
    for f in _fields(shape):
        if f[0] == "lit":
            out.append(f[1])
        elif f[1] == "uuid":
            out.append(str(_uuid.UUID(int=rng.getrandbits(128), version=4)))
        elif f[1] == "UUID":
            out.append(str(_uuid.UUID(int=rng.getrandbits(128), version=4)).upper())
        else:
            n = f[2]
            if isinstance(n, tuple):
                n = rng.randint(n[0], n[1])
            out.append(_rand_body(rng, CLASSES[f[1]], n))
    return "".join(out)


def placeholder(shape):
    """The shape filled the way documentation fills it (a1b2c3d4…)."""
    out = []
    for f in _fields(shape):
        if f[0] == "lit":
            out.append(f[1])
        elif f[1] in ("uuid", "UUID"):
            out.append("a1b2c3d4-e5f6-a1b2-c3d4-e5f6a1b2c3d4")
        else:
            seq = PLACE[f[1]]
            n = f[2][0] if isinstance(f[2], tuple) else f[2]
            out.append((seq * (n // len(seq) + 1))[:n])
    return "".join(out)


def xs(shape):
    """The shape with every random field written as x (or 0 for digits)."""
    out = []
    for f in _fields(shape):
        if f[0] == "lit":
            out.append(f[1])
        elif f[1] in ("uuid", "UUID"):
            out.append("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
        else:
            n = f[2][0] if isinstance(f[2], tuple) else f[2]
            if f[1] == "d":
                out.append("0" * n)
            elif f[1] in ("L", "AN", "HEX", "B32"):
                out.append("X" * n)
            else:
                out.append("x" * n)
    return "".join(out)


def rng_for(name, salt=""):
    return random.Random(name + "|" + salt)
