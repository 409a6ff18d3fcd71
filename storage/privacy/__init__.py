"""Research ethics: consent, pseudonyms, redaction, encryption, the audit log and the
privacy-filtered view exports read (``project.privacy``, ``project.redactions``,
``project.audit``). May import ``storage.core`` only."""
