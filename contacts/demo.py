"""Demo data for contacts, accounts and their history (filled in by seed_demo)."""


def seed_contacts_demo(workspace, users, stdout) -> None:
    """Idempotent: does nothing when the workspace has contacts already."""
    return None
