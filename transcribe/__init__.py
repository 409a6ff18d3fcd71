"""Audio decoding and local Whisper transcription. No Qt here."""

import os

# onnxruntime (faster-whisper's voice detection; the speakers extra) writes a device id and a
# queue of usage events for Microsoft's telemetry into ~/.cache/Microsoft/DeveloperTools on its
# first session (1.32 does, on Linux too). Nothing about the machine a study runs on is recorded
# for anyone: off, before any module of this package can load onnxruntime, which reads the
# variable once, when it is loaded. Set to 0 by hand, it stays as set.
if not os.environ.get("ORT_DISABLE_TELEMETRY"):
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
