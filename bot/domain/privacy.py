"""Masking of personal data in anything posted to a group, exported or logged."""

from __future__ import annotations

import re

MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)(\d{3,4})(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """138****5678 for mobiles, 330102********1234 for ID numbers, 0571-****5678 for landlines."""
    text = ID_NUMBER.sub(lambda m: m.group(1) + "*" * 8 + m.group(3)[-4:].rjust(4, "*")[-4:], text)
    text = MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    text = LANDLINE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    return text


def mask_name(name: str) -> str:
    """王阿姨 → 王**, Alice → A***: enough for a neighbour to recognise, not to identify."""
    name = (name or "").strip()
    if not name:
        return "居民"
    return name[0] + "*" * max(1, min(len(name) - 1, 3))
