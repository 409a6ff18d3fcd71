"""Transformers checkpoints (most community fine-tunes, the Kazakh ones among them) converted to
CTranslate2 at install or import, against a local server shaped like the hub.

The checkpoints are tiny random Whisper models (one layer, 64 wide) saved by Transformers itself,
with the multilingual tokenizer of the ``base`` model: what they write is noise, but they are
converted, checked and loaded exactly like a real fine-tune.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import wave
import zipfile
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.hub_server import FakeHub, HubServer, use_hub
from transcribe import model_convert
from transcribe.model_convert import ConverterMissingError, is_transformers_whisper
from transcribe.model_download import install_model
from transcribe.model_store import NotAWhisperModelError, import_model, verify_model
from transcribe.models import list_models, model_cache_dir, resolve_model

# Looked up, not imported: importing torch and Transformers here cost every test process about
# 3 s of CPU at collection, whether or not it ran this file (make_checkpoint imports them).
pytestmark = pytest.mark.skipif(
    find_spec("transformers") is None or find_spec("torch") is None,
    reason="the convert extra (scripts/setup.sh --with-converter)",
)


def _base_tokenizer() -> Path:
    try:
        return resolve_model("base").path / "tokenizer.json"
    except Exception:
        pytest.skip("the multilingual base model is not installed")


def make_checkpoint(
    folder: Path,
    *,
    mels: int = 80,
    shards: bool = False,
    old_tokenizer: bool = False,
    model_type: str = "whisper",
    extras: bool = True,
) -> Path:
    """Save a tiny random Whisper checkpoint the way Transformers publishes one."""
    import torch
    from transformers import WhisperConfig, WhisperForConditionalGeneration

    tokenizer = json.loads(_base_tokenizer().read_text(encoding="utf-8"))
    token = {t["content"]: t["id"] for t in tokenizer["added_tokens"]}
    config = WhisperConfig(
        vocab_size=51865,
        d_model=64,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        num_mel_bins=mels,
        # the multilingual token layout, as OpenAI's checkpoints have it
        bos_token_id=token["<|endoftext|>"],
        eos_token_id=token["<|endoftext|>"],
        pad_token_id=token["<|endoftext|>"],
        decoder_start_token_id=token["<|startoftranscript|>"],
        begin_suppress_tokens=[220, token["<|endoftext|>"]],
    )
    torch.manual_seed(0)
    model = WhisperForConditionalGeneration(config)
    if not old_tokenizer:  # a generation config with the languages, as Transformers writes now
        languages = {c: i for c, i in token.items() if len(c) in (6, 7) and c[2:-2].isalpha()}
        model.generation_config.lang_to_id = languages
        model.generation_config.task_to_id = {"transcribe": token["<|transcribe|>"]}
        model.generation_config.is_multilingual = True
    model.save_pretrained(folder, max_shard_size="4MB" if shards else "10GB")
    if old_tokenizer:  # saved before Transformers wrote generation configs (2022)
        (folder / "generation_config.json").unlink(missing_ok=True)
    if old_tokenizer:  # as Whisper fine-tunes of 2022 were saved: no tokenizer.json
        bpe = tokenizer["model"]
        (folder / "vocab.json").write_text(json.dumps(bpe["vocab"], ensure_ascii=False))
        merges = [m if isinstance(m, str) else " ".join(m) for m in bpe["merges"]]
        (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
        added = {t["content"]: t["id"] for t in tokenizer["added_tokens"]}
        (folder / "added_tokens.json").write_text(json.dumps(added, ensure_ascii=False))
        special = dict.fromkeys(("bos_token", "eos_token", "unk_token"), "<|endoftext|>")
        (folder / "special_tokens_map.json").write_text(json.dumps(special))
    else:
        shutil.copy(_base_tokenizer(), folder / "tokenizer.json")
    if model_type != "whisper":
        data = json.loads((folder / "config.json").read_text())
        data["model_type"] = model_type
        (folder / "config.json").write_text(json.dumps(data))
    if extras:  # what training leaves in a repository, never fetched
        (folder / "training_args.bin").write_bytes(b"\x80\x04training")
        (folder / "optimizer.pt").write_bytes(b"\x80\x04optimizer" * 100)
        (folder / "README.md").write_text("# whisper-tiny-kk\n")
    return folder


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("checkpoints")
    return {
        "plain": make_checkpoint(root / "plain"),
        "sharded": make_checkpoint(root / "sharded", shards=True),
        "old": make_checkpoint(root / "old", old_tokenizer=True),
        "v3": make_checkpoint(root / "v3", mels=128),
        "wav2vec2": make_checkpoint(root / "wav2vec2", model_type="wav2vec2"),
    }


@pytest.fixture(scope="module")
def server(checkpoints: dict[str, Path]) -> Iterator[FakeHub]:
    hub = FakeHub()
    for kind, folder in checkpoints.items():
        hub.add_repo(f"kazakh-lab/whisper-{kind}-kk", folder)
    with HubServer(hub) as running:
        yield running


@pytest.fixture
def hub(server: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    use_hub(server, tmp_path, monkeypatch)
    return server


def _fetched(hub: FakeHub) -> set[str]:
    return {p.rsplit("/", 1)[-1] for m, p, _ in hub.requests if m == "GET" and "/resolve/" in p}


def _visible(cache: Path) -> list[str]:
    if not cache.is_dir():
        return []
    return sorted(p.name for p in cache.iterdir() if not p.name.startswith("."))


def _speech_wav(path: Path, seconds: float = 3.0) -> Path:
    t = np.arange(int(16000 * seconds)) / 16000
    tone = (0.2 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t))).astype(np.float32)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((tone * 32767).astype("<i2").tobytes())
    return path


def _runs(model_dir: Path, wav: Path) -> None:
    """faster-whisper loads the converted folder offline and decodes audio with it."""
    from faster_whisper import WhisperModel

    model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=1)
    segments, info = model.transcribe(str(wav), language="kk", beam_size=1, max_new_tokens=8)
    list(segments)
    assert info.language == "kk"


@pytest.mark.parametrize("kind", ["plain", "sharded", "old", "v3"])
def test_install_converts_a_transformers_checkpoint(
    hub: FakeHub, tmp_path: Path, kind: str
) -> None:
    repo = f"kazakh-lab/whisper-{kind}-kk"
    seen: list[str] = []
    result = install_model(repo, progress=lambda p: seen.append(p.filename))
    assert result.status == "installed"
    assert seen[-1] == "converting to CTranslate2"
    info = result.model
    assert info.path is not None and info.multilingual
    names = {p.name for p in info.path.iterdir()}
    assert {"model.bin", "config.json", "tokenizer.json", "preprocessor_config.json"} <= names
    assert not names & {"model.safetensors", "pytorch_model.bin", "optimizer.pt"}
    # only what the conversion reads came over the wire: no optimizer state, no training args
    fetched = _fetched(hub)
    assert "config.json" in fetched and not fetched & {"optimizer.pt", "training_args.bin"}
    assert not fetched & {"README.md"}
    manifest = json.loads((info.path / "fieldscribe-model.json").read_text())
    assert manifest["converted_from"]["format"] == "transformers"
    assert "float16" in manifest["conversion"]
    assert manifest["files"]["model.bin"]["sha256"]  # what verify checks is the converted model
    assert verify_model(info.name).name == info.name
    mels = json.loads((info.path / "preprocessor_config.json").read_text())["feature_size"]
    assert mels == (128 if kind == "v3" else 80)
    # the model identifies languages: CTranslate2 knows Whisper's 99 language tokens
    config = json.loads((info.path / "config.json").read_text())
    assert len(config["lang_ids"]) == 99
    from faster_whisper import WhisperModel

    loaded = WhisperModel(str(info.path), device="cpu", compute_type="int8", cpu_threads=1)
    from transcribe.lid_check import heard_probe

    assert len(heard_probe(loaded)) == 99
    if kind == "old":  # the tokenizer written from vocab.json/merges.txt is the original one
        import tokenizers

        ours = tokenizers.Tokenizer.from_file(str(info.path / "tokenizer.json"))
        theirs = tokenizers.Tokenizer.from_file(str(_base_tokenizer()))
        for text in ("Сәлеметсіз бе, қалайсыз?", "Zoom арқылы", "<|kk|><|transcribe|>"):
            assert ours.encode(text).ids == theirs.encode(text).ids
    assert resolve_model(repo).path == info.path
    assert repo in {m.name for m in list_models()}
    _runs(info.path, _speech_wav(tmp_path / "tone.wav"))
    assert not (model_cache_dir() / ".staging" / repo.replace("/", "--")).exists()


def test_without_the_converter_nothing_is_downloaded(
    hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_convert, "converter_available", lambda: False)
    with pytest.raises(ConverterMissingError) as caught:
        install_model("kazakh-lab/whisper-plain-kk")
    message = str(caught.value)
    assert "\n" not in message and "scripts/setup.sh --with-converter" in message
    assert _fetched(hub) == set()
    assert _visible(model_cache_dir()) == []


def test_a_checkpoint_of_another_model_is_refused_before_its_weights(hub: FakeHub) -> None:
    with pytest.raises(NotAWhisperModelError, match=r"not a Whisper model.*wav2vec2"):
        install_model("kazakh-lab/whisper-wav2vec2-kk")
    assert "model.safetensors" not in _fetched(hub)
    assert _visible(model_cache_dir()) == []


def test_a_checkpoint_that_does_not_convert_leaves_nothing_behind(
    hub: FakeHub, checkpoints: dict[str, Path], tmp_path: Path
) -> None:
    """Weights damaged at the source (the hub's checksums are of the damaged file): one line,
    nothing installed, and the gigabytes of a failed attempt are not kept in the staging."""
    folder = tmp_path / "broken"
    shutil.copytree(checkpoints["plain"], folder)
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    hub.add_repo("kazakh-lab/whisper-broken-kk", folder)
    with pytest.raises(model_convert.ConversionError) as caught:
        install_model("kazakh-lab/whisper-broken-kk")
    assert "cannot convert" in str(caught.value) and "\n" not in str(caught.value)
    assert _visible(model_cache_dir()) == []
    staging = model_cache_dir() / ".staging"
    assert not staging.exists() or not any(staging.rglob("*.safetensors"))


def test_a_checkpoint_without_a_tokenizer_is_refused_before_downloading(
    hub: FakeHub, checkpoints: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "notok"
    shutil.copytree(checkpoints["plain"], folder)
    (folder / "tokenizer.json").unlink()
    hub.add_repo("kazakh-lab/whisper-notok-kk", folder)
    with pytest.raises(NotAWhisperModelError, match=r"no tokenizer"):
        install_model("kazakh-lab/whisper-notok-kk")
    assert _fetched(hub) == set()


def test_import_converts_a_checkpoint_folder_and_leaves_it_as_it_was(
    hub: FakeHub, checkpoints: dict[str, Path], tmp_path: Path
) -> None:
    source = checkpoints["old"]
    before = {p.name: p.read_bytes() for p in source.iterdir()}
    assert is_transformers_whisper(source)
    info = import_model(source, name="kk-fine-tune")
    assert info.path is not None and (info.path / "model.bin").is_file()
    assert json.loads((info.path / "fieldscribe-model.json").read_text())["conversion"]
    assert {p.name: p.read_bytes() for p in source.iterdir()} == before
    assert verify_model("kk-fine-tune").name == "kk-fine-tune"
    _runs(info.path, _speech_wav(tmp_path / "tone.wav"))


def test_import_without_the_converter_and_of_an_archived_checkpoint_change_nothing(
    hub: FakeHub, checkpoints: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "kk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in checkpoints["plain"].iterdir():
            zf.write(path, f"kk/{path.name}")
    with pytest.raises(NotAWhisperModelError, match=r"Transformers checkpoint.*unpack it"):
        import_model(archive)
    monkeypatch.setattr(model_convert, "converter_available", lambda: False)
    with pytest.raises(ConverterMissingError, match=r"--with-converter"):
        import_model(checkpoints["plain"], name="kk")
    assert _visible(model_cache_dir()) == []
    assert not (model_cache_dir() / ".staging").exists()


@pytest.mark.parametrize("suffix", [".zip", ".tar.gz"])
def test_an_archived_checkpoint_of_another_kind_is_refused_as_such(
    hub: FakeHub, checkpoints: dict[str, Path], tmp_path: Path, suffix: str
) -> None:
    """An archive of a wav2vec2 (or BERT...) checkpoint was told "unpack it and import the
    folder (FieldScribe converts it)", which then refused the folder as not Whisper: the
    archive's config.json is read and it is refused at once, as the folder and the hub are."""
    archive = tmp_path / f"asr{suffix}"
    files = sorted(checkpoints["wav2vec2"].iterdir())
    if suffix == ".zip":
        with zipfile.ZipFile(archive, "w") as zf:
            for path in files:
                zf.write(path, f"asr/{path.name}")
    else:
        with tarfile.open(archive, "w:gz") as tf:
            for path in files:
                tf.add(path, f"asr/{path.name}")
    with pytest.raises(NotAWhisperModelError) as refused:
        import_model(archive)
    said = str(refused.value)
    assert "not a Whisper model" in said and "'wav2vec2'" in said, said
    assert "unpack" not in said and "\n" not in said
    assert _visible(model_cache_dir()) == []
    assert not (model_cache_dir() / ".staging").exists()


def test_a_conversion_draws_no_progress_bars_of_its_own(
    hub: FakeHub, checkpoints: dict[str, Path], capfd: pytest.CaptureFixture[str]
) -> None:
    """Importing a checkpoint printed Transformers' bars ("Loading weights: 100%|███…",
    "Writing model shards") among the command's own lines, --json mode included."""
    from main import main as cli

    capfd.readouterr()
    assert cli(["models", "import", str(checkpoints["plain"]), "--name", "kk-quiet"]) == 0
    out, err = capfd.readouterr()
    assert "Imported kk-quiet" in out
    assert "%|" not in err and "Loading weights" not in err and "shards" not in err, err


def test_cli_installs_a_checkpoint_and_says_it_was_converted(
    hub: FakeHub, capsys: pytest.CaptureFixture[str]
) -> None:
    from main import main as cli

    assert cli(["models", "install", "kazakh-lab/whisper-plain-kk"]) == 0
    out = capsys.readouterr().out
    assert "converted" in out.lower() and "kazakh-lab/whisper-plain-kk" in out
    refused = cli(["models", "install", "kazakh-lab/whisper-wav2vec2-kk"])
    err = capsys.readouterr().err.strip()
    assert refused != 0 and len(err.splitlines()) == 1 and "wav2vec2" in err


def test_only_openais_own_models_are_trusted_to_identify_without_a_check(
    hub: FakeHub, checkpoints: dict[str, Path]
) -> None:
    from transcribe import lid_check
    from transcribe.models import ModelInfo

    def info(source: str) -> ModelInfo:
        return ModelInfo("m", None, True, 0, source)

    assert lid_check.trusted(info("package (base-model)"))
    assert lid_check.trusted(info("installed (Systran/faster-whisper-small)"))
    assert lid_check.trusted(info("huggingface (mobiuslabsgmbh/faster-whisper-large-v3-turbo)"))
    assert not lid_check.trusted(info("installed (kazakh-lab/whisper-kk)"))
    assert not lid_check.trusted(info("installed (openai/whisper-small, converted)"))
    assert not lid_check.trusted(info("imported"))
    assert not lid_check.trusted(info("folder"))


def test_a_fine_tune_that_names_one_language_leaves_identification_to_base(
    hub: FakeHub,
    checkpoints: dict[str, Path],
    project: Any,
    speech_wav: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fine-tune's own identification is heard once on the English demo: this one (random
    weights, as broken as a one-language fine-tune's) does not hear it as English, so ``base``
    identifies each stretch and the fine-tune transcribes it in the language found; the summary
    says so, and the next run does not hear the demo again."""
    from transcribe import lid_check
    from transcribe.engine import Transcriber
    from transcribe.runner import transcribe_session

    import_model(checkpoints["plain"], name="kk-fine-tune")
    project.set_languages(["ru", "kk", "en"])
    session = project.sessions.import_audio(speech_wav)
    used: list[str] = []
    original = Transcriber.identify_with

    def spy(self: Transcriber, info: Any) -> None:
        used.append(info.name)
        original(self, info)
        assert self._identifier.lid is not self.model  # base identifies, the fine-tune decodes

    monkeypatch.setattr(Transcriber, "identify_with", spy)
    summary = transcribe_session(project, session.id, model="kk-fine-tune", threads=1)
    assert used == ["base"]
    note = " ".join(summary.notes)
    assert "kk-fine-tune heard FieldScribe's English demo recording as" in note
    assert "identified with base" in note
    # base hears the espeak-ng English as English (or, unsure, reads it in each language: the
    # random fine-tune reads nothing, so the stretch is left without transcript)
    languages = {s.language for s in project.transcript.segments(session.id)}
    assert languages and languages <= {"en", None}
    checks = json.loads((model_cache_dir() / lid_check.CACHE).read_text())
    assert [entry["ok"] for entry in checks.values()] == [False]

    def never(model: Any) -> dict[str, float]:
        raise AssertionError("the demo is heard once per model")

    monkeypatch.setattr(lid_check, "heard_probe", never)
    used.clear()
    transcribe_session(project, session.id, model="kk-fine-tune", threads=1, replace=True)
    assert used == ["base"]
