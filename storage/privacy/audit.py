"""The audit log: who exported, merged, redacted or destroyed what, and when."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from storage.core.ids import new_id
from storage.core.store import Store
from storage.privacy.audit_targets import target_names
from storage.privacy.models import AuditEntry

if TYPE_CHECKING:
    from storage.project import Project


class AuditLog:
    """Writing and reading the project's audit log."""

    def __init__(self, store: Store, project: Project) -> None:
        self._store = store
        self._project = project

    # ----------------------------------------------------------------- audit log
    def log_event(
        self,
        action: str,
        target_type: str | None = None,
        target_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Record who did what in the audit log (in the caller's transaction, if any).

        Never put hidden text or real names in ``details``.
        """
        stamp = self._store.stamp()
        entry = AuditEntry(
            id=new_id(),
            at=stamp["created_at"],
            actor=self._store.coder,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=dict(details or {}),
        )
        with self._store.tx() as db:
            db.conn.execute(
                "INSERT INTO audit_log (id, at, actor, action, target_type, target_id, details,"
                " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.id,
                    entry.at,
                    entry.actor,
                    action,
                    target_type,
                    target_id,
                    json.dumps(entry.details, ensure_ascii=False, sort_keys=True),
                    stamp["created_by"],
                    stamp["created_at"],
                    stamp["updated_at"],
                ),
            )
        return entry

    def entries(self, *, action: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        """Return audit-log entries, oldest first (``limit``: only the newest ``limit``)."""
        sql = "SELECT * FROM audit_log"
        params: list[Any] = []
        if action:
            sql += " WHERE action = ?"
            params.append(action)
        sql += " ORDER BY at DESC, rowid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        rows = self._store.rows(sql, params)
        return [
            AuditEntry(
                id=r["id"],
                at=r["at"],
                actor=r["actor"],
                action=r["action"],
                target_type=r["target_type"],
                target_id=r["target_id"],
                details=json.loads(r["details"] or "{}"),
            )
            for r in reversed(rows)
        ]

    def target_names(self, entries: list[AuditEntry]) -> dict[str, str]:
        """Each entry's target named as a researcher knows it (a session's title, a segment's
        session, time and first words, a participant's label...), by entry id; see
        ``storage.privacy.audit_targets``."""
        return target_names(self._store, entries)
