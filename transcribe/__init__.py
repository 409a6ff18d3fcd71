"""Audio decoding and local Whisper transcription. No Qt here."""
