"""Offline speaker diarization: embedding backend, clustering, merge with the transcript."""
