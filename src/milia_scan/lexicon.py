"""Load and validate the lexicon: TOML data files, checked once with pydantic.

Layout of a lexicon directory:
  sources.toml     [source.KEY] tables: every citation a rating or claim refers to
  lookalikes.toml  [[group]] tables: real INCI names that must never match entry `not`
  *.toml           [[entry]] tables, one file per family (see the header of each file)
  profile-*.toml   condition profiles beside the milia score (optional): fungal-acne rules
                   ([[rule]]) and EU fragrance allergens ([[list]], [[allergen]])

A broken file or entry is a `LexiconError` naming the file and the entry.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from . import snapshot
from .models import Allergen, AllergenList, FungalRule, LexiconEntry, LookalikeGroup, Source
from .normalizer import compact_key, match_key

M = TypeVar("M")
SOURCES_FILE = "sources.toml"
LOOKALIKES_FILE = "lookalikes.toml"
PROFILE_PREFIX = "profile-"  # profile files are not entry files
FUNGAL_FILE = "profile-fungal-acne.toml"
ALLERGENS_FILE = "profile-allergens.toml"


class LexiconError(ValueError):
    """The lexicon data is invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class Lexicon:
    """A validated lexicon: entries by id, sources by key, and look-alike names."""

    entries: Mapping[str, LexiconEntry]
    sources: Mapping[str, Source]
    lookalikes: tuple[LookalikeGroup, ...]
    path: str = ""
    # match key -> entry id, for every name of every entry
    names: Mapping[str, str] = field(default_factory=dict)
    # condition profiles (empty when the directory has no profile files)
    fungal_rules: tuple[FungalRule, ...] = ()
    allergen_lists: Mapping[str, AllergenList] = field(default_factory=dict)
    allergens: tuple[Allergen, ...] = ()

    def get(self, id_or_name: str) -> LexiconEntry | None:
        """Find an entry by id or by any of its names (case and punctuation ignored)."""
        if id_or_name in self.entries:
            return self.entries[id_or_name]
        eid = self.names.get(match_key(id_or_name))
        return self.entries[eid] if eid else None

    def lookalike_names(self) -> Iterable[str]:
        for g in self.lookalikes:
            yield from g.names
        for e in self.entries.values():
            yield from e.lookalikes


def default_lexicon_path() -> Path:
    """The lexicon shipped with the package (inside the wheel), or the checkout's `lexicon/`."""
    packaged = resources.files("milia_scan") / "lexicon"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "lexicon"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{path.name}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read: {exc.strerror}") from None


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'entry'}: {err['msg']}" for err in exc.errors()
    )


_snapshots: Path | None = None  # where this process keeps the lexicons it loads (`keep_snapshots`)


def keep_snapshots(directory: str | Path | None) -> None:
    """From now on, keep each lexicon this process loads in `directory` between runs, and read it
    back from there (`snapshot.py`: ~3 ms instead of ~40 ms); None: stop. The command line does
    (`snapshot.default_dir()`); a library caller's process keeps none unless it asks."""
    global _snapshots
    _snapshots = None if directory is None else Path(directory)


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load and validate a lexicon directory (default: the bundled one), or read back the snapshot
    of it this process was told to keep (`keep_snapshots`).

    Raises `LexiconError` with the file and entry at fault.
    """
    root = Path(path) if path is not None else default_lexicon_path()
    if not root.is_dir():
        raise LexiconError(f"lexicon directory not found: {root}")
    return _load(root.resolve(), _snapshots)


@lru_cache(maxsize=8)
def _load(root: Path, snapshots: Path | None) -> Lexicon:
    if snapshots is None:
        return _read(root)
    key = snapshot.digest(root, sorted(root.glob("*.toml")))  # every file `_read` reads
    found = snapshot.read(snapshots, key)
    if isinstance(found, Lexicon):
        return found
    lex = _read(root)  # a broken lexicon raises here: it is never kept
    snapshot.write(snapshots, key, lex)
    return lex


def _read(root: Path) -> Lexicon:
    sources: dict[str, Source] = {}
    src_path = root / SOURCES_FILE
    if src_path.exists():
        for key, table in _read_toml(src_path).get("source", {}).items():
            try:
                sources[key] = Source(key=key, **table)
            except (ValidationError, TypeError) as exc:
                msg = _describe(exc) if isinstance(exc, ValidationError) else str(exc)
                raise LexiconError(f"{SOURCES_FILE}: source {key!r}: {msg}") from None

    entries: dict[str, LexiconEntry] = {}
    where: dict[str, str] = {}
    files = sorted(p for p in root.glob("*.toml")
                   if p.name not in (SOURCES_FILE, LOOKALIKES_FILE) and not p.name.startswith(PROFILE_PREFIX))
    if not files:
        raise LexiconError(f"{root}: no entry files (*.toml) found")
    for file in files:
        data = _read_toml(file)
        unknown = set(data) - {"entry"}
        if unknown:
            raise LexiconError(f"{file.name}: unexpected top-level keys {sorted(unknown)}")
        for i, raw in enumerate(data.get("entry", [])):
            label = f"{file.name}: entry {raw.get('id', f'#{i + 1}')!r}"
            try:
                entry = LexiconEntry(**raw)
            except ValidationError as exc:
                raise LexiconError(f"{label}: {_describe(exc)}") from None
            if entry.id in entries:
                raise LexiconError(f"{label}: duplicate id (also in {where[entry.id]})")
            for key in _cited(entry):
                if key not in sources:
                    raise LexiconError(f"{label}: source {key!r} is not in {SOURCES_FILE}")
            entries[entry.id] = entry
            where[entry.id] = file.name

    groups: list[LookalikeGroup] = []
    la_path = root / LOOKALIKES_FILE
    if la_path.exists():
        for i, raw in enumerate(_read_toml(la_path).get("group", [])):
            label = f"{LOOKALIKES_FILE}: group {raw.get('not', f'#{i + 1}')!r}"
            try:
                group = LookalikeGroup(**raw)
            except ValidationError as exc:
                raise LexiconError(f"{label}: {_describe(exc)}") from None
            if group.not_ not in entries:
                raise LexiconError(f"{label}: `not` names no entry id")
            if group.source not in sources:
                raise LexiconError(f"{label}: source {group.source!r} is not in {SOURCES_FILE}")
            groups.append(group)

    names = _name_index(entries, where)
    rules = _load_fungal(root, sources)
    lists, allergens = _load_allergens(root, sources)
    lex = Lexicon(entries=entries, sources=sources, lookalikes=tuple(groups), path=str(root), names=names,
                  fungal_rules=rules, allergen_lists=lists, allergens=allergens)
    compact = {compact_key(k): v for k, v in names.items()}
    for name in lex.lookalike_names():
        owner = names.get(match_key(name)) or compact.get(compact_key(name))
        if owner is not None:
            raise LexiconError(f"{LOOKALIKES_FILE}: look-alike {name!r} is also a name of entry {owner!r}")
    return lex


def _cited(entry: LexiconEntry) -> list[str]:
    keys = [r.source for r in entry.comedogenic]
    if entry.occlusion_source:
        keys.append(entry.occlusion_source)
    if entry.helpful_source:
        keys.append(entry.helpful_source)
    return keys


def _name_index(entries: Mapping[str, LexiconEntry], where: Mapping[str, str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for entry in entries.values():
        for name in entry.names:
            key = match_key(name)
            if not key:
                raise LexiconError(f"{where[entry.id]}: entry {entry.id!r}: empty name {name!r}")
            other = names.get(key)
            if other is not None and other != entry.id:
                raise LexiconError(
                    f"{where[entry.id]}: entry {entry.id!r}: name {name!r} also belongs to {other!r}"
                )
            names[key] = entry.id
    return names


# --------------------------------------------------------------------------- condition profiles


def _profile_tables(root: Path, name: str, allowed: set[str]) -> dict[str, Any]:
    path = root / name
    if not path.exists():
        return {}
    data = _read_toml(path)
    unknown = set(data) - allowed
    if unknown:
        raise LexiconError(f"{name}: unexpected top-level keys {sorted(unknown)}")
    return data


def _validated(file: str, kind: str, raws: list[dict[str, Any]], model: type[M],
               sources: Mapping[str, Source]) -> list[M]:
    """Validate the [[kind]] tables of a profile file: the model's schema, unique ids, known sources.
    An error names the file and the table's id."""
    out: list[M] = []
    for i, raw in enumerate(raws):
        label = f"{file}: {kind} {raw.get('id', f'#{i + 1}')!r}"
        try:
            item = model(**raw)
        except ValidationError as exc:
            raise LexiconError(f"{label}: {_describe(exc)}") from None
        if any(o.id == item.id for o in out):  # type: ignore[attr-defined]
            raise LexiconError(f"{label}: duplicate id")
        for key in item.sources:  # type: ignore[attr-defined]
            if key not in sources:
                raise LexiconError(f"{label}: source {key!r} is not in {SOURCES_FILE}")
        out.append(item)
    return out


def _one_owner(file: str, kind: str, items: Iterable[Any], names_of: str, clash: str) -> None:
    """No name may belong to two items of one profile file."""
    owner: dict[str, str] = {}
    for item in items:
        for name in getattr(item, names_of):
            key = compact_key(name)
            if not key:
                raise LexiconError(f"{file}: {kind} {item.id!r}: empty name {name!r}")
            if owner.setdefault(key, item.id) != item.id:
                raise LexiconError(f"{file}: {kind} {item.id!r}: name {name!r} {clash} {owner[key]!r}")


def _load_fungal(root: Path, sources: Mapping[str, Source]) -> tuple[FungalRule, ...]:
    """The fungal-acne rules: ids unique, sources cited, no name decided by two rules."""
    data = _profile_tables(root, FUNGAL_FILE, {"rule"})
    rules = _validated(FUNGAL_FILE, "rule", data.get("rule", []), FungalRule, sources)
    _one_owner(FUNGAL_FILE, "rule", rules, "names", "is also decided by rule")
    return tuple(rules)


def _load_allergens(root: Path, sources: Mapping[str, Source]) -> tuple[dict[str, AllergenList], tuple[Allergen, ...]]:
    """The EU fragrance allergens and their lists: ids unique, lists and sources known, no name
    shared by two allergens."""
    data = _profile_tables(root, ALLERGENS_FILE, {"list", "allergen"})
    lists = {lst.id: lst for lst in _validated(ALLERGENS_FILE, "list", data.get("list", []), AllergenList, sources)}
    allergens = _validated(ALLERGENS_FILE, "allergen", data.get("allergen", []), Allergen, sources)
    for allergen in allergens:
        if allergen.list_id not in lists:
            raise LexiconError(f"{ALLERGENS_FILE}: allergen {allergen.id!r}: list {allergen.list_id!r} is not a "
                               f"[[list]] of {ALLERGENS_FILE}")
    _one_owner(ALLERGENS_FILE, "allergen", allergens, "inci", "also belongs to allergen")
    return lists, tuple(allergens)
