"""The base of the store, imported by every feature and nothing below it.

Connection and transactions (``Store``), schema and migrations, ids, the lock, atomic writes,
errors, the shared dataclasses, segment rows and audio probing."""
