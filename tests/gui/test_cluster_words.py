"""Transcription ▸ Transcribe on a cluster…: a refused scheduler address is said in the
workbench's words (the dialog has no command-line options), and a tls:// address without
certificates is refused before Dask is reached."""

from __future__ import annotations

import pytest

from gui import cluster_dialog
from storage.core.errors import FieldScribeError
from transcribe.cluster_address import TlsMissingError, check_address

pytest.importorskip("distributed")


def test_a_tls_address_without_certificates_is_refused_in_plain_words() -> None:
    """tls://10.0.0.5 with no certificates passed the check and Dask said "TLS expects a
    `ssl_context` argument of type ssl.SSLContext … Instead got None"."""
    with pytest.raises(TlsMissingError, match="needs TLS certificates"):
        check_address("tls://127.0.0.1:8786")
    assert check_address("tls://127.0.0.1:8786", tls=True) == "tls://127.0.0.1:8786"
    assert check_address("127.0.0.1") == "tcp://127.0.0.1:8786"


@pytest.mark.parametrize("address", ["tcp://8.8.8.8:8786", "tls://127.0.0.1:8786"])
def test_the_workbench_says_what_to_do_without_command_line_options(address: str) -> None:
    """The public address's refusal told a workbench user to "pass --allow-remote with a
    tls:// address and TLS certificates (--tls-ca-file, --tls-cert, --tls-key)"."""
    run = cluster_dialog.cluster_transcriber({"address": address})
    with pytest.raises(FieldScribeError) as caught:
        run(None, "sid")
    said = str(caught.value)
    assert "--" not in said and "ssl_context" not in said, said
    assert "command line" in said and "Nothing was changed." in said
