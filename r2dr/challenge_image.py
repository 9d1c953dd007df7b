"""The challenge picture: digits (five, as r2dr/challenge.py asks) a person can read and the usual scripted readers
should not.

`challenge_png(answer, rng=...)` returns a 260x90 PNG (quantised to 32 colours, about 4 KB); r2dr/challenge.py
makes the data: URI and keeps the answer. Pillow only: no state, nothing about the visitor. A seeded `rng` gives
the same picture every time (for tests); the default draws from the system's secure random source.

How it is drawn (the ranges are `Style`'s defaults, `STYLE`):

- each digit on its own: a face picked from Noto Sans, Serif and Sans Display (regular, bold, italic, bold
  italic) and Serif Display (bold cuts only), from /usr/share/fonts/truetype/noto, or Pillow's bundled font
  when none is installed; a size of 44-62 px; turned up to 12 degrees, slanted, stretched on each axis; about
  3 in 10 drawn as an outline and some thickened or thinned by a pixel; then bent by a few pixels of its own;
- set on a line that wanders up to 8 px up or down, each advancing by 1.0-1.1 times its turned box, so the boxes
  of neighbours touch or overlap;
- clutter in the digits' own colour: 3-5 smaller partial digits above or below the line, 2 wavy strokes across
  the text and 4-7 short arcs (all thinner than the digits' strokes);
- one thin scratch along the text that inverts what it crosses (light through a digit, dark between digits);
- a smooth sine-mesh warp of the whole picture (about 4 px over waves 70-160 px long);
- one dark ink for digits and clutter alike, over a pale gradient.

`PLAIN` turns every distortion off (upright digits in a row), to compare readers against an easy picture.

What it resists is measured by tests/r2dr/test_challenge_ocr.py on 200 pictures from a fixed seed, with two
readers nobody tuned it against (tests/r2dr/ocr_readers.py): a template matcher over these very fonts solved 0
and Tesseract (digits only, grey and binarised) 1, while both solve at least 38 of 40 `PLAIN` pictures.
"""

from __future__ import annotations

import functools
import io
import math
import random
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 260, 90
# The glyphs stay this far inside the picture (the warp moves them by a few pixels at most).
MARGIN = 7

# fonts-noto-core (a runtime Debian dependency, scripts/system-deps) puts them here.
FONT_DIR = Path("/usr/share/fonts/truetype/noto")
FACE_FILES = tuple(
    f"Noto{family}-{style}.ttf"
    for family in ("Sans", "Serif", "SansDisplay", "SerifDisplay")
    for style in ("Regular", "Bold", "Italic", "BoldItalic")
    # Serif Display's light hairlines break up once bent: only its bold cuts
    if family != "SerifDisplay" or "Bold" in style
)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.cache
def faces() -> tuple[str, ...]:
    """The font files the pictures are drawn with; empty when no Noto face is installed (then Pillow's own
    bundled font is used, in every size, weight and outline the renderer varies)."""
    return tuple(str(FONT_DIR / name) for name in FACE_FILES if (FONT_DIR / name).is_file())


@functools.cache
def font(face: str | None, size: int) -> Font:
    """`face` None means Pillow's bundled font."""
    if face is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(face, size)


@dataclass(frozen=True)
class Style:
    """How much of each distortion a picture gets (ranges are drawn uniformly, per glyph or per picture)."""

    size: tuple[int, int] = (44, 62)  # font size, per glyph
    turn: tuple[float, float] = (0.0, 12.0)  # degrees either way, per glyph
    slant: tuple[float, float] = (0.0, 0.12)  # shear either way, per glyph
    stretch: tuple[float, float] = (0.86, 1.1)  # width and height, each on its own
    outline: float = 0.3  # share of glyphs drawn as their edge only
    lighter: float = 0.2  # share of glyphs in a bold sans face thinned by a pixel
    heavier: float = 0.25  # share of glyphs thickened by a pixel
    glyph_warp: tuple[float, float] = (4.5, 6.5)  # pixels each glyph bends by
    glyph_wave: tuple[float, float] = (1.0, 1.6)  # the bends' wavelengths, of the font size: smooth bends
    advance: tuple[float, float] = (1.0, 1.1)  # of a glyph's (turned) box: neighbours' boxes overlap
    jitter: float = 8.0  # pixels up or down off the line, per glyph
    fragments: tuple[int, int] = (3, 5)  # partial digits in the clutter
    fragments_off_line: bool = True  # above or below the digits, not beside them (where they read as one)
    lines: int = 2  # wavy strokes crossing the text
    arcs: tuple[int, int] = (4, 7)
    scratches: int = 1  # thin inverting scratches along the text
    warp: float = 4.0  # pixels the whole picture bends by


STYLE = Style()
# Everything off: upright glyphs in a row, nothing else (an easy picture to compare readers against).
PLAIN = Style(
    turn=(0, 0),
    slant=(0, 0),
    stretch=(1, 1),
    outline=0,
    lighter=0,
    heavier=0,
    glyph_warp=(0, 0),
    advance=(1.08, 1.12),
    jitter=0,
    fragments=(0, 0),
    lines=0,
    arcs=(0, 0),
    scratches=0,
    warp=0,
)


def _glyph(ch: str, rng: random.Random, faces: tuple[str | None, ...], style: Style) -> Image.Image:
    """One digit as an ink mask (255 = ink), in its own face, size and weight, turned, slanted, stretched and
    bent."""
    size = rng.randint(*style.size)
    face = rng.choice(faces)
    f = font(face, size)
    side = int(size * 1.8)
    mask = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(mask)
    centre = (side / 2, side / 2)
    weight = rng.random()
    if weight < style.outline:
        draw.text(centre, ch, font=f, anchor="mm", fill=0, stroke_width=3, stroke_fill=255)
        draw.text(centre, ch, font=f, anchor="mm", fill=0)
    elif weight < style.outline + style.heavier:
        draw.text(centre, ch, font=f, anchor="mm", fill=255, stroke_width=1, stroke_fill=255)
    else:
        draw.text(centre, ch, font=f, anchor="mm", fill=255)
        if weight > 1 - style.lighter and Path(str(face)).name.startswith("NotoSans") and "Bold" in str(face):
            mask = mask.filter(ImageFilter.MinFilter(3))
    # Never upright and square: each glyph is turned, slanted and stretched by at least a little.
    angle = math.radians(rng.choice((-1, 1)) * rng.uniform(*style.turn))
    shear = rng.choice((-1, 1)) * rng.uniform(*style.slant)
    sx, sy = rng.uniform(*style.stretch), rng.uniform(*style.stretch)
    if angle or shear or sx != 1 or sy != 1:
        # The inverse map (output -> input) about the centre: rotation, then shear, then stretch.
        cos, sin = math.cos(angle), math.sin(angle)
        a, b = cos / sx, (sin + shear * cos) / sx
        d, e = -sin / sy, (cos - shear * sin) / sy
        c = side / 2 - a * side / 2 - b * side / 2
        f_ = side / 2 - d * side / 2 - e * side / 2
        mask = mask.transform((side, side), Image.Transform.AFFINE, (a, b, c, d, e, f_), Image.Resampling.BICUBIC)
    bend = rng.uniform(*style.glyph_warp)
    if bend:  # waves about as long as the glyph is wide
        mask = _warp(mask, rng, amplitude=bend, wavelength=(size * style.glyph_wave[0], size * style.glyph_wave[1]))
    bbox = mask.getbbox()
    return mask.crop(bbox) if bbox else mask


def _fragment(rng: random.Random, faces: tuple[str | None, ...], style: Style) -> Image.Image:
    """The top, bottom, left or right part of a digit, smaller than the real ones."""
    g = _glyph(rng.choice("0123456789"), rng, faces, style)
    w, h = g.size
    keep = rng.uniform(0.35, 0.55)
    g = g.crop(
        rng.choice(
            (
                (0, 0, w, int(h * keep)),
                (0, int(h * (1 - keep)), w, h),
                (0, 0, int(w * keep), h),
                (int(w * (1 - keep)), 0, w, h),
            )
        )
    )
    scale = rng.uniform(0.45, 0.8)
    return g.resize((max(1, int(g.width * scale)), max(1, int(g.height * scale))), Image.Resampling.BILINEAR)


def _curve(rng: random.Random, x0: float, x1: float, y: float, amp: float) -> list[tuple[float, float]]:
    """A wavy line from x0 to x1 around height y."""
    freq, phase = rng.uniform(0.6, 1.8), rng.uniform(0, math.tau)
    slope = rng.uniform(-0.25, 0.25)
    n = max(2, int(abs(x1 - x0) / 4))
    points = []
    for i in range(n + 1):
        x = x0 + (x1 - x0) * i / n
        t = i / n
        points.append((x, y + slope * (x - x0) + amp * math.sin(math.tau * freq * t + phase)))
    return points


def _warp(img: Image.Image, rng: random.Random, *, amplitude: float, wavelength: tuple[float, float]) -> Image.Image:
    """Bend a picture with a smooth displacement, sums of sines across and along both axes (a mesh transform):
    each point moves by up to about `amplitude` pixels, over waves `wavelength` pixels long."""
    waves = [(rng.uniform(0.5, 1.0) * amplitude, rng.uniform(*wavelength), rng.uniform(0, math.tau)) for _ in range(4)]

    def src(x: float, y: float) -> tuple[float, float]:
        (a0, l0, p0), (a1, l1, p1), (a2, l2, p2), (a3, l3, p3) = waves
        dx = a0 * math.sin(math.tau * y / l0 + p0) + a1 * 0.5 * math.sin(math.tau * x / l1 + p1)
        dy = a2 * math.sin(math.tau * x / l2 + p2) + a3 * 0.5 * math.sin(math.tau * y / l3 + p3)
        return x + dx, y + dy

    step = max(3, int(wavelength[0] / 6))
    width, height = img.size
    mesh = []
    for y in range(0, height, step):
        for x in range(0, width, step):
            x1, y1 = min(x + step, width), min(y + step, height)
            quad = (*src(x, y), *src(x, y1), *src(x1, y1), *src(x1, y))
            mesh.append(((x, y, x1, y1), quad))
    return img.transform(img.size, Image.Transform.MESH, mesh, Image.Resampling.BILINEAR)


def challenge_png(answer: str, *, rng: random.Random | None = None) -> bytes:
    """The picture of `answer` (digits) as PNG bytes, 260x90. Deterministic for a seeded `rng`; by default
    every call draws from the system's secure random source."""
    return _png(render(answer, rng=rng or secrets.SystemRandom()))


@dataclass
class Rendering:
    picture: Image.Image
    glyphs: list[tuple[int, int, Image.Image]]  # each digit's ink mask and where it went, before the warp


def render(answer: str, *, rng: random.Random, style: Style = STYLE) -> Rendering:
    if not answer or not answer.isascii() or not answer.isdigit():
        raise ValueError("a challenge answer is digits")
    pool: tuple[str | None, ...] = faces() or (None,)

    glyphs = [_glyph(ch, rng, pool, style) for ch in answer]
    # Each glyph advances by about its width (its turned and slanted box): neighbours touch, some overlap.
    advances = [g.width * rng.uniform(*style.advance) for g in glyphs[:-1]]
    room = WIDTH - 2 * MARGIN
    span = sum(advances) + glyphs[-1].width
    if span > room:
        advances = [a * (room - glyphs[-1].width) / (span - glyphs[-1].width) for a in advances]
        span = room
    x = rng.uniform(MARGIN, WIDTH - MARGIN - span)
    middle = rng.uniform(HEIGHT * 0.42, HEIGHT * 0.58)
    placed = []
    ink = Image.new("L", (WIDTH, HEIGHT), 0)
    for i, g in enumerate(glyphs):
        top = middle - g.height / 2 + rng.uniform(-style.jitter, style.jitter)
        top = min(max(MARGIN, top), HEIGHT - MARGIN - g.height)
        placed.append((int(x), int(top), g))
        ink = ImageChops.lighter(ink, _placed(g, int(x), int(top)))
        if i < len(advances):
            x += advances[i]
    left, right = placed[0][0], placed[-1][0] + placed[-1][2].width

    # Clutter in the digits' own colour: partial digits, strokes as the digits' crossing the text, arcs.
    for _ in range(rng.randint(*style.fragments)):
        g = _fragment(rng, pool, style)
        gx = int(rng.uniform(-g.width / 2, WIDTH - g.width / 2))
        if style.fragments_off_line:  # above or below the digits, reaching into them at most a little
            top, bottom = min(y for _, y, _ in placed), max(y + m.height for _, y, m in placed)
            gy = int(
                rng.uniform(-g.height / 2, top - g.height / 2)
                if rng.random() < 0.5
                else rng.uniform(bottom - g.height / 2, HEIGHT - g.height / 2)
            )
        else:
            gy = int(rng.uniform(-g.height / 3, HEIGHT - g.height * 2 / 3))
        ink = ImageChops.lighter(ink, _placed(g, gx, gy))
    draw = ImageDraw.Draw(ink)
    for _ in range(style.lines):
        x0, x1 = rng.uniform(0, left + 20), rng.uniform(right - 20, WIDTH)
        y = rng.uniform(HEIGHT * 0.3, HEIGHT * 0.7)
        draw.line(_curve(rng, x0, x1, y, rng.uniform(6, 16)), fill=255, width=2, joint="curve")
    for _ in range(rng.randint(*style.arcs)):
        cx, cy, r = rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT), rng.uniform(6, 16)
        start = rng.uniform(0, 360)
        box = (cx - r, cy - r * rng.uniform(0.6, 1.4), cx + r, cy + r)
        draw.arc(box, start, start + rng.uniform(70, 200), fill=255, width=rng.randint(2, 3))
    # Thin scratches along the text that invert what lies under them: light across a digit, dark between.
    for _ in range(style.scratches):
        scratch = Image.new("L", (WIDTH, HEIGHT), 0)
        x0, x1 = rng.uniform(0, left + 10), rng.uniform(right - 10, WIDTH)
        y = rng.uniform(HEIGHT * 0.35, HEIGHT * 0.65)
        line = _curve(rng, x0, x1, y, rng.uniform(5, 12))
        ImageDraw.Draw(scratch).line(line, fill=255, width=rng.randint(2, 3), joint="curve")
        ink = ImageChops.difference(ink, scratch)
    if style.warp:
        ink = _warp(ink, rng, amplitude=style.warp, wavelength=(70.0, 160.0))

    # Ink and paper: one colour for the digits and everything drawn like them, a pale wash behind.
    shade = rng.randint(20, 70)
    ink_colour = (shade + rng.randint(0, 30), shade, shade + rng.randint(0, 50))
    paper = Image.linear_gradient("L").rotate(rng.choice((0, 90, 180, 270))).resize((WIDTH, HEIGHT))
    paper = paper.point(lambda v: 225 + v * 30 // 255)
    base = Image.merge("RGB", (paper, paper, paper))
    picture = Image.composite(Image.new("RGB", (WIDTH, HEIGHT), ink_colour), base, ink)
    return Rendering(picture, placed)


def _png(rendering: Rendering) -> bytes:
    out = io.BytesIO()
    # 32 colours are plenty for one ink over a pale wash, and keep the file small.
    rendering.picture.quantize(colors=32, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def _placed(mask: Image.Image, x: int, y: int) -> Image.Image:
    layer = Image.new("L", (WIDTH, HEIGHT), 0)
    layer.paste(mask, (x, y))
    return layer
