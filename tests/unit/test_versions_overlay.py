"""vaultfile.state.Versions: the agent's client versions adopted by a worker
without a copy, with the worker's changes on top. It must behave exactly as
a dict would, whatever the changes, and snapshots must never change."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vault.vaultfile.state import Versions, flat

KEYS = st.integers(0, 12)
VALUES = st.integers(0, 3).map(lambda i: (bytes([i]) * 16, bytes([i]) * 32, bytes([i]) * 24))
OPS = st.lists(st.tuples(st.sampled_from(["set", "del", "pop", "snapshot"]), KEYS, VALUES),
               max_size=40)


@given(st.dictionaries(KEYS, VALUES), OPS)
def test_versions_behave_as_a_dict_and_snapshots_never_change(base, ops):
    model, live = dict(base), Versions(dict(base))
    snapshots = []
    for op, key, value in ops:
        if op == "set":
            model[key] = value
            live[key] = value
        elif op == "del":
            if key in model:
                del model[key]
                del live[key]
            else:
                try:
                    del live[key]
                    raise AssertionError("deleted a missing key")
                except KeyError:
                    pass
        elif op == "pop":
            assert live.pop(key, None) == model.pop(key, None)
        else:   # what State.verified() does: freeze, and write on top from now on
            snapshots.append((live, dict(model)))
            live = Versions(live)
        assert len(live) == len(model)
        assert dict(live.items()) == model and flat(live) == model
        assert all((k in live) == (k in model) for k in range(13))
        assert all(live.get(k) == model.get(k) for k in range(13))
        assert sorted(live) == sorted(model) and set(live.keys()) == model.keys()
    for frozen, then in snapshots:
        assert flat(frozen) == then and len(frozen) == len(then)


def test_the_base_is_never_written():
    base = {1: (b"a" * 16, b"b" * 32, b"c" * 24)}
    v = Versions(base)
    v[2] = base[1]
    del v[1]
    assert base == {1: (b"a" * 16, b"b" * 32, b"c" * 24)} and dict(v) == {2: base[1]}


def test_a_thousand_transactions_do_not_nest_a_thousand_levels():
    """Each transaction of one command freezes the versions and writes on top
    (State.verified): with or without changes, lookups stay a few levels deep."""
    live = Versions({1: (b"a" * 16, b"b" * 32, b"c" * 24)})
    for i in range(1000):
        if i % 3:
            live[i + 2] = (bytes([i % 256]) * 16, b"b" * 32, b"c" * 24)
        live = Versions(live)
        assert live._depth <= Versions.MAX_DEPTH
    assert live.get(1) == (b"a" * 16, b"b" * 32, b"c" * 24) and len(live) == 1 + 666
