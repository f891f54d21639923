"""Demo catalogue, quotes and quotas (being written)."""


def seed(workspace, users, stdout):
    return None
