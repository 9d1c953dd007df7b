"""gunicorn for r2dr: threaded workers, generous timeouts for slow connections
(nginx buffers uploads and responses in front), and an access log that records
no client address or user agent."""

import os

bind = "0.0.0.0:8000"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 120
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# No %(h)s (remote address), no %(a)s (user agent), no %(f)s (referrer), no query string.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = "*"
