# Porchlight: the built widget and dashboard are committed, so the image needs no Node.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PORCHLIGHT_DATA_DIR=/data \
    PORCHLIGHT_HOST=0.0.0.0 \
    PORCHLIGHT_PORT=8080

WORKDIR /app
COPY pyproject.toml setup.cfg README.md ./
COPY server ./server
COPY migrations ./migrations
COPY dashboard/templates ./dashboard/templates
COPY static ./static
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data porchlight \
    && mkdir -p /data \
    && chown porchlight /data

USER porchlight
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz').status == 200 else 1)"
CMD ["sh", "-c", "porchlight migrate && exec porchlight run"]
