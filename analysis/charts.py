"""Charts of the analysis views as PNG or SVG files, drawn with matplotlib (Agg, headless).

matplotlib is used through ``matplotlib.figure.Figure`` and the Agg canvas only (never
``pyplot``), so no GUI backend is loaded and it works on a server, in the CLI and from the
workbench's worker threads alike. The figures draw the same numbers the tables hold:

* ``heatmap``: a matrix or co-occurrence table, one shaded cell per count (or percentage);
* ``bars``: code frequencies (one bar per code, stacked by column when there are several);
* ``timeline_chart``: sessions over time, one lane per speaker and per code;
* ``word_bars``: the most frequent words.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .table import Table
    from .timeline import Timeline
    from .words import WordCounts

CHART_SUFFIXES = (".png", ".svg")
_PALETTE = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
]  # fmt: skip


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def _colour(value: str, index: int) -> str:
    if value and value.startswith("#") and len(value) in (4, 7) and value != "#888888":
        return value
    return _PALETTE[index % len(_PALETTE)]


def elide_middle(text: str, n: int = 40) -> str:
    """``text`` in at most ``n`` characters, its middle left out ("Власть/Довер…к акимату"):
    a code path keeps its top and its own name, a session title its start and its day."""
    if len(text) <= n:
        return text
    head = n // 2
    return text[:head] + "…" + text[len(text) - (n - 1 - head) :]


_short = elide_middle


def heatmap(table: Table, percent: str = "none", title: str = "") -> Figure:
    """A shaded grid of ``table`` (rows: codes; columns), each cell labelled with its value."""
    values = table.percentages(percent)
    n_rows, n_cols = len(table.rows), len(table.columns)
    title = title or chart_title(table, percent)
    # wide enough for the row labels beside the cells and for the title over them (sized for
    # the cells alone, a one-column matrix cut its title: "codes × session (segments")
    labels_in = 0.08 * max((len(_short(r.label)) for r in table.rows), default=0)
    width = labels_in + max(0.7 * n_cols, 0.11 * len(title)) + 1.4
    fig = _figure(min(max(3 + 0.7 * n_cols, width), 40), min(1.5 + 0.32 * n_rows, 60))
    ax = fig.add_subplot()
    image = ax.imshow(values or [[0]], cmap="Blues", aspect="auto")
    ax.set_xticks(range(n_cols), [_short(c.label, 24) for c in table.columns])
    ax.set_yticks(range(n_rows), [_short(r.label) for r in table.rows])
    ax.tick_params(axis="x", labelrotation=45)
    high = max((v for row in values for v in row), default=0.0) or 1.0
    if n_rows * n_cols <= 900:
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                text = f"{v:.0f}%" if percent in ("row", "column") else f"{v:g}"
                ax.text(j, i, text, ha="center", va="center", fontsize=7,
                        color="white" if v > 0.6 * high else "black")  # fmt: skip
    from matplotlib.ticker import MaxNLocator

    # counts: whole-number ticks on the colour scale (not 0.5 steps)
    ticks = None if percent in ("row", "column") else MaxNLocator(integer=True)
    fig.colorbar(image, ax=ax, shrink=0.6, ticks=ticks)
    ax.set_title(title)
    return fig


def chart_title(table: Table, percent: str = "none") -> str:
    """What a table's chart shows, in words: "Code co-occurrence (within 5 s)", "Code matrix
    (segments coded, % of the row total)" (percentages said: a Row % chart's title read
    "Code matrix (segments coded)" over cells of 17% and 25%)."""
    from .matrix import MEASURE_LABELS

    if table.kind == "cooccurrence":
        modes = {"segment": "in the same segment", "overlap": "overlapping spans"}
        seconds = float(table.spec.get("seconds") or 0)
        how = f"within {seconds:g} s" if table.measure == "within" else modes.get(table.measure)
        return f"Code co-occurrence ({how or table.measure})"
    measure = MEASURE_LABELS.get(table.measure, table.measure)
    if percent in ("row", "column"):
        measure += f", % of the {percent} total"
    if table.kind == "frequencies":
        return f"Code frequencies ({measure})"
    return f"Code matrix ({measure})"


def _integer_ticks(ax: Any) -> None:
    """Whole-number ticks on the x axis (counts: never 0.25 steps)."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def bars(table: Table, title: str = "") -> Figure:
    """Horizontal bars per code; several columns are stacked with a legend."""
    # as on screen: a code with nothing to show has no bar
    shown = [i for i, row in enumerate(table.cells) if sum(row)]
    n_rows = len(shown)
    fig = _figure(9, min(1.5 + 0.3 * n_rows, 60))
    ax = fig.add_subplot()
    left = [0.0] * n_rows
    labels = [_short(table.rows[i].label) for i in shown]
    for j, col in enumerate(table.columns):
        widths = [float(table.cells[i][j]) for i in shown]
        ax.barh(labels, widths, left=left, label=_short(col.label, 30),
                color=_PALETTE[j % len(_PALETTE)])  # fmt: skip
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.invert_yaxis()
    _integer_ticks(ax)
    from .matrix import MEASURE_LABELS

    ax.set_xlabel(MEASURE_LABELS.get(table.measure, table.measure))
    if len(table.columns) > 1:
        ax.legend(fontsize=7, loc="lower right")
    ax.set_title(title or chart_title(table))
    return fig


def _merged(
    bars: list[tuple[int, int]], gap_ms: float, end_ms: float = 0
) -> list[tuple[float, float]]:
    """Bars closer than ``gap_ms`` (under a pixel) drawn as one: (start, width) in minutes.

    A bar is at least two pixels wide (ending by ``end_ms``, the axis' end, when given): a
    segment without duration (a transcript's last line, whose end no file says) was coded and
    counted, and drawn as nothing."""
    least = 2 * gap_ms
    widened: list[tuple[float, float]] = []
    for s, e in bars:
        start, end = float(s), float(e)
        if end - start < least:
            start = min(start, max(end_ms - least, 0.0)) if end_ms else start
            end = start + least
        widened.append((start, end))
    out: list[list[float]] = []
    for start, end in sorted(widened):
        if out and start - out[-1][1] <= gap_ms:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s / 60000, (e - s) / 60000) for s, e in out]


TIMELINE_PX_PER_HOUR = 1100  # a chart file's timeline: at least this wide, 1100 px an hour
TIMELINE_MAX_PX = 6000


def file_timeline_width(timelines: list[Timeline]) -> int:
    """The width of a timeline chart file: 1100 px an hour of the longest session (at least
    1100, at most 6000), so a three-hour session keeps turns of a few seconds visible."""
    longest_h = max((t.duration_ms for t in timelines), default=0) / 3_600_000
    return int(min(TIMELINE_MAX_PX, max(TIMELINE_PX_PER_HOUR, TIMELINE_PX_PER_HOUR * longest_h)))


#: a timeline this short (or shorter) is labelled in m:ss, a longer one in minutes
SHORT_TIMELINE_MS = 10 * 60_000
_TICK_SECONDS = (1, 2, 5, 10, 15, 30, 60)


def clock(seconds: float) -> str:
    """``seconds`` as m:ss (``65`` -> ``1:05``), rounded to the second."""
    whole = max(round(seconds), 0)
    return f"{whole // 60}:{whole % 60:02d}"


def timeline_chart(timelines: list[Timeline], title: str = "", width_px: int = 1100) -> Figure:
    """One panel per session on a shared time axis (minutes); a lane per speaker and code.
    Bars less than a pixel apart (at ``width_px``) are drawn as one."""
    n_lanes = sum(max(len(t.lanes), 1) for t in timelines)
    fig = _figure(width_px / 100, min(1.2 + 0.3 * n_lanes + 0.4 * len(timelines), 60))
    longest_ms = max((t.duration_ms for t in timelines), default=0)
    pixel_ms = longest_ms / max(width_px, 1)
    axes = fig.subplots(max(len(timelines), 1), 1, sharex=True, squeeze=False)[:, 0]
    for ax, tl in zip(axes, timelines, strict=False):
        for i, lane in enumerate(tl.lanes):
            colour = "#7f7f7f" if lane.kind == "speaker" else _colour(lane.colour, i)
            spans = _merged([(b.start_ms, b.end_ms) for b in lane.bars], pixel_ms, longest_ms)
            ax.broken_barh(spans, (i - 0.4, 0.8), facecolors=colour)
        ax.set_yticks(range(len(tl.lanes)), [_short(x.label, 30) for x in tl.lanes])
        ax.set_ylim(len(tl.lanes) - 0.5 if tl.lanes else 0.5, -0.5)
        ax.set_title(_short(tl.title, 60) + (f" — {tl.note}" if tl.note else ""), fontsize=9)
        ax.set_xlim(0, max(t.duration_ms for t in timelines) / 60000 or 1)
    longest = max((t.duration_ms for t in timelines), default=0)
    if 0 < longest <= SHORT_TIMELINE_MS:
        # a short session in decimal minutes read "0.05 minutes": m:ss ticks at whole seconds
        step_s = next((s for s in _TICK_SECONDS if longest / 1000 / s <= 10), 60)
        from matplotlib.ticker import FuncFormatter, MultipleLocator

        axes[-1].xaxis.set_major_locator(MultipleLocator(step_s / 60))
        axes[-1].xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: clock(x * 60)))
        axes[-1].set_xlabel("time (m:ss)")
    else:
        axes[-1].set_xlabel("minutes")
    if title:
        fig.suptitle(title)
    return fig


def word_bars(counts: WordCounts, title: str = "", top: int = 30) -> Figure:
    """The ``top`` most frequent words as horizontal bars."""
    words = counts.words[:top]
    fig = _figure(8, min(1.5 + 0.28 * len(words), 30))
    ax = fig.add_subplot()
    ax.barh([w for w, _ in words], [n for _, n in words], color=_PALETTE[0])
    ax.invert_yaxis()
    _integer_ticks(ax)
    ax.set_xlabel("occurrences")
    ax.set_title(title or "word frequencies")
    return fig


def save_figure(fig: Figure, dest: Path) -> Path:
    """Write ``fig`` to ``dest`` (.png or .svg) atomically."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from storage.core.errors import InvalidInputError
    from storage.interop._files import write_atomic

    fmt = dest.suffix.lower()
    if fmt not in CHART_SUFFIXES:
        raise InvalidInputError(f"{dest}: charts are written to .png or .svg files.")
    FigureCanvasAgg(fig)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            fig.savefig(fh, format=fmt[1:])

    return write_atomic(dest, write)


def render(kind: str, data: Any, percent: str = "none", title: str = "") -> Figure:
    """The figure for one view's result (``kind``: matrix, cooccurrence, frequencies,
    timeline, words)."""
    if kind in ("matrix", "cooccurrence"):
        return heatmap(data, percent, title)
    if kind == "frequencies":
        return bars(data, title)
    if kind == "timeline":
        return timeline_chart(data, title, width_px=file_timeline_width(data))
    return word_bars(data, title)


def timeline_image(timelines: list[Timeline], width_px: int) -> tuple[bytes, int, int, list[Any]]:
    """The timeline chart drawn ``width_px`` wide as raw RGBA pixels (no PNG encoding): (pixels,
    width, height, panels) where each panel is ``(session_id, left, right, top, bottom, xmin_ms,
    xmax_ms, lanes)`` in image pixels (top-left origin), so a click can be turned into a time."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = timeline_chart(timelines, width_px=max(width_px, 300))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    width, height = canvas.get_width_height()
    boxes = []
    for ax, tl in zip(fig.axes, timelines, strict=False):
        bbox = ax.get_window_extent()
        xmin, xmax = ax.get_xlim()
        boxes.append(
            (tl.session_id, bbox.x0, bbox.x1, height - bbox.y1, height - bbox.y0,
             xmin * 60000, xmax * 60000, len(tl.lanes))
        )  # fmt: skip
    return bytes(canvas.buffer_rgba()), width, height, boxes  # type: ignore[no-untyped-call]
