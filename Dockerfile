# API image for Fly.io and docker-compose.prod.yml.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ATLAS_MIGRATIONS_DIR=/app/migrations \
    ATLAS_DATA_DIR=/app/data

WORKDIR /app
COPY requirements/main.txt requirements/main.txt
RUN pip install --require-hashes -r requirements/main.txt

COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
COPY migrations ./migrations
RUN pip install --no-deps . && useradd --system --uid 10001 atlas && mkdir -p /app/data \
    && chown atlas /app/data

ARG GIT_SHA=unknown
ENV GIT_SHA=${GIT_SHA}

USER atlas
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status == 200 else 1)"
CMD ["atlas", "serve", "--host", "0.0.0.0", "--port", "8080"]
