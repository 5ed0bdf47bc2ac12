"""Edit raw EXIF bytes in place, keeping every other tag exactly as the camera wrote it."""

from __future__ import annotations

import struct

EXIF_HEADER = b"Exif\x00\x00"
ORIENTATION_TAG = 0x0112
_SHORT = 3


def with_orientation_reset(exif: bytes) -> bytes:
    """`exif` with its IFD0 Orientation set to 1 (upright), for pixels already rotated.

    Works on the bytes as Pillow hands them over (with or without the "Exif\\0\\0" header);
    data it cannot parse, or without an Orientation tag, comes back unchanged.
    """
    start = len(EXIF_HEADER) if exif.startswith(EXIF_HEADER) else 0
    tiff = exif[start:]
    if tiff[:4] not in (b"II*\x00", b"MM\x00*"):
        return exif
    order = "<" if tiff[:2] == b"II" else ">"
    try:
        (ifd,) = struct.unpack_from(f"{order}I", tiff, 4)
        (count,) = struct.unpack_from(f"{order}H", tiff, ifd)
        for index in range(count):
            entry = ifd + 2 + 12 * index
            tag, kind, values = struct.unpack_from(f"{order}HHI", tiff, entry)
            if tag == ORIENTATION_TAG and kind == _SHORT and values == 1:
                patched = bytearray(exif)
                struct.pack_into(f"{order}H", patched, start + entry + 8, 1)
                return bytes(patched)
    except struct.error:
        return exif
    return exif
