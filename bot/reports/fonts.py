"""A font with Chinese glyphs for charts.

A fresh machine has none (`fc-list :lang=zh` prints nothing) and matplotlib would draw boxes ("tofu")
instead of 汉字, so gridbot depends on a PyPI package that ships Noto Sans SC. Search order: the
`chart_font` setting (GRIDBOT_CHART_FONT), the shipped Noto Sans SC, then any CJK font the system has.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

# system families that carry simplified Chinese, best first
SYSTEM_FAMILIES = (
    "Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", "SimHei", "Droid Sans Fallback", "AR PL UMing CN",
)
PROBE = "网格汇总办结率"  # every glyph a chart needs most

NO_FONT = (
    "no CJK font found: digest charts are left out (Chinese labels would render as boxes). "
    "Install one: `pip install pylopdf-fonts-zh-cn` (a gridbot dependency), or `apt-get install fonts-noto-cjk`, "
    "or point GRIDBOT_CHART_FONT at a .otf/.ttf/.ttc file with Chinese glyphs."
)


@dataclass(frozen=True)
class CJKFont:
    path: Path
    family: str
    source: str  # setting | package | system


def covers(path: Path, text: str = PROBE) -> bool:
    """True when the font file has a glyph for every character of `text`."""
    try:
        from matplotlib.ft2font import FT2Font

        face = FT2Font(str(path))
        return all(face.get_char_index(ord(ch)) for ch in text)
    except Exception:  # noqa: BLE001  (an unreadable file is simply not a candidate)
        return False


def _register(path: Path, source: str) -> CJKFont:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    return CJKFont(path, family, source)


def _shipped() -> Path | None:
    try:
        import pylopdf_fonts_zh_cn  # Noto Sans SC, SIL OFL 1.1

        return Path(pylopdf_fonts_zh_cn.sans_path())
    except Exception:  # noqa: BLE001
        return None


def _system() -> Path | None:
    from matplotlib import font_manager

    by_family: dict[str, Path] = {}
    for entry in font_manager.fontManager.ttflist:
        by_family.setdefault(entry.name, Path(entry.fname))
    for family in SYSTEM_FAMILIES:
        path = by_family.get(family)
        if path and covers(path):
            return path
    return None


@lru_cache(maxsize=8)
def find_cjk_font(setting: str | None = None) -> CJKFont | None:
    """The font charts use, registered with matplotlib; None when the machine has none."""
    if setting:
        path = Path(setting).expanduser()
        if path.is_file() and covers(path):
            return _register(path, "setting")
        log.warning("chart_font %s is missing or has no Chinese glyphs; looking elsewhere", setting)
    path = _shipped()
    if path and path.is_file() and covers(path):
        return _register(path, "package")
    path = _system()
    if path:
        return _register(path, "system")
    return None


def announce(setting: str | None = None) -> CJKFont | None:
    """Called at start: say which font charts use, or clearly that there is none."""
    font = find_cjk_font(setting)
    if font is None:
        log.error(NO_FONT)
    else:
        log.info("charts use the CJK font %s (%s, %s)", font.family, font.path, font.source)
    return font
