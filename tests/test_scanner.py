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
    assert s._tokenizer._cache and s.matcher._cache
    clone = pickle.loads(pickle.dumps(s))
    assert not clone._tokenizer._cache and not clone.matcher._cache
    assert clone.score(label) == before
    assert len(pickle.dumps(s)) < fresh_size * 1.01  # the caches never travel


def test_make_room_keeps_the_newer_half() -> None:
    from milia_scan.cache import make_room

    cache = {i: i for i in range(10)}
    make_room(cache, 10)
    assert list(cache) == [5, 6, 7, 8, 9]
    make_room(cache, 10)  # under the limit: untouched
    assert len(cache) == 5


def test_caches_stay_bounded_on_endless_new_tokens(monkeypatch) -> None:
    import milia_scan.match as match
    import milia_scan.scanner as scanner

    monkeypatch.setattr(match, "_CACHE_LIMIT", 100)
    monkeypatch.setattr(scanner, "_PIECE_CACHE_LIMIT", 100)
    s = Scanner()
    for i in range(1000):
        assert s.score(f"Aqua, Petrolatum, Novel Extract {i}, Niacinamid{i}").hits == ("petrolatum",)
    assert len(s.matcher._cache) <= 100 and len(s._tokenizer._cache) <= 100 and len(s.matcher._fits) <= 100
    assert len(s.matcher._fit_sets) <= 100


def test_words_that_fill_the_same_places_share_one_set() -> None:
    """A bulk worker learns ~12k words but only ~150 distinct sets of places: each is kept once."""
    s = Scanner()
    for i in range(300):
        s.score(f"Aqua, Petrolatm, Glycerine, Novel{i} Extrakt, Dimeticone")
    fits = list(s.matcher._fits.values())
    assert len(fits) > len(set(fits)) > 1
    assert len({id(f) for f in fits}) == len(set(fits))


def test_report_carries_the_condition_profiles_beside_the_score(run) -> None:
    from milia_scan import scan

    label = "Aqua, Coconut Oil, Parfum, Limonene, Polysorbate 20"
    report = scan(label)
    assert report.profiles is not None
    assert report.profiles.fungal_acne.verdict == "flag"
    assert [t.text for t in report.profiles.allergens.triggers] == ["Limonene"]
    assert all(label[t.start : t.end] == t.text for t in report.profiles.fungal_acne.triggers)
    without = scan("Aqua, Coconut Oil, Polysorbate 20")
    assert without.score == scan("Aqua, Coconut Oil, Polysorbate 20, Limonene").score  # never in the score
    out = run("scan", label).output
    assert "fungal acne (Malassezia folliculitis): flag: Coconut Oil, Polysorbate 20" in out
    assert "EU fragrance allergens: flag: Limonene" in out


def test_cache_limit_bounds_both_caches() -> None:
    s = Scanner()
    s.cache_limit = 50
    assert s.cache_limit == 50 and s.matcher.cache_limit == 50
    for i in range(300):
        s.score(f"Aqua, Novel Extract {i}, Oil Number {i}")
    assert len(s._tokenizer._cache) <= 50 and len(s.matcher._cache) <= 50


def test_profile_lines_show_a_hyphenated_name_on_one_line(run) -> None:
    out = run("scan", "Aqua, Isopropyl Myri-\nstate, Glycerin").output
    assert "Isopropyl Myristate" in out.splitlines()[3]
