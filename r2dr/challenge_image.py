"""The challenge picture (a placeholder renderer; the OCR-resistant one replaces it)."""

from __future__ import annotations

import io
import random
import secrets


def challenge_png(answer: str, *, rng: random.Random | None = None) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    rng = rng or secrets.SystemRandom()
    img = Image.new("L", (220, 70), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=38)
    x = 12
    for ch in answer:
        draw.text((x, rng.randint(4, 22)), ch, fill=rng.randint(0, 60), font=font)
        x += rng.randint(36, 42)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()
