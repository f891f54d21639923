# The CRM image for docker-compose.yml: one image for web (gunicorn), worker and beat.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first (cached while only the code changes). psycopg[binary] needs no compiler.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files for whitenoise (hashed, compressed); the build needs the production variables only
# to load settings, and runs nothing: EMBEDDED=true stands in for the broker, mail, cache, storage.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    SITE_URL=http://localhost EMBEDDED=true \
    STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3 \
    && useradd --system --uid 1000 --home-dir /app crm \
    && mkdir -p /data/media && chown -R crm /data

ENV STATIC_ROOT=/app/staticfiles
USER crm
EXPOSE 8000
CMD ["gunicorn", "crm_site.wsgi:application", "--bind=0.0.0.0:8000", "--workers=3", "--access-logfile=-"]
