# outfall web server and worker in one image (Debian bookworm, Python 3.11).
#   docker build -t outfall .
#   docker run -p 8000:8000 -v outfall-data:/data outfall                 # web, embedded SQLite
#   docker run -v outfall-data:/data outfall outfall worker              # the worker beside it
# compose.yaml runs web + worker + PostgreSQL 15 + Redis. Everything is installed at build time;
# nothing is downloaded when a container starts. Static files are served by the app (whitenoise).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OUTFALL_DATA_DIR=/data

RUN groupadd --system --gid 10001 outfall \
 && useradd --system --uid 10001 --gid outfall --home-dir /data --no-create-home --shell /usr/sbin/nologin outfall \
 && mkdir -p /data \
 && chown outfall:outfall /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && rm -rf /app/build

USER outfall
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["outfall", "serve", "--host", "0.0.0.0", "--port", "8000"]
