"""Everything an attacker who copies the server gets: every table row, every media file, the environment."""

import os
import pathlib

from django.conf import settings
from django.db import connection


def database_rows():
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f'SELECT * FROM "{table}"')
            for row in cur.fetchall():
                yield table, row


def database_bytes() -> bytes:
    out = []
    for table, row in database_rows():
        for value in row:
            if isinstance(value, bytes | memoryview | bytearray):
                out.append(bytes(value))
            else:
                out.append(str(value).encode("utf-8", "replace"))
        out.append(table.encode())
    return b"\n".join(out)


def media_bytes() -> bytes:
    root = pathlib.Path(settings.MEDIA_ROOT)
    if not root.exists():
        return b""
    return b"\n".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def environment_bytes() -> bytes:
    env = "\n".join(f"{k}={v}" for k, v in os.environ.items())
    return (env + "\nSECRET_KEY=" + settings.SECRET_KEY).encode()
