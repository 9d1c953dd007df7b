"""A throwaway `redis-server` for tests that stop, freeze or restart Redis: its own free port, nothing on disk,
started and stopped by the test (never the shared Redis). `cache_settings` points Django's cache at it through
r2dr's resilient backend, as settings do when REDIS_URL is set."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis

from tests.conftest import skip_or_fail


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayRedis:
    def __init__(self, workdir):
        if not shutil.which("redis-server"):
            skip_or_fail("these tests start their own redis-server")
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            cwd=self.workdir,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def kill(self) -> None:
        """SIGKILL: Redis is gone at once, as in a crash (with nothing on disk, everything it held is lost)."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def restart_empty(self) -> None:
        self.kill()
        self.start()

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections but nothing answers, as a hung or unreachable host."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def cache_settings(url: str, *, timeout: float = 0.2, retry_seconds: float = 1.0) -> dict:
    return {
        "default": {
            "BACKEND": "r2dr.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout, "RETRY_SECONDS": retry_seconds},
        }
    }


@pytest.fixture
def throwaway_redis(tmp_path):
    server = ThrowawayRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(throwaway_redis, settings):
    """Django's cache on the throwaway Redis (the resilient backend); yields the server."""
    settings.CACHES = cache_settings(throwaway_redis.url)
    yield throwaway_redis
