"""Sticky buckets: a key (a header's value, a client address) hashed into one of 10,000 buckets.

The hash is BLAKE2b from the standard library, keyed, over the API's name and the key: the
same in every process and after a restart (Python's `hash` of a string is randomised per
process), and different APIs put one user in different buckets, as Unleash does with the
feature name. A bucket below the canary's threshold goes to the router, so raising the
percentage only moves keys from legacy to the router.
"""

from __future__ import annotations

import hashlib

BUCKETS = 10_000
"""Fine enough for a percentage with two decimals."""
_HASH_KEY = b"strangler-gateway-canary"


def bucket(api: str, key: str) -> int:
    """The bucket, 0 to `BUCKETS` - 1, of `key` in `api`'s canary."""
    digest = hashlib.blake2b(f"{api}\0{key}".encode(), digest_size=8, key=_HASH_KEY).digest()
    return int.from_bytes(digest, "big") % BUCKETS
