"""A scheduler that requires TLS: FieldScribe connects with the three files (--tls-ca-file,
--tls-cert, --tls-key) and transcribes over it; a plain connection is refused."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from storage import Project
from transcribe.cluster import ClusterError, open_cluster, tls_security
from transcribe.runner import transcribe_session

distributed = pytest.importorskip("distributed")


def test_transcribe_over_tls(tmp_path: Path, project: Project, speech_wav: Path) -> None:
    from distributed import LocalCluster
    from distributed.security import Security

    server = Security.temporary()  # a throwaway CA and certificate (PEM text)
    files = {}
    for name, pem in (
        ("ca", server.tls_ca_file),
        ("cert", server.tls_client_cert),
        ("key", server.tls_client_key),
    ):
        files[name] = tmp_path / f"{name}.pem"
        files[name].write_text(pem)
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        protocol="tls://",
        host="127.0.0.1",
        security=server,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as local:
        address = local.scheduler_address
        assert address.startswith("tls://")
        with pytest.raises(ClusterError, match="Cannot reach the Dask scheduler"):
            with open_cluster(address.replace("tls://", "tcp://"), timeout_s=2):
                pass
        security = tls_security(*(str(files[n]) for n in ("ca", "cert", "key")))
        assert security.require_encryption
        project.set_languages("en")
        sid = project.sessions.import_audio(speech_wav).id
        with open_cluster(address, security=security) as cluster:
            transcribe_session(project, sid, engine=cluster.engine())
        text = " ".join(s.text for s in project.transcript.segments(sid)).lower()
        assert "village" in text
