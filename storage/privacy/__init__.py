"""Research ethics: consent, pseudonyms, redaction, encryption and the audit log.

Also the privacy-filtered view that exports read. ``project.privacy``, ``project.redactions``,
``project.audit``. May import ``storage.core`` only."""
