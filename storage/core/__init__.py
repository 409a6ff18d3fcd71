"""The base of the store: connection and transactions (``Store``), schema and migrations, ids,
lock, atomic writes, errors, the shared dataclasses and audio probing. Imports nothing above it."""
