"""Images (and things pretending to be images) built on the spot for the upload tests."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image, ImageCms

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def png(width: int = 64, height: int = 48, color=(200, 40, 40), mode: str = "RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color).save(buffer, "PNG", **save)
    return buffer.getvalue()


def jpeg(width: int = 64, height: int = 48, color=(30, 90, 200), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", quality=90, **save)
    return buffer.getvalue()


def webp(width: int = 64, height: int = 48, color=(10, 160, 90, 255)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), color).save(buffer, "WEBP", quality=90)
    return buffer.getvalue()


def jpeg_with_gps(width: int = 120, height: int = 80) -> bytes:
    """A photo as a phone writes it: GPS position, camera make, and 'rotate 90° to view'."""
    img = Image.new("RGB", (width, height), (240, 240, 240))
    img.paste((255, 0, 0), (0, 0, width // 2, height))  # red on the left, as stored
    exif = Image.Exif()
    exif[0x010F] = "Porchlight Test Camera"  # Make
    exif[ORIENTATION] = 6  # the viewer must rotate 90° clockwise
    exif[GPS_IFD] = {
        1: "N",
        2: (51.0, 30.0, 12.5),
        3: "W",
        4: (0.0, 7.0, 39.0),
    }
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def png_with_private_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "home address: 1 Secret Lane")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>owner=Ana</x:xmpmeta>")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return png(32, 32, pnginfo=info, icc_profile=srgb)


def animated_gif(frames: int = 3, size: tuple[int, int] = (40, 30), comment: bytes = b"") -> bytes:
    colors = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
    pictures = [Image.new("RGB", size, colors[i % len(colors)]) for i in range(frames)]
    buffer = io.BytesIO()
    extra = {"comment": comment} if comment else {}
    pictures[0].save(
        buffer,
        "GIF",
        save_all=True,
        append_images=pictures[1:],
        duration=[120] * frames,
        loop=0,
        **extra,
    )
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height``: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header (SOF) is rewritten to claim another size."""
    data = bytearray(jpeg(16, 16))
    at = data.find(b"\xff\xc0")
    if at < 0:
        at = data.find(b"\xff\xc2")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.php", "<?php system($_GET['c']); ?>")
    return buffer.getvalue()


ELF_PROGRAM = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"PE\x00\x00" + b"\x00" * 100
SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
  <script>alert(document.cookie)</script><rect width="10" height="10"/>
</svg>"""
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
