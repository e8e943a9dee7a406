"""`pip install .` must ship every subpackage and the default config files (gridbot works from any folder)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "bot").rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_default_config_files_are_package_data():
    from importlib import resources

    files = {p.name for p in resources.files("bot.defaults").iterdir()}
    assert {"categories.yaml", "org.example.yaml", "holidays.yaml", "settings.example.toml"} <= files
