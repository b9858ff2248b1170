"""The content-hashed plan cache: keys (key.py), the entry format (entry.py) and the atomic
on-disk store with its limits and maintenance (store.py).  docs/cache.md describes all three."""
from .entry import decode_entry, encode_entry
from .key import Component, cache_key, key_components, key_of
from .store import EntryInfo, PlanCache, PruneResult

__all__ = ["Component", "EntryInfo", "PlanCache", "PruneResult", "cache_key", "decode_entry",
           "encode_entry", "key_components", "key_of"]
