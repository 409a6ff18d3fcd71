"""A small HTTP server on 127.0.0.1 shaped like the Hugging Face hub, for install tests.

It answers what huggingface_hub 2.x asks and what ``transcribe.model_download`` uses:

- ``GET /api/models/OWNER/REPO/revision/REV[?blobs=true]``: JSON with ``id``, ``sha`` (the
  commit) and ``siblings`` (``rfilename``, ``size``, ``blobId`` and, for LFS files, ``lfs``
  with ``sha256``, ``size`` and ``pointerSize``); an unknown repository gets 404 with
  ``X-Error-Code: RepoNotFound`` as the hub sends;
- ``HEAD`` / ``GET /OWNER/REPO/resolve/REV/FILE``: ``X-Repo-Commit``, ``ETag`` (the sha256 of an
  LFS file, the git blob id of a small one), ``X-Linked-Etag`` and ``X-Linked-Size`` for LFS
  files, ``Content-Length``, ``Accept-Ranges``; ``Range: bytes=N-`` gets 206 with
  ``Content-Range``.

Faults for tests: ``cut[file] = n`` closes the connection after n bytes of the next GET of that
file; ``trickle[file] = (n, s)`` sends n bytes of each GET of that file at once, then one byte
every s seconds (a server that never stops and never gets on); ``fail_gets = True`` answers 500
to every file GET; ``corrupt`` serves changed bytes (the announced checksums stay the real
ones); ``config_in_info = False`` leaves ``config`` out of the answer about a repository;
``portal = True`` answers every request 200 with an HTML login page, as a network that wants you
to sign in first does. ``requests`` records (method, path, Range header).
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

COMMIT = "0123456789abcdef0123456789abcdef01234567"
LFS_FILES = {"model.bin", "tokenizer.json"}  # and weights: *.safetensors, *.bin


@dataclass
class HubFile:
    data: bytes
    sha256: str
    git_sha1: str
    lfs: bool


@dataclass
class FakeHub:
    repos: dict[str, dict[str, HubFile]] = field(default_factory=dict)
    cut: dict[str, int] = field(default_factory=dict)
    trickle: dict[str, tuple[int, float]] = field(default_factory=dict)
    corrupt: set[str] = field(default_factory=set)
    fail_gets: bool = False
    #: the hub's answer about a repository holds its config.json's fields (``config``:
    #: ``model_type``, ``architectures``) as the real hub's does; False: as a mirror that does not
    config_in_info: bool = True
    portal: bool = False
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    url: str = ""

    def add_repo(self, repo: str, folder: Path) -> None:
        files = {}
        for path in sorted(folder.iterdir()):
            if path.is_file():
                data = path.read_bytes()
                blob = hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()
                files[path.name] = HubFile(
                    data,
                    hashlib.sha256(data).hexdigest(),
                    blob,
                    path.name in LFS_FILES or path.suffix in (".safetensors", ".bin"),
                )
        self.repos[repo] = files

    def reset(self) -> None:
        """No faults, no requests recorded: as a module's server is between its tests."""
        self.cut.clear()
        self.trickle.clear()
        self.corrupt.clear()
        self.fail_gets = False
        self.config_in_info = True
        self.portal = False
        self.requests.clear()

    def file_gets(self, name: str) -> list[str | None]:
        """The Range headers of the GETs of one file, in order."""
        return [r for m, p, r in self.requests if m == "GET" and p.endswith("/" + name)]


def use_hub(hub: FakeHub, home: Path, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    """Point this process and the commands it starts at ``hub``, reset, with FieldScribe's
    and Hugging Face's caches under ``home``."""
    hub.reset()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("HF_HOME", str(home / "hfhome"))
    monkeypatch.setenv("HF_HUB_CACHE", str(home / "hfhome" / "hub"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    return hub


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _not_found(self, code: str) -> None:
            body = json.dumps({"error": f"{code}"}).encode()
            self._send(
                404,
                body,
                {"Content-Type": "application/json", "X-Error-Code": code, "X-Error-Message": code},
            )

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            hub.requests.append((self.command, path, self.headers.get("Range")))
            if hub.portal:
                page = b"<html><body>Welcome! Sign in to use the network.</body></html>"
                self._send(200, page, {"Content-Type": "text/html"})
                return
            parts = path.strip("/").split("/")
            if parts[:2] == ["api", "models"] and len(parts) >= 6 and parts[4] == "revision":
                self._info("/".join(parts[2:4]))
            elif len(parts) >= 5 and parts[2] == "resolve":
                self._file("/".join(parts[:2]), "/".join(parts[4:]))
            else:
                self._not_found("RepoNotFound")

        def _info(self, repo: str) -> None:
            files = hub.repos.get(repo)
            if files is None:
                self._not_found("RepoNotFound")
                return
            siblings = []
            for name, f in files.items():
                sib: dict[str, object] = {"rfilename": name, "size": len(f.data)}
                if f.lfs:
                    sib["blobId"] = hashlib.sha1(f.sha256.encode()).hexdigest()  # the pointer's
                    sib["lfs"] = {"sha256": f.sha256, "size": len(f.data), "pointerSize": 134}
                else:
                    sib["blobId"] = f.git_sha1
                siblings.append(sib)
            answer: dict[str, object] = {
                "id": repo,
                "modelId": repo,
                "sha": COMMIT,
                "private": False,
                "siblings": siblings,
            }
            if hub.config_in_info and "config.json" in files:
                try:
                    config = json.loads(files["config.json"].data)
                except ValueError:
                    config = None
                if isinstance(config, dict):
                    keep = ("model_type", "architectures")
                    answer["config"] = {k: config[k] for k in keep if k in config}
            body = json.dumps(answer).encode()
            self._send(200, body, {"Content-Type": "application/json"})

        def _file(self, repo: str, name: str) -> None:
            files = hub.repos.get(repo)
            if files is None:
                self._not_found("RepoNotFound")
                return
            f = files.get(name)
            if f is None:
                self._not_found("EntryNotFound")
                return
            data = f.data
            if name in hub.corrupt:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            headers = {
                "X-Repo-Commit": COMMIT,
                "Accept-Ranges": "bytes",
                "Content-Type": "application/octet-stream",
            }
            if f.lfs:
                headers["ETag"] = f'"{f.sha256}"'
                headers["X-Linked-Etag"] = f'"{f.sha256}"'
                headers["X-Linked-Size"] = str(len(f.data))
            else:
                headers["ETag"] = f'"{f.git_sha1}"'
            if self.command == "HEAD":
                self._send(200, data, headers)
                return
            if hub.fail_gets:
                self._send(500, b"server error", {"Content-Type": "text/plain"})
                return
            status, start = 200, 0
            wanted = self.headers.get("Range")
            if wanted and wanted.startswith("bytes=") and wanted.endswith("-"):
                start = int(wanted[len("bytes=") : -1])
                status = 206
                headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
            body = data[start:]
            slow = hub.trickle.get(name)
            if slow is not None:
                self._trickle(status, headers, body, *slow)
                return
            cut = hub.cut.pop(name, None)
            if cut is None:
                self._send(status, body, headers)
                return
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

        def _trickle(
            self, status: int, headers: dict[str, str], body: bytes, n: int, every_s: float
        ) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:n])
            self.wfile.flush()
            self.close_connection = True
            try:
                for i in range(n, min(len(body), n + 600)):  # a few minutes at most
                    time.sleep(every_s)
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()
            except OSError:  # the client gave up: what the test wants
                pass

    return Handler


class HubServer:
    """Run a ``FakeHub`` on 127.0.0.1 (a free port) in a thread."""

    def __init__(self, hub: FakeHub) -> None:
        self.hub = hub
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hub))
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        hub.url = f"http://{host!s}:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self.hub

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
