"""Decoding an upload to prove it is an image, within bounds, and re-encoding it clean.

Synchronous and CPU-bound (Pillow); the upload service runs it in a worker thread.

- Dimensions come from the header and are checked before any pixel is decoded, so a
  small file that claims 100,000 x 100,000 pixels (a decompression bomb) costs nothing.
  Pillow's process-wide ``MAX_IMAGE_PIXELS`` stays as it is: these bounds are our own.
- Large JPEGs are decoded at 1/2, 1/4 or 1/8 scale straight from the DCT (``draft``), so
  a 100-megapixel photo never needs 100 megapixels of memory.
- Everything is re-encoded from pixels: EXIF (GPS, camera serials), XMP, IPTC, comments
  and text chunks do not survive. The EXIF orientation is applied first so photos stay
  the right way up, and a colour profile is converted to sRGB before it is dropped.
- Animated GIF and WebP keep their animation (frames and timing), bounded by the number
  of frames and by frames x pixels; their thumbnail is the image itself.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, ImageSequence

from server.services.files.images_layout import ACCEPTED, DAMAGED, EXTENSIONS, Refused

PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
ORIENTATION = 0x0112  # the EXIF tag saying how to turn the stored pixels


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_side: int = 16_384  # either dimension, as stored
    max_pixels: int = 25_000_000  # decoded pixels of a still image
    max_jpeg_pixels: int = 100_000_000  # a JPEG's header may say more: it is decoded scaled
    max_frames: int = 500
    max_animation_pixels: int = 25_000_000  # frames x width x height
    thumb_side: int = 480


@dataclass(frozen=True, slots=True)
class CleanImage:
    data: bytes
    kind: str  # jpeg | png | gif | webp
    width: int
    height: int
    animated: bool
    thumb: bytes | None  # WebP, longest side thumb_side; None when the image is no larger

    @property
    def type(self) -> str:
        return ACCEPTED[self.kind]

    @property
    def ext(self) -> str:
        return EXTENSIONS[self.kind]


def clean(data: bytes, kind: str, limits: ImageLimits, *, thumbnail: bool = True) -> CleanImage:
    """Decode ``data`` (already sniffed as ``kind``) and re-encode it without metadata."""
    try:
        with Image.open(io.BytesIO(data), formats=[PIL_FORMATS[kind]]) as img:
            _check_header(img, kind, limits)
            frames = getattr(img, "n_frames", 1)
            if frames > 1:
                return _clean_animation(img, kind, frames, limits)
            return _clean_still(img, kind, limits, thumbnail)
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(_too_large_message(limits), "dimensions") from None
    except MemoryError:
        raise Refused(_too_large_message(limits), "dimensions") from None
    except Exception:  # any decoder complaint about untrusted bytes means "not a sound image"
        raise Refused(DAMAGED, "bad_image") from None


def _too_large_message(limits: ImageLimits) -> str:
    megapixels = limits.max_pixels / 1_000_000
    return (
        f"The image is too large: at most {megapixels:g} megapixels and "
        f"{limits.max_side:,} pixels on a side."
    )


def _check_header(img: Image.Image, kind: str, limits: ImageLimits) -> None:
    width, height = img.size
    max_pixels = limits.max_jpeg_pixels if kind == "jpeg" else limits.max_pixels
    max_side = limits.max_side * (8 if kind == "jpeg" else 1)
    if width < 1 or height < 1:
        raise Refused(DAMAGED, "bad_image")
    if width > max_side or height > max_side or width * height > max_pixels:
        raise Refused(_too_large_message(limits), "dimensions")


def _clean_still(img: Image.Image, kind: str, limits: ImageLimits, thumbnail: bool) -> CleanImage:
    if kind == "jpeg":
        _draft_within(img, limits)
    width, height = img.size
    if width > limits.max_side or height > limits.max_side or width * height > limits.max_pixels:
        raise Refused(_too_large_message(limits), "dimensions")
    img.load()  # the proof: every pixel decodes; truncated data raises here
    if img.getexif().get(ORIENTATION, 1) != 1:
        img = ImageOps.exif_transpose(img)
    pixels = _to_srgb(img)
    out = _bare(pixels, kind)
    data = _encode(out, kind)
    thumb = None
    if thumbnail and max(out.size) > limits.thumb_side:
        thumb = _thumbnail(out, limits.thumb_side)
    return CleanImage(data, kind, out.width, out.height, False, thumb)


def _draft_within(img: Image.Image, limits: ImageLimits) -> None:
    """Ask the JPEG decoder for a 1/2, 1/4 or 1/8 scale when full size is over the bounds."""
    width, height = img.size
    need = max(
        math.sqrt(width * height / limits.max_pixels),
        width / limits.max_side,
        height / limits.max_side,
    )
    if need <= 1:
        return
    scale = next((s for s in (2, 4, 8) if s >= need), 8)
    img.draft(img.mode, (math.ceil(width / scale), math.ceil(height / scale)))


def _to_srgb(img: Image.Image) -> Image.Image:
    """Pixels in sRGB, so dropping the colour profile does not shift the colours."""
    icc = img.info.get("icc_profile")
    if img.mode == "CMYK":
        img = _convert_profile(img, icc, "RGB") if icc else img.convert("RGB")
    elif icc and img.mode in ("RGB", "RGBA"):
        img = _convert_profile(img, icc, img.mode)
    return img


def _convert_profile(img: Image.Image, icc: bytes, mode: str) -> Image.Image:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            img, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        converted = None
    if converted is None:
        return img.convert(mode) if img.mode != mode else img
    return converted


def _bare(img: Image.Image, kind: str) -> Image.Image:
    """The image with no metadata but what drawing it needs (palette transparency).

    Encoders read ``info`` (a PNG writes the colour profile it finds there), so it is
    replaced rather than copied; the image is ours to change, having been decoded here.
    """
    if kind == "jpeg" and img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    elif kind == "webp" and img.mode not in ("RGB", "RGBA"):
        img = img.convert("RGBA" if _has_alpha(img) else "RGB")
    elif kind == "png" and img.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I"):
        img = img.convert("RGBA")
    transparency = img.info.get("transparency")
    img.info = {} if transparency is None else {"transparency": transparency}
    return img


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info


def _encode(img: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    if kind == "jpeg":
        img.save(buffer, "JPEG", quality=88, optimize=True)
    elif kind == "png":
        img.save(buffer, "PNG", compress_level=6)
    elif kind == "gif":
        img.save(buffer, "GIF")
    else:
        img.save(buffer, "WEBP", quality=86, method=4)
    return buffer.getvalue()


def _thumbnail(img: Image.Image, side: int) -> bytes:
    """WebP, longest side ``side``; resized before any conversion, so no full-size copy."""
    mode = "RGBA" if _has_alpha(img) else "RGB"
    if img.mode not in ("RGB", "RGBA", "L", "LA"):  # palettes would resize by nearest pixel
        img = img.convert(mode)
    scale = side / max(img.size)
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    thumb = img.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0).convert(mode)
    buffer = io.BytesIO()
    thumb.save(buffer, "WEBP", quality=80, method=4)
    return buffer.getvalue()


def _clean_animation(img: Image.Image, kind: str, frames: int, limits: ImageLimits) -> CleanImage:
    width, height = img.size
    if frames > limits.max_frames or frames * width * height > limits.max_animation_pixels:
        raise Refused(
            f"The animation is too long: at most {limits.max_frames} frames and "
            f"{limits.max_animation_pixels / 1_000_000:g} megapixels over all frames.",
            "dimensions",
        )
    loop = img.info.get("loop", 0)
    pictures: list[Image.Image] = []
    durations: list[int] = []
    for frame in ImageSequence.Iterator(img):
        durations.append(int(frame.info.get("duration") or 100))
        copy = frame.convert("RGBA")
        copy.info = {}
        pictures.append(copy)
    buffer = io.BytesIO()
    common = {"save_all": True, "append_images": pictures[1:], "duration": durations}
    if kind == "gif":
        pictures[0].save(buffer, "GIF", loop=loop, disposal=2, **common)
    else:
        pictures[0].save(buffer, "WEBP", loop=loop, quality=86, method=4, **common)
    return CleanImage(buffer.getvalue(), kind, width, height, True, None)
