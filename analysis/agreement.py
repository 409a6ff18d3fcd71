"""Inter-coder agreement: percent agreement, Cohen's kappa, Krippendorff's alpha, span overlap.

Units. Segment-level statistics treat each (segment, code) as a unit with a nominal value per
coder: 1 = the coder applied the code to the segment (to all of it or to a span of it), 0 = not.
A coder's values are *missing* for the sessions in which they coded nothing (they did not code
that session), so Krippendorff's alpha handles coders who coded different sessions. Statistics
per code use that code's units; "overall" pools the units of every code that at least one of
the coders compared applied (a code nobody applied adds only agreement on absence: counting it
made the same codings read a higher kappa in a copy whose codebook had more unused codes; each
pair's kappa likewise pools the codes either of the two applied).

* percent agreement: the share of agreeing coder pairs over every pair of coders who both rated
  a unit (for two coders, the share of units on which they agree);
* Cohen's kappa: two coders only, on the units both rated;
* Krippendorff's alpha (nominal): two or more coders, missing values allowed;
* span overlap: for each pair of coders, each segment, the code points (Unicode characters of
  the segment text) that each coded with the code; overlap = sum of intersections / sum of
  unions (a whole-segment coding covers the whole text). The unit is code points.

Undefined cases (one category only, nothing rated by two coders, a single coder) give a
``Coefficient`` whose value is None and whose ``note`` explains why, never NaN.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import combinations, count, repeat
from operator import is_, itemgetter
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from storage.core.names import name_order
from storage.core.spans import merged_spans

SEGMENT_UNIT = (
    "unit = (segment, code); value = applied by the coder or not; a coder's values are missing "
    "in sessions where they coded nothing"
)
OVERLAP_UNIT = "code points of the segment text (Unicode characters)"
#: the note of a report on more than two coders (its ``pairwise_kappa`` holds each pair's kappa)
KAPPA_PAIRS_NOTE = "Cohen's kappa is for two coders; see pairwise_kappa (--json) for pairs"


class AgreementInput(Protocol):
    """What ``compute_agreement`` reads (``storage.AgreementData`` has it)."""

    coders: list[str]
    segments: list[tuple[str, str, int, int, int]]
    codings: list[tuple[str, str, str, int | None, int | None]]
    codes: dict[str, str]
    texts: dict[str, str]
    speakers: dict[str, str | None]


@dataclass
class Coefficient:
    """One agreement figure: a value in [-1, 1] (or [0, 1]) or None with the reason."""

    value: float | None
    note: str = ""

    def text(self, digits: int = 3) -> str:
        """Format for a table: the value, or "n/a"."""
        return "n/a" if self.value is None else f"{self.value:.{digits}f}"


@dataclass
class CodeAgreement:
    """Agreement on one code (``code_id`` None: all codes pooled)."""

    code_id: str | None
    code_path: str
    units: int
    percent: Coefficient
    kappa: Coefficient
    alpha: Coefficient
    overlap: Coefficient
    applied: dict[str, int] = field(default_factory=dict)


@dataclass
class AgreementReport:
    """Agreement of some coders, per code and overall."""

    coders: list[str]
    unit: str
    overlap_unit: str
    codes: list[CodeAgreement]
    overall: CodeAgreement
    pairwise_kappa: dict[str, Coefficient] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return asdict(self)


@dataclass
class Disagreement:
    """A segment where coders differ on one code, with who did what."""

    segment_id: str
    session_id: str
    start_ms: int
    end_ms: int
    speaker: str | None
    text: str
    code_id: str
    code_path: str
    applied_by: list[str]
    not_applied_by: list[str]
    spans: dict[str, list[tuple[int, int]]]


def coders_words(d: Disagreement, most: int = 32) -> list[tuple[str, str]] | None:
    """Where every coder compared applied the code, but to different words: each coder and
    the words they coded (“…”, at most ``most`` characters each, "whole segment" for a
    whole-segment coding); None where some coder did not apply it (who did and who did not
    says it all)."""
    if d.not_applied_by or not d.spans:
        return None
    whole = [(0, len(d.text))]

    def short(words: str) -> str:
        return words if len(words) <= most else words[: most - 1] + "…"

    found = []
    for coder in d.applied_by:
        spans = d.spans.get(coder, whole)
        said = " … ".join(f"“{short(d.text[a:b])}”" for a, b in spans)
        found.append((coder, "whole segment" if spans == whole else said))
    return found


# --------------------------------------------------------------------------- coefficients
def percent_agreement(data: npt.ArrayLike) -> Coefficient:
    """Pairwise percent agreement of a coders x units matrix (NaN = missing)."""
    matrix = np.asarray(data, dtype=float)
    agree = pairs = 0.0
    for unit in matrix.T:
        values = unit[~np.isnan(unit)]
        m = len(values)
        if m < 2:
            continue
        _, counts = np.unique(values, return_counts=True)
        agree += float((counts * (counts - 1)).sum() / 2)
        pairs += m * (m - 1) / 2
    if pairs == 0:
        return Coefficient(None, "no unit was rated by two coders")
    return Coefficient(agree / pairs)


def cohen_kappa(a: npt.ArrayLike, b: npt.ArrayLike) -> Coefficient:
    """Cohen's kappa of two coders' labels on the same units."""
    x, y = np.asarray(a), np.asarray(b)
    n = len(x)
    if n == 0:
        return Coefficient(None, "no unit was rated by both coders")
    labels = np.unique(np.concatenate([x, y]))
    po = float((x == y).mean())
    pe = float(sum((x == c).mean() * (y == c).mean() for c in labels))
    return _kappa(po, pe, one_sided=len(np.unique(x)) == 1 or len(np.unique(y)) == 1)


def _kappa(po: float, pe: float, *, one_sided: bool = False) -> Coefficient:
    """Kappa from observed and chance agreement; ``one_sided``: one coder gave every unit the
    same value (κ is then 0 however often the other agreed: said, as 0.000 beside an agreement
    of 0.857 read as a miscount)."""
    if pe >= 1.0 - 1e-12:
        return Coefficient(
            None,
            "undefined: both coders used a single category for every unit "
            f"(observed agreement {po:.0%})",
        )
    note = (
        "0 because one coder applied the code to every unit or to none: kappa credits no "
        f"agreement beyond chance then, however often the other agreed (observed {po:.0%})"
        if one_sided
        else ""
    )
    return Coefficient((po - pe) / (1 - pe), note)


def krippendorff_alpha_nominal(data: npt.ArrayLike) -> Coefficient:
    """Krippendorff's alpha, nominal, of a coders x units matrix (NaN = missing)."""
    matrix = np.asarray(data, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] < 2:
        return Coefficient(None, "alpha needs at least two coders")
    present = ~np.isnan(matrix)
    categories = np.unique(matrix[present])
    if len(categories) == 0:
        return Coefficient(None, "no values")
    index = np.searchsorted(categories, np.where(present, matrix, categories[0]))
    counts = np.zeros((matrix.shape[1], len(categories)))
    for coder in range(matrix.shape[0]):
        rows = np.nonzero(present[coder])[0]
        np.add.at(counts, (rows, index[coder, rows]), 1)
    m = counts.sum(axis=1)
    keep = m >= 2
    counts, m = counts[keep], m[keep]
    if len(m) == 0:
        return Coefficient(None, "no unit was rated by two coders")
    coincidence = np.einsum("uc,uk->ck", counts / (m - 1)[:, None], counts)
    coincidence -= np.diag((counts / (m - 1)[:, None]).sum(axis=0))
    return _alpha_from_coincidence(coincidence)


def _alpha_from_coincidence(o: npt.NDArray[np.float64]) -> Coefficient:
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    disagree_observed = n - float(np.trace(o))
    disagree_expected = (n * n - float((n_c**2).sum())) / (n - 1) if n > 1 else 0.0
    if disagree_expected <= 1e-12:
        return Coefficient(
            None,
            "undefined: every value is the same category (no variation to agree on)",
        )
    return Coefficient(1.0 - (n - 1) * disagree_observed / (n * n - float((n_c**2).sum())))


# --------------------------------------------------------------------------- binary counts
@dataclass
class _Binary:
    """Sufficient statistics of binary units: enough for percent, alpha and kappa."""

    units: int = 0
    agree_pairs: float = 0.0
    pairs: float = 0.0
    o01: float = 0.0
    n0: float = 0.0
    n1: float = 0.0
    kappa_table: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros((2, 2)))

    def add(
        self, m: npt.NDArray[np.float64], k: npt.NDArray[np.float64], w: npt.NDArray[np.float64]
    ) -> None:
        """Add units with ``m`` raters, ``k`` of them saying 1, each ``w`` times."""
        keep = m >= 2
        m, k, w = m[keep], k[keep], w[keep]
        if len(m) == 0:
            return
        self.units += int(w.sum())
        self.agree_pairs += float((w * (k * (k - 1) + (m - k) * (m - k - 1)) / 2).sum())
        self.pairs += float((w * m * (m - 1) / 2).sum())
        o01 = float((w * k * (m - k) / (m - 1)).sum())
        o11 = float((w * k * (k - 1) / (m - 1)).sum())
        o00 = float((w * (m - k) * (m - k - 1) / (m - 1)).sum())
        self.o01 += o01
        self.n1 += o11 + o01
        self.n0 += o00 + o01

    def merge(self, other: _Binary) -> None:
        """Pool another code's statistics into these."""
        self.units += other.units
        self.agree_pairs += other.agree_pairs
        self.pairs += other.pairs
        self.o01 += other.o01
        self.n0 += other.n0
        self.n1 += other.n1
        self.kappa_table = self.kappa_table + other.kappa_table

    def percent(self) -> Coefficient:
        if self.pairs == 0:
            return Coefficient(None, "no unit was rated by two coders")
        return Coefficient(self.agree_pairs / self.pairs)

    def alpha(self) -> Coefficient:
        if self.pairs == 0:
            return Coefficient(None, "no unit was rated by two coders")
        o = np.array([[self.n0 - self.o01, self.o01], [self.o01, self.n1 - self.o01]])
        return _alpha_from_coincidence(o)

    def kappa(self) -> Coefficient:
        return kappa_from_table(self.kappa_table)


def kappa_from_table(table: npt.NDArray[np.float64]) -> Coefficient:
    """Cohen's kappa from a confusion table (rows: coder A, columns: coder B)."""
    n = float(table.sum())
    if n == 0:
        return Coefficient(None, "no unit was rated by both coders")
    po = float(np.trace(table)) / n
    rows, columns = table.sum(axis=1), table.sum(axis=0)
    pe = float((rows * columns).sum()) / (n * n)
    return _kappa(po, pe, one_sided=bool((rows == 0).any() or (columns == 0).any()))


# --------------------------------------------------------------------------- the report
class _Prepared:
    """The input as integer arrays: segments, coders and codes by index; nothing per unit in Python.

    A *group* is one (code, segment, coder) with its codings; a *unit* is one (code, segment)
    that at least one coder applied the code to. Both are sorted by code, then segment.
    """

    def __init__(self, data: AgreementInput) -> None:
        self.data = data
        self.coders = list(data.coders)
        self.segments = data.segments
        n_coders = max(len(self.coders), 1)
        n_segments = max(len(data.segments), 1)
        segment_index = dict(zip(map(itemgetter(0), data.segments), count()))
        sessions = sorted(set(map(itemgetter(1), data.segments)))
        session_index = dict(zip(sessions, count()))
        self.seg_session = np.fromiter(
            map(session_index.__getitem__, map(itemgetter(1), data.segments)),
            np.int64,
            count=len(data.segments),
        )
        self.seg_length = np.fromiter(
            map(itemgetter(2), data.segments), np.int64, count=len(data.segments)
        )
        n_sessions = len(sessions)
        coder_index = {c: i for i, c in enumerate(self.coders)}
        codings = data.codings
        n = len(codings)

        def column(i: int) -> Iterator[Any]:
            return map(itemgetter(i), codings)

        self.code_ids = sorted(set(column(1)) | set(data.codes))
        self.code_index = {c: i for i, c in enumerate(self.code_ids)}
        seg = np.fromiter(map(segment_index.get, column(0), repeat(-1)), np.int64, count=n)
        code = np.fromiter(map(self.code_index.__getitem__, column(1)), np.int64, count=n)
        who = np.fromiter(map(coder_index.get, column(2), repeat(-1)), np.int64, count=n)
        # a whole-segment coding has no span ends (None)
        whole = np.fromiter(map(is_, column(3), repeat(None)), bool, count=n)
        whole |= np.fromiter(map(is_, column(4), repeat(None)), bool, count=n)
        keep = (seg >= 0) & (who >= 0)
        seg, who, code, whole = seg[keep], who[keep], code[keep], whole[keep]
        # who coded which session (anything in scope): availability of each coder's values
        self.available = np.zeros((len(self.coders), n_sessions), dtype=bool)
        self.available[who, self.seg_session[seg]] = True
        self.raters = self.available.sum(axis=0).astype(float)  # per session
        self.session_sizes = np.bincount(self.seg_session, minlength=n_sessions).astype(float)
        # groups: (code, segment, coder); "simple" when every coding of it is whole-segment
        key = (code * n_segments + seg) * n_coders + who
        group_key, self.coding_group, per_group = np.unique(
            key, return_inverse=True, return_counts=True
        )
        self.coding_group = self.coding_group.reshape(-1)
        spans_in_group = np.bincount(self.coding_group, weights=~whole, minlength=len(group_key))
        group_simple = spans_in_group == 0
        self.group_who = group_key % n_coders
        unit_key = group_key // n_coders
        # units: (code, segment); k = how many coders applied the code there
        unit_keys, self.group_unit, k = np.unique(unit_key, return_inverse=True, return_counts=True)
        self.group_unit = self.group_unit.reshape(-1)
        self.unit_code = unit_keys // n_segments
        self.unit_seg = unit_keys % n_segments
        self.unit_k = k.astype(float)
        self.unit_simple = (
            np.bincount(self.group_unit, weights=~group_simple, minlength=len(unit_keys)) == 0
        )
        self.present = np.zeros((len(unit_keys), len(self.coders)), dtype=bool)
        self.present[self.group_unit, self.group_who] = True
        self._seg, self._who = seg, who
        self._rows = np.nonzero(keep)[0]  # index into data.codings of each kept coding
        self._unit_of_coding = self.group_unit[self.coding_group]
        del per_group

    def units_of(self, code_id: str) -> slice:
        """The units of one code (a slice of the unit arrays)."""
        index = self.code_index.get(code_id)
        if index is None:
            return slice(0, 0)
        lo, hi = np.searchsorted(self.unit_code, [index, index + 1])
        return slice(int(lo), int(hi))

    def spans(self, units: npt.NDArray[np.int64]) -> dict[int, dict[int, list[tuple[int, int]]]]:
        """Unit index -> coder index -> spans, for some units (a whole coding: the full text)."""
        result: dict[int, dict[int, list[tuple[int, int]]]] = {int(u): {} for u in units}
        if not result:
            return result
        wanted = np.zeros(len(self.unit_code), dtype=bool)
        wanted[units] = True
        for i in np.nonzero(wanted[self._unit_of_coding])[0]:
            _seg_id, _code, _coder, start, end = self.data.codings[int(self._rows[i])]
            unit = int(self._unit_of_coding[i])
            seg = int(self._seg[i])
            span = (
                (0, int(self.seg_length[seg]))
                if start is None or end is None
                else (int(start), int(end))
            )
            result[unit].setdefault(int(self._who[i]), []).append(span)
        return result


def compute_agreement(data: AgreementInput) -> AgreementReport:
    """Compute every coefficient per code and overall (see the module docstring for units)."""
    prep = _Prepared(data)
    two = len(prep.coders) == 2
    notes: list[str] = list(getattr(data, "notes", []))  # e.g. codes paired by path
    if len(prep.coders) < 2:
        notes.append("agreement needs at least two coders with codings")
    elif not two:
        notes.append(KAPPA_PAIRS_NOTE)
    pooled = _Binary()
    pooled_overlap = [0.0, 0.0]
    per_code = []
    pair_tables = {pair: np.zeros((2, 2)) for pair in combinations(range(len(prep.coders)), 2)}
    for code_id, path in sorted(data.codes.items(), key=lambda item: name_order(item[1])):
        units = prep.units_of(code_id)
        stats = _code_binary(prep, units, pair_tables)
        inter, union = _overlap(prep, units)
        counts = prep.present[units].sum(axis=0)
        if counts.any():  # a code nobody applied stays out of "all codes"
            pooled.merge(stats)
            pooled_overlap[0] += inter
            pooled_overlap[1] += union
        applied = {prep.coders[i]: int(n) for i, n in enumerate(counts) if n}
        per_code.append(
            CodeAgreement(
                code_id=code_id,
                code_path=path,
                units=stats.units,
                percent=stats.percent(),
                kappa=stats.kappa() if two else _not_two(len(prep.coders)),
                alpha=stats.alpha(),
                overlap=_overlap_coefficient(inter, union),
                applied=applied,
            )
        )
    overall = CodeAgreement(
        code_id=None,
        code_path="(all codes)",
        units=pooled.units,
        percent=pooled.percent(),
        kappa=pooled.kappa() if two else _not_two(len(prep.coders)),
        alpha=pooled.alpha(),
        overlap=_overlap_coefficient(*pooled_overlap),
    )
    pairwise = {
        f"{prep.coders[a]} / {prep.coders[b]}": kappa_from_table(table)
        for (a, b), table in pair_tables.items()
    }
    return AgreementReport(
        coders=prep.coders,
        unit=SEGMENT_UNIT,
        overlap_unit=OVERLAP_UNIT,
        codes=per_code,
        overall=overall,
        pairwise_kappa=pairwise,
        notes=notes,
    )


def _not_two(n: int) -> Coefficient:
    return Coefficient(None, f"Cohen's kappa compares exactly two coders ({n} selected)")


def _code_binary(
    prep: _Prepared,
    units: slice,
    pair_tables: dict[tuple[int, int], npt.NDArray[np.float64]],
) -> _Binary:
    stats = _Binary()
    sessions = prep.seg_session[prep.unit_seg[units]]
    k = prep.unit_k[units]
    stats.add(prep.raters[sessions], k, np.ones(len(k)))
    # every other segment of a session: nobody applied the code (all available coders say 0)
    coded_per_session = np.bincount(sessions, minlength=len(prep.raters)).astype(float)
    zeros = prep.session_sizes - coded_per_session
    stats.add(prep.raters.copy(), np.zeros(len(prep.raters)), zeros)
    # confusion tables per pair of coders, on the units both rated (both coded the session).
    # A coder who applied the code coded the session, so with P = applied and R = rated
    # (units x coders): n11 = P'P, n10 = P'R - n11, n01 = R'P - n11; and as R's rows are
    # their session's availability, P'R = (P summed per session)' x availability'.
    applied = prep.present[units].astype(float)
    n11 = applied.T @ applied
    per_session = np.zeros((len(prep.raters), applied.shape[1]))
    for who in range(applied.shape[1]):
        per_session[:, who] = np.bincount(sessions, applied[:, who], minlength=len(prep.raters))
    n10 = per_session.T @ prep.available.T.astype(float) - n11
    n01 = n10.T + n11 - n11.T
    used: npt.NDArray[np.bool_] = np.asarray(applied.any(axis=0))
    for (a, b), table in pair_tables.items():
        both = prep.available[a] & prep.available[b]
        total = float(prep.session_sizes[both].sum())
        code_table = np.array(
            [
                [total - n11[a, b] - n10[a, b] - n01[a, b], n01[a, b]],
                [n10[a, b], n11[a, b]],
            ],
            dtype=float,
        )
        if used[a] or used[b]:  # a code neither of the two applied stays out of their kappa
            table += code_table
        if len(prep.coders) == 2:
            stats.kappa_table = code_table
    return stats


def _intersection(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    i = j = total = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        total += max(0, hi - lo)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def _overlap(prep: _Prepared, units: slice) -> tuple[float, float]:
    """Sum over coder pairs and segments of coded code points: (intersection, union)."""
    segs = prep.unit_seg[units]
    avail = prep.raters[prep.seg_session[segs]]
    k = prep.unit_k[units]
    simple = prep.unit_simple[units]
    # whole-segment codings only: each of the k coders covers all L points, so every pair of
    # them shares L, and each pairs with the (avail - k) others for a union of L
    length = prep.seg_length[segs].astype(float)[simple]
    ks, av = k[simple], avail[simple]
    pairs = ks * (ks - 1) / 2
    inter = float((pairs * length).sum())
    union = float((ks * length * (av - ks) + pairs * length).sum())
    # units with spans: merge each coder's spans and intersect them pair by pair
    others = np.arange(units.start, units.stop, dtype=np.int64)[~simple]
    for unit, coders in prep.spans(others).items():
        avail_here = prep.raters[prep.seg_session[prep.unit_seg[unit]]]
        spans = {who: merged_spans(s) for who, s in coders.items()}
        lengths = {who: sum(end - start for start, end in s) for who, s in spans.items()}
        n = len(spans)
        for size in lengths.values():
            union += size * (avail_here - n)
        for a, b in combinations(sorted(spans), 2):
            common = _intersection(spans[a], spans[b])
            inter += common
            union += lengths[a] + lengths[b] - common
    return inter, union


def _overlap_coefficient(inter: float, union: float) -> Coefficient:
    if union == 0:
        return Coefficient(None, "no code points were coded by coders who could be compared")
    return Coefficient(inter / union)


# --------------------------------------------------------------------------- disagreements
def disagreements(data: AgreementInput, *, spans: bool = True) -> list[Disagreement]:
    """List the (segment, code) pairs where coders who coded the session differ.

    A difference is: some applied the code and others did not, or (with ``spans``) all applied
    it but to different code points.
    """
    prep = _Prepared(data)
    result = []
    all_units = np.arange(len(prep.unit_code), dtype=np.int64)
    for unit, coders in prep.spans(all_units).items():
        code_id = prep.code_ids[int(prep.unit_code[unit])]
        seg = int(prep.unit_seg[unit])
        path = data.codes.get(code_id, code_id)
        session = prep.seg_session[seg]
        available = [i for i in range(len(prep.coders)) if prep.available[i, session]]
        merged = {who: merged_spans(s) for who, s in coders.items()}
        missing = [prep.coders[i] for i in available if i not in coders]
        differ = spans and len({tuple(s) for s in merged.values()}) > 1
        if len(available) < 2 or (not missing and not differ):
            continue
        segment_id, session_id, _, start_ms, end_ms = prep.segments[seg]
        result.append(
            Disagreement(
                segment_id=segment_id,
                session_id=session_id,
                start_ms=start_ms,
                end_ms=end_ms,
                speaker=data.speakers.get(segment_id),
                text=data.texts.get(segment_id, ""),
                code_id=code_id,
                code_path=path,
                applied_by=sorted(prep.coders[i] for i in coders),
                not_applied_by=sorted(missing),
                spans={prep.coders[i]: s for i, s in merged.items()},
            )
        )
    result.sort(key=lambda d: (d.session_id, d.start_ms, d.segment_id, d.code_path))
    return result
