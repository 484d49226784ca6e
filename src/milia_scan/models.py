"""Pydantic models: the lexicon's schema and the public result types.

Lexicon models validate data files at load time; result models are what `scan()` returns.
Result models are built with `built` on the hot path (their values come from our own code,
already checked), so validation cost is paid only where data enters from outside.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator

Context = Literal["leave-on", "rinse-off", "eye-area"]
Band = Literal["low", "moderate", "high"]
Role = Literal["risk", "helpful"]
Occlusion = Literal["occlusive", "film-forming", "none"]
AxisName = Literal["milia", "pore_clogging"]  # the Report fields of the two axes

CONTEXTS: tuple[str, ...] = ("leave-on", "rinse-off", "eye-area")
DISCLAIMER = "Not medical advice: a screening aid based on published ingredient ratings."


def check_context(context: str) -> None:
    """Raise a clear ValueError for a context that is not one of CONTEXTS."""
    if context not in CONTEXTS:
        raise ValueError(f"unknown context {context!r}: use one of {', '.join(CONTEXTS)}")

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SOURCE_KEY = _ID


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- lexicon


class Source(_Strict):
    """A citable source behind a rating or a claim (an entry of `lexicon/sources.toml`)."""

    key: str
    title: str
    kind: Literal["paper", "review", "book", "list", "database", "regulatory", "guidance"]
    url: str | None = None
    note: str | None = None

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not _SOURCE_KEY.match(v):
            raise ValueError(f"source key {v!r} must be kebab-case")
        return v


class Rating(_Strict):
    """One published comedogenic rating (0-5), exactly as one source gives it.

    Sources disagree; each value is kept with its source rather than averaged.
    A range such as "0-2" is `rating=0, rating_max=2`.
    """

    rating: int = Field(ge=0, le=5)
    rating_max: int | None = Field(default=None, ge=0, le=5)
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _range(self) -> Rating:
        if self.rating_max is not None and self.rating_max < self.rating:
            raise ValueError(f"rating_max {self.rating_max} is below rating {self.rating}")
        return self

    @property
    def value(self) -> float:
        """The rating as one number: the midpoint of a range."""
        return self.rating if self.rating_max is None else (self.rating + self.rating_max) / 2

    def __str__(self) -> str:
        r = str(self.rating) if self.rating_max is None else f"{self.rating}-{self.rating_max}"
        return f"{r}/5 ({self.source})"


class LexiconEntry(_Strict):
    """One ingredient the scanner knows: a risk (occlusive / comedogenic) or a helpful active."""

    id: str
    inci: str
    synonyms: tuple[str, ...] = ()
    role: Role
    family: str
    occlusion: Occlusion = "none"
    occlusion_source: str | None = None
    comedogenic: tuple[Rating, ...] = ()
    unrated: str | None = None
    helpful_source: str | None = None
    note: str
    lookalikes: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"id {v!r} must be kebab-case (a-z, 0-9, single hyphens)")
        return v

    @field_validator("family")
    @classmethod
    def _family(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"family {v!r} must be kebab-case")
        return v

    @model_validator(mode="after")
    def _sourced(self) -> LexiconEntry:
        if self.occlusion != "none" and not self.occlusion_source:
            raise ValueError(f"occlusion {self.occlusion!r} needs an occlusion_source")
        if not self.comedogenic and not self.unrated:
            raise ValueError("no comedogenic rating: say why in `unrated` (e.g. none published)")
        if self.role == "helpful" and not self.helpful_source:
            raise ValueError("a helpful entry needs a helpful_source")
        if self.role == "risk" and self.occlusion == "none" and not self.comedogenic:
            raise ValueError("a risk entry needs a published rating or an occlusion claim")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        """Every name that identifies this entry: the INCI name first, then synonyms."""
        return (self.inci, *self.synonyms)

    @property
    def rating(self) -> float | None:
        """The rating the scorer uses: the median of the published values. The lists are copies
        of one origin (Fulton 1989), so this is one reading of one measurement, robust to a copy
        that drifted; how many copies agree adds nothing (`milia_scan.score.rating_evidence`)."""
        if not self.comedogenic:
            return None
        vals = sorted(r.value for r in self.comedogenic)
        mid = len(vals) // 2
        return vals[mid] if len(vals) % 2 else (vals[mid - 1] + vals[mid]) / 2


class LookalikeGroup(_Strict):
    """Real INCI names that resemble an entry but are different substances."""

    not_: str = Field(alias="not")
    names: tuple[str, ...]
    source: str
    note: str | None = None


# --------------------------------------------------------------------------- results


Section = Literal["ingredients", "active", "inactive"]


class Token(BaseModel):
    """One ingredient as found in the label.

    `text` is exactly `label[start:end]`; `normalized` is the match key (idempotent). `part` is
    the index of the product it belongs to in a kit (`Report.parts`); `percent` is an amount the
    label declares for it ("Petrolatum 41%").
    """

    model_config = ConfigDict(frozen=True)

    text: str
    start: int
    end: int
    position: int
    normalized: str
    may_contain: bool = False
    section: Section = "ingredients"
    part: int = 0
    percent: float | None = None


class Hit(BaseModel):
    """A token matched to a lexicon entry, with its share of its part's score.

    `axes` names the axes it feeds: "milia" (it is an occlusive or film-forming ingredient) and
    "pore_clogging" (it has a published comedogenic rating above 0); a helpful active feeds none.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    text: str
    start: int
    end: int
    position: int
    confidence: float
    contribution: float
    role: Role
    family: str
    matched: str
    method: Literal["exact", "fuzzy"]
    occlusion: Occlusion
    rating: float | None
    ratings: tuple[str, ...]
    why: str
    section: Section = "ingredients"
    part: int = 0
    percent: float | None = None
    axes: tuple[AxisName, ...] = ()


class Axis(BaseModel):
    """One of the two claims the score is made of, on its own 0-100 scale with its band, and the
    ids of the risk hits that feed it, in label order. `Report.milia` is the heavy-occlusive-film
    axis (petrolatum, mineral oil, lanolin, waxes), `Report.pore_clogging` the comedogenic-rating
    axis (esters, some oils, salts)."""

    model_config = ConfigDict(frozen=True)

    score: int
    band: Band
    hits: tuple[str, ...] = ()


class Part(BaseModel):
    """One product's list in a label: a kit has several ("Cleanser: …. Moisturizer: …").

    `heading` is the sub-heading as printed (None when the list has none) and `start`/`end` its
    span in the label. Each part is scored on its own, on both axes; the label's score and each
    of its axes are the highest part's.
    """

    model_config = ConfigDict(frozen=True)

    index: int
    heading: str | None
    start: int
    end: int
    score: int
    band: Band
    milia: Axis
    pore_clogging: Axis


class Report(BaseModel):
    """The result of scanning one label.

    `score`/`band` are overall; `milia` (heavy occlusive film) and `pore_clogging` (comedogenic
    ratings) are the two axes it is made of, each at most the overall score (docs/scoring.md).
    """

    model_config = ConfigDict(frozen=True)

    score: int
    band: Band
    milia: Axis
    pore_clogging: Axis
    context: Context
    hits: tuple[Hit, ...]
    helpful: tuple[Hit, ...]
    ingredients: tuple[Token, ...]
    unrecognised: tuple[Token, ...]
    parts: tuple[Part, ...] = ()
    profiles: Profiles | None = None  # fungal acne and EU fragrance allergens: beside the score, never in it
    disclaimer: str = DISCLAIMER


class Decision(BaseModel):
    """What happened to one token: where it is, and the rule that decided its match."""

    model_config = ConfigDict(frozen=True)

    token: Token
    rule: str  # a key of `milia_scan.match.RULES`
    explanation: str  # the rule in words
    detail: str  # what the rule saw: the name matched, the look-alike that vetoed, the edits
    ids: tuple[str, ...]  # the lexicon entries it matched


class Inspection(BaseModel):
    """Every token of a label with the rule that decided it (`Scanner.inspect`)."""

    model_config = ConfigDict(frozen=True)

    tokens: tuple[Decision, ...]
    parts: tuple[Part, ...]


# --------------------------------------------------------------------------- condition profiles
# Two profiles that sit beside the milia score and never change it (issue #13): fungal acne
# (Malassezia folliculitis) trigger rules and EU fragrance allergens. Their data are the
# `lexicon/profile-*.toml` files; `milia_scan.profiles.assess` builds the results below.

def _kebab(v: str) -> str:
    if not _ID.match(v):
        raise ValueError(f"{v!r} must be kebab-case (a-z, 0-9, single hyphens)")
    return v


KebabId = Annotated[str, AfterValidator(_kebab)]
ProfileEffect = Literal["trigger", "no-trigger", "unsettled"]
Verdict = Literal["flag", "clear", "cannot tell"]
PROFILE_DISCLAIMER = ("Not medical advice: a screening aid that reads ingredient names, not amounts; "
                      "see docs/profiles.md for the rules and their sources.")


class FungalRule(_Strict):
    """One rule of the fungal-acne profile (an entry of `lexicon/profile-fungal-acne.toml`).

    `names` are decided exactly (letters and digits compared); `patterns` are regular expressions
    searched in a token's match key. An exact name beats every pattern; among patterns, trigger beats
    unsettled beats no-trigger.
    """

    id: KebabId
    effect: ProfileEffect
    group: KebabId
    names: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    sources: tuple[str, ...]
    note: str
    disagreement: str | None = None

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for p in v:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"pattern {p!r} is not a valid regular expression: {exc}") from None
        return v

    @model_validator(mode="after")
    def _decides_something(self) -> FungalRule:
        if not self.names and not self.patterns:
            raise ValueError("a rule needs names or patterns")
        if not self.sources:
            raise ValueError("a rule needs at least one source")
        return self


class AllergenList(_Strict):
    """One legal list of labelled fragrance allergens: the Annex III entries in force before
    Regulation (EU) 2023/1545, or that regulation's additions with their transition dates."""

    id: KebabId
    title: str
    sources: tuple[str, ...]
    placed_until: str | None = None  # ISO date: non-labelled products may be placed on the market until then
    available_until: str | None = None  # ISO date: ... and made available (sold) until then
    note: str

    @field_validator("placed_until", "available_until")
    @classmethod
    def _iso_date(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            raise ValueError(f"{v!r} must be an ISO date (YYYY-MM-DD)")
        return v


class Allergen(_Strict):
    """A fragrance allergen EU law requires to be named on the label above 0.001 % (leave-on) /
    0.01 % (rinse-off): one Annex III entry of Regulation (EC) No 1223/2009."""

    id: KebabId
    label_name: str  # the name the law requires on the label (a grouping name such as 'Rose Ketones')
    inci: tuple[str, ...]  # every name that identifies it on a label, label_name first
    annex_ref: str  # the Annex III reference number
    list_id: str  # an AllergenList id
    sources: tuple[str, ...]
    note: str

    @model_validator(mode="after")
    def _named(self) -> Allergen:
        if not self.inci or self.inci[0] != self.label_name:
            raise ValueError("inci must list the label_name first")
        if not self.sources:
            raise ValueError("an allergen needs at least one source")
        return self


class ProfileHit(BaseModel):
    """A token that a profile reports: a fungal-acne trigger, an allergen, or a fragrance word.
    `text` is exactly `label[start:end]`."""

    model_config = ConfigDict(frozen=True)

    text: str
    start: int
    end: int
    position: int
    rule: str  # the fungal rule id or the allergen id
    name: str  # what it was recognised as (the rule's group, the allergen's label name)
    sources: tuple[str, ...]
    note: str


class ProfileToken(BaseModel):
    """A token a profile could not decide, and why (unrecognised, or 'unsettled': sources disagree)."""

    model_config = ConfigDict(frozen=True)

    text: str
    start: int
    end: int
    position: int
    reason: str
    rule: str | None = None  # the unsettled rule, when one decided it


class ProfileVerdict(BaseModel):
    """One profile's answer for a label: `flag` (with the triggering tokens), `clear` (every token
    decided and none triggers) or `cannot tell` (nothing triggers, but `unknown` lists tokens that
    were not understood or that the sources disagree on)."""

    model_config = ConfigDict(frozen=True)

    name: str
    verdict: Verdict
    triggers: tuple[ProfileHit, ...] = ()
    unknown: tuple[ProfileToken, ...] = ()
    note: str


class AllergenVerdict(ProfileVerdict):
    """The EU fragrance-allergen profile: `triggers` are the allergens named on the label;
    `fragrance` the parfum / fragrance / aroma tokens (a product can hold allergens below the
    labelling thresholds without naming them)."""

    fragrance: tuple[ProfileHit, ...] = ()

    @computed_field  # type: ignore[prop-decorator]  # in the JSON too: an HTTP client has no property
    @property
    def fragrance_present(self) -> bool:
        """Whether parfum / fragrance / aroma is on the label."""
        return bool(self.fragrance)


class Profiles(BaseModel):
    """The condition profiles of one label; they sit beside the milia score and never change it."""

    model_config = ConfigDict(frozen=True)

    fungal_acne: ProfileVerdict
    allergens: AllergenVerdict
    disclaimer: str = PROFILE_DISCLAIMER


Report.model_rebuild()  # `profiles` names a model defined after it


# --------------------------------------------------------------------------- fast construction

M = TypeVar("M", bound=BaseModel)
# The slots every pydantic model instance has, set directly as `model_construct` does.
_SLOTS = BaseModel.__dict__
_SET_DICT = _SLOTS["__dict__"].__set__
_SET_FIELDS_SET = _SLOTS["__pydantic_fields_set__"].__set__
_SET_EXTRA = _SLOTS["__pydantic_extra__"].__set__
_SET_PRIVATE = _SLOTS["__pydantic_private__"].__set__
_FIELDS_SET: dict[type[BaseModel], set[str]] = {}


def _fields_set(cls: type[BaseModel]) -> set[str]:
    fields_set = _FIELDS_SET.get(cls)
    if fields_set is None:
        fields_set = _FIELDS_SET[cls] = set(cls.model_fields)
    return fields_set


def built(cls: type[M], rows: Iterable[dict[str, Any]]) -> list[M]:
    """Instances of a result model from field values our own code computed: each row gives every
    field, in the model's order, with a value of the field's type (a float, not an int, for a
    float field; a tuple for a tuple field). Nothing is validated or copied: what
    `model_construct` does, without its Python loop over the fields (validating the rows costs
    several times more). The instances share one fields-set (the models are frozen).
    tests/test_models.py checks they equal, hash, print and serialise as validated ones do."""
    fields_set = _fields_set(cls)
    new = cls.__new__
    models = []
    for row in rows:
        model = new(cls)
        _SET_DICT(model, row)
        _SET_FIELDS_SET(model, fields_set)
        _SET_EXTRA(model, None)
        _SET_PRIVATE(model, None)
        models.append(model)
    return models


def built_one(cls: type[M], **fields: Any) -> M:
    """One instance, as `built` makes them (keyword order: the model's field order)."""
    model = cls.__new__(cls)
    _SET_DICT(model, fields)
    _SET_FIELDS_SET(model, _fields_set(cls))
    _SET_EXTRA(model, None)
    _SET_PRIVATE(model, None)
    return model
