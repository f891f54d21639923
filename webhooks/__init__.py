"""Outbound webhooks: events derived from the change log and the customer history by cursor,
stored as deliveries and sent by Celery with Standard Webhooks signatures."""
