FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 R2DR_ENV=production
# The runtime packages (Pango, HarfBuzz, Noto fonts) come from the list `make demo` checks; curl is for the
# compose health check.
COPY scripts/system-deps /tmp/system-deps
RUN sh /tmp/system-deps runtime \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* /tmp/system-deps
WORKDIR /app
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY r2dr r2dr
COPY indicators indicators
COPY cases cases
COPY training training
COPY reports reports
COPY templates templates
COPY static static
COPY manage.py ./
COPY deploy deploy
RUN pip install --no-cache-dir -c constraints.txt . \
 && useradd --system --uid 1000 r2dr \
 && DJANGO_SECRET_KEY=build-only-key-build-only-key-build-only-key-123 DJANGO_ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput \
 && mkdir -p /data/media && chown -R r2dr /data/media
USER r2dr
EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "r2dr.wsgi"]
