"""The consent ledger: what a person agreed to (purpose, text version), when and from where.
Below the domains that ask for consent (assessments, reports) and privacy, which exports
and erases it."""
