# Porchlight: the built widget and dashboard are committed, so the image needs no Node.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORCHLIGHT_DATA_DIR=/data \
    PORCHLIGHT_HOST=0.0.0.0 \
    PORCHLIGHT_PORT=8080

WORKDIR /app
# The locked versions (with their hashes) first: a layer that changes only with the lock.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml setup.cfg README.md ./
COPY server ./server
COPY migrations ./migrations
COPY dashboard/templates ./dashboard/templates
COPY static ./static
RUN pip install --no-deps . \
    && pip check \
    && useradd --system --uid 10001 --home-dir /data porchlight \
    && mkdir -p /data/uploads \
    && chown -R porchlight /data

USER porchlight
VOLUME ["/data"]
EXPOSE 8080
# Liveness on the port the server listens on (PORCHLIGHT_PORT, 8080 unless changed).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORCHLIGHT_PORT', '8080'), timeout=4)"
CMD ["sh", "-c", "porchlight migrate && exec porchlight run"]
