"""Each client's version (uid, blind index, record nonce) as a verified state
holds them (state.py): a mapping a worker can adopt from the agent without
copying it, and its plain form.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping

Version = tuple[bytes, bytes, bytes]   # a client row's (uid, blind, record nonce)

_MISSING = object()


class Versions(MutableMapping[int, Version]):
    """Each client's version: a base mapping, never written, and this
    process's changes over it. A worker adopts the agent's 10,000 versions
    without copying them: in a process forked from the agent, a copy writes
    the reference count of every entry, a page fault each (milliseconds)."""

    __slots__ = ("_base", "_set", "_gone", "_len", "_depth")
    MAX_DEPTH = 8   # then the base is flattened: lookups stay a few levels deep

    def __init__(self, base: Mapping[int, Version] | None = None) -> None:
        while isinstance(base, Versions) and not base._set and not base._gone:
            base = base._base   # a level with no change of its own adds nothing
        depth = base._depth + 1 if isinstance(base, Versions) else 0
        if depth > self.MAX_DEPTH:
            base, depth = flat(base), 0   # type: ignore[arg-type]
        self._base: Mapping[int, Version] = {} if base is None else base
        self._set: dict[int, Version] = {}
        self._gone: set[int] = set()
        self._len = len(self._base)
        self._depth = depth

    def __getitem__(self, key: int) -> Version:
        found = self._set.get(key, _MISSING)
        if found is not _MISSING:
            return found   # type: ignore[return-value]
        if key in self._gone:
            raise KeyError(key)
        return self._base[key]

    def __contains__(self, key: object) -> bool:
        return key in self._set or key not in self._gone and key in self._base

    def __setitem__(self, key: int, value: Version) -> None:
        if key not in self:
            self._len += 1
        self._set[key] = value

    def __delitem__(self, key: int) -> None:
        if key not in self:
            raise KeyError(key)
        self._set.pop(key, None)
        if key in self._base:
            self._gone.add(key)
        self._len -= 1

    def __iter__(self) -> Iterator[int]:
        for key in self._base:
            if key not in self._gone and key not in self._set:
                yield key
        yield from self._set

    def __len__(self) -> int:
        return self._len


def flat(versions: Mapping[int, Version]) -> dict[int, Version]:
    """A plain dict of the same versions (a C copy of the innermost base)."""
    if not isinstance(versions, Versions):
        return dict(versions)
    out = flat(versions._base)
    for key in versions._gone:
        out.pop(key, None)
    out.update(versions._set)
    return out
