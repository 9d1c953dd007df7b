"""Two scripted readers of the challenge picture that nobody tuned the renderer against (issue 10's proof):

- `TemplateReader`: the reader an attacker writes in an afternoon. It knows the fonts (r2dr/challenge_image.py
  names them), knows there are five digits, cuts the ink into five pieces at the emptiest columns and matches
  each against every digit in every face, upright and turned a little, by normalised correlation.
- `tesseract_read`: Debian's Tesseract, digits only, on the picture upscaled in grey and binarised.

Both read the PLAIN style (no distortion) well, which tests/r2dr/test_challenge_ocr.py checks, so a low solve
rate on the real pictures means the distortion beats them, not that the readers are broken.
"""

from __future__ import annotations

import functools
import io
import os
import subprocess

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from r2dr import challenge_image

CELL = (20, 28)  # width, height every piece and template is scaled to
DIGITS = "0123456789"


def _ink(picture: Image.Image) -> np.ndarray:
    """True where the picture is dark: the digits and the clutter drawn in their colour."""
    return np.asarray(picture.convert("L")) < 150


def _normalised(mask: np.ndarray) -> np.ndarray | None:
    """The mask cropped to its ink, scaled to CELL, centred and scaled to unit length."""
    rows, cols = np.nonzero(mask)
    if len(rows) < 8:
        return None
    crop = mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    img = Image.fromarray((crop * 255).astype(np.uint8)).resize(CELL, Image.Resampling.BILINEAR)
    v = np.asarray(img, dtype=np.float64).ravel()
    v -= v.mean()
    norm = np.linalg.norm(v)
    return v / norm if norm else None


@functools.cache
def _templates() -> tuple[np.ndarray, str]:
    """Every digit in every face the renderer uses, upright and turned by up to 10 degrees either way."""
    vectors, labels = [], []
    for face in challenge_image.faces() or (None,):
        f = challenge_image.font(face, 52)
        for ch in DIGITS:
            base = Image.new("L", (90, 90), 0)
            ImageDraw.Draw(base).text((45, 45), ch, font=f, fill=255, anchor="mm")
            for angle in (-10, -5, 0, 5, 10):
                v = _normalised(np.asarray(base.rotate(angle, Image.Resampling.BILINEAR)) > 127)
                if v is not None:
                    vectors.append(v)
                    labels.append(ch)
    return np.stack(vectors), "".join(labels)


def _cuts(ink: np.ndarray, count: int) -> list[tuple[int, int]]:
    """`count` column ranges over the ink's main band, cut where the fewest ink pixels are, near even spacing."""
    columns = ink.sum(axis=0)
    filled = np.nonzero(columns > 2)[0]
    if not len(filled):
        return []
    left, right = int(filled.min()), int(filled.max()) + 1
    width = (right - left) / count
    bounds = [left]
    for i in range(1, count):
        centre = left + width * i
        lo, hi = int(centre - width * 0.35), int(centre + width * 0.35) + 1
        bounds.append(lo + int(np.argmin(columns[lo:hi])))
    bounds.append(right)
    return list(zip(bounds, bounds[1:], strict=False))


def _main_band(ink: np.ndarray) -> np.ndarray:
    """Drop the rows above and below the digits' line (where the renderer puts its partial digits): keep the
    densest band of rows about as tall as a digit."""
    rows = ink.sum(axis=1).astype(float)
    height = 46
    if ink.shape[0] <= height:
        return ink
    window = np.convolve(rows, np.ones(height), mode="valid")
    top = int(np.argmax(window))
    band = np.zeros_like(ink)
    band[top : top + height] = ink[top : top + height]
    return band


class TemplateReader:
    def read(self, picture: Image.Image, length: int = 5) -> str:
        ink = _main_band(_ink(picture.filter(ImageFilter.MedianFilter(3))))
        vectors, labels = _templates()
        out = []
        for lo, hi in _cuts(ink, length):
            piece = np.zeros_like(ink)
            piece[:, lo:hi] = ink[:, lo:hi]
            v = _normalised(piece)
            if v is None:
                out.append("?")
                continue
            out.append(labels[int(np.argmax(vectors @ v))])
        return "".join(out)


def tesseract_read(picture: Image.Image) -> set[str]:
    """What Tesseract reads, digits only, as a single line: in grey upscaled 3x, and binarised with small
    specks removed. Every reading it gives counts (an attacker tries each)."""
    grey = picture.convert("L")
    binary = grey.point(lambda v: 0 if v < 150 else 255).filter(ImageFilter.MedianFilter(3))
    readings = set()
    for img, psm in (
        (grey.resize((grey.width * 3, grey.height * 3), Image.Resampling.LANCZOS), "7"),
        (binary.resize((binary.width * 3, binary.height * 3), Image.Resampling.NEAREST), "8"),
    ):
        png = io.BytesIO()
        img.save(png, "PNG")
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "--psm", psm, "-c", "tessedit_char_whitelist=" + DIGITS],
            input=png.getvalue(),
            capture_output=True,
            check=True,
            timeout=60,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
        readings.add("".join(c for c in done.stdout.decode() if c in DIGITS))
    return readings
