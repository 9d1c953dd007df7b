FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 R2DR_ENV=production
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-noto-core fonts-noto-cjk curl \
 && rm -rf /var/lib/apt/lists/*
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
