"""The content-hashed plan cache: keys (key.py) and the atomic on-disk store (store.py)."""
from .key import cache_key, key_components
from .store import PlanCache, decode_entry, encode_entry

__all__ = ["PlanCache", "cache_key", "key_components", "decode_entry", "encode_entry"]
