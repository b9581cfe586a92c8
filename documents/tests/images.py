"""Small image files for the logo tests, made with Pillow."""

from __future__ import annotations

import io

from PIL import Image
from PIL.PngImagePlugin import PngInfo


def png(size: tuple[int, int] = (600, 200), *, text: str = "", mode: str = "RGBA") -> bytes:
    color = (23, 64, 109, 255) if mode == "RGBA" else (23, 64, 109)
    image = Image.new(mode, size, color)
    info = PngInfo()
    if text:
        info.add_text("Author", text)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (600, 200), *, gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    if gps:
        exif[0x010E] = "Kontoret på Økern"  # ImageDescription
        exif[0x8825] = {1: "N", 2: (59.0, 55.0, 30.0)}  # GPS info
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes() if gps else b"")
    return out.getvalue()


def gif(size: tuple[int, int] = (100, 100)) -> bytes:
    out = io.BytesIO()
    Image.new("P", size).save(out, format="GIF")
    return out.getvalue()
