"""A real PulseAudio server with a virtual microphone, for the recording tests.

``pulse_mic`` (session scope) starts a private ``pulseaudio`` daemon (its socket, runtime dir and
cookie in a temporary folder), adds a null sink ``fs_sink`` and a source ``fs_mic`` remapped from
its monitor (Qt lists no ``.monitor`` sources), and points ``PULSE_SERVER`` at it for this
process and its children. ``PulseMic.play(wav)`` "speaks" into the microphone. The daemon is
stopped at the end of the session. Without pulseaudio/pactl/paplay the tests are skipped with the
reason (CI installs them through scripts/setup.sh).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SINK = "fs_sink"
MIC = "fs_mic"
RATE = 48000


@dataclass
class PulseMic:
    """The running virtual microphone."""

    server: str
    runtime: Path
    env: dict[str, str]
    mic: str = MIC
    sink: str = SINK
    mic_module: int | None = None
    players: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def pactl(self, *args: str, check: bool = True) -> str:
        """Run pactl against this server and return its output."""
        out = subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10
        )
        if check and out.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)} failed: {out.stderr.strip()}")
        return out.stdout

    def load_mic(self) -> None:
        """(Re)create the virtual microphone ``fs_mic``."""
        if self.mic_module is None:
            self.mic_module = int(
                self.pactl(
                    "load-module",
                    "module-remap-source",
                    f"master={self.sink}.monitor",
                    f"source_name={self.mic}",
                    "channels=1",
                ).strip()
            )
            self.pactl("set-default-source", self.mic)

    def unload_mic(self) -> None:
        """Remove the microphone, as if a USB microphone were unplugged."""
        if self.mic_module is not None:
            self.pactl("unload-module", str(self.mic_module))
            self.mic_module = None

    def sources(self) -> list[str]:
        """Names of the server's sources."""
        return [line.split("\t")[1] for line in self.pactl("list", "short", "sources").splitlines()]

    def play(self, wav: Path) -> subprocess.Popen[bytes]:
        """Start playing a WAV into the microphone (returns the paplay process)."""
        proc = subprocess.Popen(
            ["paplay", "-d", self.sink, str(wav)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.players.append(proc)
        return proc

    def stop_players(self) -> None:
        """Stop every paplay started by ``play``."""
        for proc in self.players:
            if proc.poll() is None:
                proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        self.players.clear()


def _missing_tools() -> list[str]:
    return [tool for tool in ("pulseaudio", "pactl", "paplay") if shutil.which(tool) is None]


class PulseUnavailable(RuntimeError):
    """No PulseAudio server could be started (the reason is the message)."""


def start_pulse() -> PulseMic:
    """Start a private PulseAudio server with ``fs_sink`` and ``fs_mic`` (see module doc).

    Raises:
        PulseUnavailable: the tools are missing or the server did not come up.
    """
    missing = _missing_tools()
    if missing:
        raise PulseUnavailable(
            f"{', '.join(missing)} not installed: the recording tests need a PulseAudio server "
            "(scripts/setup.sh installs pulseaudio and pulseaudio-utils)"
        )
    runtime = Path(tempfile.mkdtemp(prefix="fs-pulse-"))
    socket = runtime / "native"
    env = dict(os.environ)
    env.update(
        XDG_RUNTIME_DIR=str(runtime),
        PULSE_RUNTIME_PATH=str(runtime / "pulse"),
        PULSE_STATE_PATH=str(runtime / "state"),
        PULSE_COOKIE=str(runtime / "cookie"),
        HOME=str(runtime),
    )
    env.pop("PULSE_SERVER", None)
    cmd = [
        "pulseaudio",
        "-D",
        "-n",  # no default.pa: only what we load
        "--exit-idle-time=-1",
        "--disallow-exit",
        "--system=false",
        "--use-pid-file=true",
        f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1",
        f"--log-target=file:{runtime / 'pulse.log'}",
    ]
    started = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
    env["PULSE_SERVER"] = f"unix:{socket}"
    mic = PulseMic(server=env["PULSE_SERVER"], runtime=runtime, env=env)
    try:
        deadline = time.monotonic() + 10
        while True:
            ok = subprocess.run(["pactl", "info"], env=env, capture_output=True, timeout=10)
            if ok.returncode == 0:
                break
            if time.monotonic() > deadline:
                log = (runtime / "pulse.log").read_text(errors="replace")[-2000:]
                raise PulseUnavailable(
                    f"could not start a PulseAudio server ({started.stderr.strip()} {log})"
                )
            time.sleep(0.1)
        mic.pactl(
            "load-module",
            "module-null-sink",
            f"sink_name={SINK}",
            f"rate={RATE}",
            "channels=1",
        )
        mic.load_mic()
        mic.pactl("set-default-sink", SINK)
    except BaseException:
        stop_pulse(mic)
        raise
    return mic


def stop_pulse(mic: PulseMic) -> None:
    """Stop the players and the server started by ``start_pulse``; remove its folder."""
    mic.stop_players()
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            ["pulseaudio", "--kill"], env=mic.env, capture_output=True, timeout=15, check=False
        )
    pid_file = mic.runtime / "pulse" / "pid"
    with contextlib.suppress(OSError, ValueError, IndexError):
        os.kill(int(pid_file.read_text().split()[0]), 9)
    shutil.rmtree(mic.runtime, ignore_errors=True)


@pytest.fixture(scope="session")
def pulse_mic() -> Iterator[PulseMic]:
    """A private PulseAudio server with the virtual microphone ``fs_mic`` (see module doc)."""
    try:
        mic = start_pulse()
    except PulseUnavailable as exc:
        pytest.skip(str(exc))
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("PULSE_SERVER", mic.env["PULSE_SERVER"])
            mp.setenv("PULSE_COOKIE", mic.env["PULSE_COOKIE"])
            yield mic
    finally:
        stop_pulse(mic)


def espeak_wav(path: Path, text: str, *, speed: int = 150) -> Path:
    """Speak ``text`` into a WAV with espeak-ng (skips when espeak-ng is missing)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", str(speed), "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture(scope="session", autouse=True)
def _pulse_before_qt(request: pytest.FixtureRequest) -> None:
    """Start the virtual microphone first when any selected test is marked ``audio``.

    Qt Multimedia connects to the sound server once per process, on first use; a widget test
    that ran earlier would otherwise bind Qt to no server (or the user's) for the whole run.
    """
    if any(item.get_closest_marker("audio") for item in request.session.items):
        with contextlib.suppress(pytest.skip.Exception):
            request.getfixturevalue("pulse_mic")
