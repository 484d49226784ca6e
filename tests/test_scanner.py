"""Scanner as a reusable object: pickling (what Dask and process pools do)."""

from __future__ import annotations

import pickle

from milia_scan import Scanner


def test_pickle_drops_caches_and_keeps_results() -> None:
    s = Scanner()
    fresh_size = len(pickle.dumps(s))
    label = "Aqua, Petrolaturn, Glycerin, Cera Alba"
    before = s.score(label)
    for i in range(2000):  # warm the caches with many distinct tokens
        s.score(f"Aqua, Extract {i}, Oil Number {i}")
    assert s._pieces and s.matcher._cache
    clone = pickle.loads(pickle.dumps(s))
    assert not clone._pieces and not clone.matcher._cache
    assert clone.score(label) == before
    assert len(pickle.dumps(s)) < fresh_size * 1.01  # the caches never travel
