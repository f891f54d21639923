"""The REST API under /api/v1/ (Django REST framework): workspace-bound API keys, resources of
every app, touch point ingestion."""
