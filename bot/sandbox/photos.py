"""A picture sent as a photo, as Telegram delivers it: re-encoded as JPEG, with its size.

Telegram never hands a bot the PNG (or any other format) a person picked as a photo: it compresses
every photo to JPEG, and the bot reads each photo as ``image/jpeg`` (bot/files/file_check.py then
checks the bytes are a JPEG). The sandbox's 📎 used to pass the PNG bytes through, so the bot
refused a good PNG as a broken image. Pillow is there through matplotlib.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

__all__ = ["TelegramPhoto", "as_telegram_photo"]

# Telegram's largest photo size has its longer side at 1280 (2560 for some clients).
MAX_SIDE = 1280


@dataclass(frozen=True)
class TelegramPhoto:
    content: bytes
    width: int
    height: int


def as_telegram_photo(content: bytes) -> TelegramPhoto | None:
    """The picture as Telegram would deliver it, or None when it does not open as a picture (then
    it goes through as it is, and the bot says it is broken — as it should)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            picture = image.convert("RGBA") if image.mode in ("RGBA", "LA", "P", "PA") else image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if picture.mode == "RGBA":  # no transparency in a JPEG: on white, as Telegram shows it
        background = Image.new("RGB", picture.size, (255, 255, 255))
        background.paste(picture, mask=picture.getchannel("A"))
        picture = background
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=87)
    return TelegramPhoto(out.getvalue(), picture.width, picture.height)
