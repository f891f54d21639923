"""Health endpoints for load balancers and orchestrators."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """The process is up (no dependencies checked)."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """The database answers and, when a broker is configured, the broker too."""
    checks, ok = {}, True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks["database"], ok = f"error: {exc.__class__.__name__}", False
    if settings.CELERY_BROKER_URL:
        from crm_site.celery import app

        try:
            with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"], ok = f"error: {exc.__class__.__name__}", False
    else:
        checks["broker"] = "embedded (eager tasks)"
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )
