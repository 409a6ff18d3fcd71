"""Storage benchmark: a project with 500 hours of transcript.

Builds about 300,000 segments (150 sessions of 2,000), 50 codes and 100,000 codings through the
public Project API, then prints build time, file size, search latency (median and p95 over 100
queries; goal < 20 ms), time to list one session's 2,000 segments (goal < 10 ms), time to apply one
coding (goal < 5 ms) and peak memory. Each figure is printed next to a peer measured in the same
run on the same file: a plain ``LIKE '%word%'`` scan for search, and a bare ``SELECT`` / single
``INSERT`` for listing and coding, so the cost of the API itself is visible.

Usage: python bench/storage_bench.py [--sessions 150] [--codings 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import Project, SegmentDraft

TOPIC = (
    "clinic doctor passport portal online service bribe corruption trust village internet slow "
    "queue official payment health school teacher pension tax office registration document "
    "digital government citizen mobile phone application police court land water road bus "
    "family mother children money price salary job market bank loan electricity heating winter"
).split()
FILLER = "the a and of to in is it that we they was for on with as at by this had not but".split()
SYLLABLES = "ka lo mi ne ra su ti vo ze ba de fi gu ho ja ku le mo nu pa".split()


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Words ordered by frequency rank: fillers, then topic words, then pseudo-words."""
    words = list(FILLER) + list(TOPIC)
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class TextMaker:
    """Sentences whose word frequencies follow Zipf's law, as in real speech."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary(rng)
        weights = [1 / (rank + 1) ** 1.05 for rank in range(len(self.words))]
        total = sum(weights)
        self.cum = list(itertools.accumulate(w / total for w in weights))

    def sentence(self) -> str:
        n = self.rng.randint(8, 22)
        picks = [bisect.bisect_left(self.cum, self.rng.random()) for _ in range(n)]
        text = " ".join(self.words[min(i, len(self.words) - 1)] for i in picks)
        return text.capitalize() + "."


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sessions", type=int, default=150)
    ap.add_argument("--per-session", type=int, default=2000)
    ap.add_argument("--codes", type=int, default=50)
    ap.add_argument("--codings", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, help="build the project here and keep it")
    args = ap.parse_args()
    rng = random.Random(42)
    maker = TextMaker(rng)
    tmp = Path(tempfile.mkdtemp())
    folder = args.keep or tmp / "Bench.fieldscribe"

    t0 = time.perf_counter()
    project = Project.create(folder, name="Bench", coder="coder-a")
    session_ids = []
    for s in range(args.sessions):
        session = project.sessions.add_session(f"Session {s + 1}", "focus_group")
        session_ids.append(session.id)
        drafts, t = [], 0
        for _ in range(args.per_session):
            dur = rng.randint(2000, 8000)
            speaker = f"P{rng.randint(1, 8)}"
            drafts.append(SegmentDraft(t, t + dur, maker.sentence(), speaker=speaker))
            t += dur + rng.randint(0, 400)
        project.transcript.add_segments(session.id, drafts)
    t_segments = time.perf_counter() - t0
    codes = [
        project.codebook.ensure_code_path(f"Theme {i // 10}/Code {i}").id for i in range(args.codes)
    ]
    seg_ids = [r[0] for r in project.store.rows("SELECT id FROM segments")]
    coders = ["coder-a", "coder-b", "coder-c"]
    with project.transaction():
        for i in range(args.codings):
            project.codebook.apply_code(
                rng.choice(seg_ids), codes[i % len(codes)], coder=coders[i % len(coders)]
            )
    build_s = time.perf_counter() - t0
    project.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size_mb = sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 1e6
    n_segments = project.transcript.segment_count()
    n_codings = len(project.codebook.codings())

    # What researchers search for: content words (topic words and the vocabulary's middle
    # ranks), alone, in pairs, with OR, and as phrases.
    content = TOPIC + maker.words[100:3000]
    queries = (
        [rng.choice(content) for _ in range(50)]
        + [f"{rng.choice(content)} {rng.choice(TOPIC)}" for _ in range(20)]
        + [f"{rng.choice(TOPIC)} OR {rng.choice(content)}" for _ in range(20)]
        + [f'"{rng.choice(FILLER)} {rng.choice(TOPIC)}"' for _ in range(10)]
    )
    search_ms, fts_ms, like_ms = [], [], []
    raw = sqlite3.connect(folder / "project.db")
    for q in queries:
        t = time.perf_counter()
        project.transcript.search(q, limit=50)
        search_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        raw.execute(
            "SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? ORDER BY rank LIMIT 50",
            (q,),
        ).fetchall()
        fts_ms.append((time.perf_counter() - t) * 1000)
    for q in queries[:20]:
        t = time.perf_counter()
        raw.execute("SELECT id FROM segments WHERE text LIKE ?", (f"%{q}%",)).fetchall()
        like_ms.append((time.perf_counter() - t) * 1000)
    common_ms = []
    for word in TOPIC[:10]:  # the most frequent content words: worst case for ranking
        t = time.perf_counter()
        project.transcript.search(word, limit=50)
        common_ms.append((time.perf_counter() - t) * 1000)

    list_ms, list_cpu_ms, raw_list_ms = [], [], []
    for sid in rng.sample(session_ids, min(30, len(session_ids))):
        t, c = time.perf_counter(), time.process_time()
        segs = project.transcript.segments(sid)
        list_ms.append((time.perf_counter() - t) * 1000)
        list_cpu_ms.append((time.process_time() - c) * 1000)
        assert len(segs) == args.per_session
        t = time.perf_counter()
        raw.execute(
            "SELECT * FROM segments WHERE session_id = ? ORDER BY start_ms", (sid,)
        ).fetchall()
        raw_list_ms.append((time.perf_counter() - t) * 1000)

    code_ms = []
    for _ in range(100):
        t = time.perf_counter()
        project.codebook.apply_code(rng.choice(seg_ids), rng.choice(codes), coder="coder-d")
        code_ms.append((time.perf_counter() - t) * 1000)
    raw.close()
    project.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"segments {n_segments:,}  codes {len(codes)}  codings {n_codings:,}")
    print(f"build time            {build_s:8.1f} s   (segments alone {t_segments:.1f} s)")
    print(f"file size             {size_mb:8.1f} MB")
    print(
        f"search (FTS5, ranked) median {statistics.median(search_ms):6.2f} ms  "
        f"p95 {pct(search_ms, 0.95):6.2f} ms   goal < 20 ms | peers: bare FTS5 top-50 median "
        f"{statistics.median(fts_ms):6.2f} ms, LIKE scan median "
        f"{statistics.median(like_ms):7.2f} ms"
    )
    print(
        f"  most frequent content words: median {statistics.median(common_ms):6.2f} ms  "
        f"max {max(common_ms):6.2f} ms"
    )
    print(
        f"list 2,000 segments   median {statistics.median(list_ms):6.2f} ms  "
        f"p95 {pct(list_ms, 0.95):6.2f} ms   goal < 10 ms | peer bare SELECT median "
        f"{statistics.median(raw_list_ms):6.2f} ms"
    )
    print(
        f"  CPU time (not disturbed by other processes): median "
        f"{statistics.median(list_cpu_ms):6.2f} ms"
    )
    print(
        f"apply one coding      median {statistics.median(code_ms):6.2f} ms  "
        f"p95 {pct(code_ms, 0.95):6.2f} ms   goal < 5 ms"
    )
    print(f"peak memory           {peak_mb:8.1f} MB")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
