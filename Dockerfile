# syntax=docker/dockerfile:1
# Loket image: `docker compose up` (see README, "Deploying with docker compose").
# Build stage: the virtual environment from uv.lock (exact versions, no dev tools).
# Runtime stage: slim Python, the venv and the source, a non-root user; the entrypoint
# migrates the database, then serves. `worker` as the command runs the outbox worker.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG UV_VERSION=0.13.8

FROM ${PYTHON_IMAGE} AS build
ARG UV_VERSION
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /app
# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project
COPY alembic.ini ./
COPY backend ./backend
COPY migrations ./migrations
COPY templates ./templates
COPY seed ./seed
COPY docker/entrypoint.sh ./docker/entrypoint.sh
# The project itself (the `loket` command); the source stays at /app where it runs from.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev
# UV_COMPILE_BYTECODE compiles the dependencies; Loket's own code, its templates, its
# message catalogs and its route table are compiled here, as the runtime cannot write them
# (read-only code, PYTHONDONTWRITEBYTECODE; templates/__pycache__, backend/core/templating.py;
# backend/locale/__pycache__, backend/core/i18n.py; backend/__pycache__/loket-routes.json,
# backend/main.py): docs/benchmarks.md, "Cold start".
RUN /app/.venv/bin/python -m compileall -q -j 0 backend migrations \
    && /app/.venv/bin/python -c "from backend.core.templating import warm_templates; warm_templates(); from backend.core.i18n import warm_catalogs; warm_catalogs(); from backend.main import write_route_table; write_route_table()"

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LOKET_ENV=production \
    LOKET_VAR_DIR=/app/var \
    LOKET_SEARCH_PATH=/app/var/search \
    LOKET_DATABASE_URL=sqlite:////app/var/loket.db \
    LOKET_LOG_JSON=1
RUN groupadd --system --gid 10001 loket \
    && useradd --system --uid 10001 --gid loket --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin loket
WORKDIR /app
# Code and venv belong to root (read-only for the app); only var/ is writable.
COPY --from=build /app /app
RUN mkdir -p /app/var && chown loket:loket /app/var && chmod 0755 /app/docker/entrypoint.sh
USER loket:loket
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["serve"]
