"""Importing contacts and accounts from CSV and XLSX files.

- `reading`: what the upload is (format, encoding, delimiter) and its rows, streamed.
- `mapping`: which column goes to which field (header auto-mapping) and row cleaning.
- `jobs`: the services that create and configure an `ImportJob`.
- `runner`: the batched import itself (called by the Celery task and the command).
"""
