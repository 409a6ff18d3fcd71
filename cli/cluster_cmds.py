"""Commands and options for transcribing on a Dask cluster (docs/cluster.md).

``fieldscribe worker ADDRESS`` starts workers for a scheduler; ``transcribe --cluster ADDRESS``
and ``transcribe --workers N`` (options added here to the transcribe command) send the pieces
of the recordings to them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storage.core.errors import InvalidInputError

from .common import bounded_int
from .output import plural


def register(sub: Any) -> None:
    """Add ``fieldscribe worker``."""
    p = sub.add_parser(
        "worker",
        help="run FieldScribe transcription workers for a Dask scheduler (docs/cluster.md)",
        description="Start Dask workers that transcribe for `fieldscribe transcribe --cluster "
        "ADDRESS`: one single-threaded worker per --nworkers, the model loaded once per "
        "worker, CUDA where a GPU is present. Workers keep nothing after a job. Same as "
        "`dask worker ADDRESS --nthreads 1 --preload transcribe.cluster_worker`.",
    )
    p.add_argument("address", metavar="ADDRESS", help="the scheduler, tcp://HOST:8786")
    p.add_argument(
        "--nworkers", type=bounded_int(1, 256), default=1, metavar="N", help="workers (default 1)"
    )
    p.add_argument("--model", metavar="NAME", help="load this model when each worker starts")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="default auto")
    p.add_argument(
        "--threads", type=bounded_int(1, 64), default=1, metavar="N", help="CPU threads a worker"
    )
    p.add_argument("--memory-limit", default="auto", help="per worker, e.g. 4GB (default auto)")
    add_tls_options(p)
    p.set_defaults(func=cmd_worker)


def add_tls_options(p: argparse.ArgumentParser) -> None:
    """--allow-remote and the TLS files."""
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a scheduler outside loopback and private networks (needs TLS)",
    )
    p.add_argument("--tls-ca-file", metavar="FILE", help="TLS: the certificate authority")
    p.add_argument("--tls-cert", metavar="FILE", help="TLS: this machine's certificate")
    p.add_argument("--tls-key", metavar="FILE", help="TLS: this machine's private key")


def add_cluster_options(p: argparse.ArgumentParser) -> None:
    """The transcribe command's cluster options."""
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="transcribe on the Dask scheduler at tcp://HOST:8786 (docs/cluster.md)",
    )
    where.add_argument(
        "--workers",
        type=bounded_int(1, 256),
        metavar="N",
        help="transcribe with N single-threaded worker processes on this machine (Dask)",
    )
    p.add_argument(
        "--shared-media",
        metavar="DIR",
        type=Path,
        help="with --cluster: where every worker reads this project's media/ folder (else the "
        "audio is sent to the workers)",
    )
    p.add_argument(
        "--piece-seconds",
        type=bounded_int(10, 3600),
        metavar="S",
        help="with --cluster/--workers: cut recordings into pieces of about S seconds, in "
        "pauses (default 300)",
    )
    p.add_argument(
        "--connect-timeout",
        type=bounded_int(1, 600),
        default=10,
        metavar="S",
        help=argparse.SUPPRESS,
    )
    add_tls_options(p)


def wants_cluster(args: argparse.Namespace) -> bool:
    """Whether the transcribe command runs on a cluster."""
    if getattr(args, "cluster", None) is None and getattr(args, "workers", None) is None:
        for name in ("shared_media", "piece_seconds"):
            if getattr(args, name, None) is not None:
                option = "--" + name.replace("_", "-")
                raise InvalidInputError(f"{option} goes with --cluster or --workers.")
        return False
    if args.shared_media is not None and args.cluster is None:
        raise InvalidInputError("--shared-media goes with --cluster.")
    return True


@contextlib.contextmanager
def cluster_from_args(args: argparse.Namespace) -> Iterator[Any]:
    """The ``transcribe.cluster.Cluster`` the options ask for, closed afterwards."""
    from transcribe.cluster import open_cluster, tls_security
    from transcribe.engine import WINDOW_S

    security = tls_security(args.tls_ca_file, args.tls_cert, args.tls_key)
    with open_cluster(
        args.cluster,
        workers=args.workers,
        allow_remote=args.allow_remote,
        security=security,
        shared_media=args.shared_media,
        piece_s=float(args.piece_seconds or WINDOW_S),
        timeout_s=float(args.connect_timeout),
    ) as cluster:
        yield cluster


def cmd_worker(args: argparse.Namespace) -> int:
    """fieldscribe worker ADDRESS."""
    from transcribe.cluster import check_address, tls_security
    from transcribe.cluster_worker import fieldscribe_version
    from transcribe.model_load import pick_device
    from transcribe.models import resolve_model

    security = tls_security(args.tls_ca_file, args.tls_cert, args.tls_key)
    address = check_address(args.address, allow_remote=args.allow_remote, tls=security is not None)
    if args.model:
        resolve_model(args.model)  # refuse a missing model here, not in every worker
        os.environ["FIELDSCRIBE_WORKER_MODEL"] = args.model
    os.environ["FIELDSCRIBE_WORKER_DEVICE"] = args.device
    os.environ["FIELDSCRIBE_WORKER_THREADS"] = str(args.threads)
    device = pick_device(args.device)[0]
    print(
        f"FieldScribe {fieldscribe_version()}: {plural(args.nworkers, 'worker')} on {device}"
        f"{f', model {args.model}' if args.model else ''}, for {address} (Ctrl+C stops them).",
        file=sys.stderr,
        flush=True,
    )
    try:
        asyncio.run(_run_workers(address, args, security))
    except KeyboardInterrupt:
        return 130
    return 0


async def _run_workers(address: str, args: argparse.Namespace, security: Any) -> None:
    from distributed import Nanny

    nannies = [
        Nanny(
            address,
            nthreads=1,
            security=security,
            preload=["transcribe.cluster_worker"],
            memory_limit=args.memory_limit,
            death_timeout=60,
            data=dict,  # results stay in memory: Dask's default spills them to files
        )
        for _ in range(args.nworkers)
    ]
    try:
        await asyncio.gather(*nannies)
        await asyncio.gather(*(n.finished() for n in nannies))
    finally:
        for nanny in nannies:
            with contextlib.suppress(Exception):
                await nanny.close()
