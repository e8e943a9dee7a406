"""Interim keyword classifier (the full rule engine replaces the internals, not the contract)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import yaml

CATEGORY_NAMES = {
    "environment": "环境卫生", "facilities": "市政设施", "utilities": "水电气暖", "safety": "安全隐患",
    "security": "社会治安", "dispute": "矛盾纠纷", "property": "物业管理", "order": "市容秩序",
    "traffic": "交通出行", "welfare": "民生服务", "health": "卫生健康", "market": "市场监管",
    "ecology": "生态环境", "other": "其他",
}
DEFAULT_DEADLINES = {"red": ("30m", "24h"), "yellow": ("4h", "3wd"), "green": ("1wd", "5wd")}


class TaxonomyError(ValueError):
    """config/categories.yaml is malformed; the message names the place."""


@dataclass(frozen=True)
class Classification:
    is_report: bool
    category: str | None
    subcategory: str | None
    urgency: str | None
    confidence: float
    keywords: tuple[str, ...] = ()
    location: str | None = None
    emergency: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        d = asdict(self)
        d["keywords"] = list(self.keywords)
        d["emergency"] = list(self.emergency)
        return d


@dataclass
class Taxonomy:
    names: dict[str, str] = field(default_factory=lambda: dict(CATEGORY_NAMES))
    keywords: dict[str, list[str]] = field(default_factory=dict)
    red: dict[str, str] = field(default_factory=dict)  # trigger -> emergency number

    def category_name(self, code: str | None) -> str:
        return self.names.get(code or "other", "其他")

    def subcategory_name(self, code: str | None, sub: str | None) -> str:
        return self.category_name(code)

    def deadlines(self, code: str | None, sub: str | None, urgency: str) -> tuple[str, str]:
        return DEFAULT_DEADLINES[urgency]

    def tier(self, code: str | None, sub: str | None) -> str:
        return "grid"

    def department(self, code: str | None, sub: str | None) -> str | None:
        return None


class Classifier:
    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy

    @classmethod
    def load(cls, path: str | Path | None = None) -> Classifier:
        if path is None:
            text = resources.files("bot.defaults").joinpath("categories.yaml").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        data = yaml.safe_load(text) or {}
        return cls(Taxonomy(keywords=data.get("keywords", {}), red=data.get("red", {})))

    def classify(self, text: str, *, role: str | None = None) -> Classification:
        text = (text or "").strip()
        hits: dict[str, list[str]] = {}
        for code, words in self.taxonomy.keywords.items():
            for w in words:
                if w in text:
                    hits.setdefault(code, []).append(w)
        red = [(w, n) for w, n in self.taxonomy.red.items() if w in text]
        if not hits and not red:
            return Classification(False, None, None, None, 0.0)
        code = max(hits, key=lambda c: len(hits[c])) if hits else "safety"
        urgency = "red" if red else ("yellow" if re.search("停水|停电|堵|漏|噪音|吵", text) else "green")
        words = tuple(hits.get(code, [])) + tuple(w for w, _ in red)
        return Classification(True, code, None, urgency, 0.9, words, None, tuple(n for _, n in red))
