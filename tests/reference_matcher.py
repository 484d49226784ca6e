"""The matcher with its shortcuts off, as the reference the fast paths must agree with.

`Matcher` takes three shortcuts: it rules a token out of the fuzzy search when one of its words
could not stand at its place in any lexicon key (`_could_be_typo`), it checks the veto against
the look-alikes near the chosen candidate only (`_vetoes_near`), and it resolves texts that differ
only in case or spacing once (`resolve`, `_cached_as`). Here every token goes through the whole
search, every veto through the whole list, and every text is resolved on its own: the matcher as
it was before the shortcuts.
"""

from __future__ import annotations

from milia_scan.match import Matcher, Resolution
from milia_scan.normalizer import token_key


class ReferenceMatcher(Matcher):
    def resolve(self, text: str) -> Resolution:
        return self._resolve(text, token_key(text))

    def _could_be_typo(self, qwords: list[str]) -> bool:
        return True

    def _vetoes_near(self, key: str) -> list[str]:
        return self._veto
