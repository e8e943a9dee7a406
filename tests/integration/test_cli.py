"""The command line: one clear line and a non-zero exit for every bad setting or input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ORG_EXAMPLE


def gridbot(*args: str, env: dict[str, str] | None = None, cwd=None) -> subprocess.CompletedProcess:
    import os

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDBOT_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=full_env,
                          cwd=cwd, timeout=120)


def test_help_lists_every_command_on_one_line():
    out = gridbot("--help").stdout
    for command in ("demo", "run", "db", "org", "outbox", "calendar", "classify", "eval", "rules", "export"):
        assert f" {command} " in out


def test_unknown_demo_scenario_is_one_line():
    r = gridbot("demo", "--scenario", "rainy")
    assert r.returncode == 1 and "unknown scenario 'rainy'" in r.stderr and r.stderr.strip().count("\n") == 0


def test_run_without_token_says_so(tmp_path):
    r = gridbot("run", env={"GRIDBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}, cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.strip().count("\n") == 0 and "token" in r.stderr


def test_unreachable_database_is_one_line(tmp_path):
    r = gridbot("db", "upgrade", env={"GRIDBOT_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert r.returncode == 1
    assert r.stderr.strip().count("\n") == 0 and "database unreachable" in r.stderr


@pytest.mark.parametrize("content, message", [
    ("token = 'x'\nopen_threshold = 'high'\n", "bad setting open_threshold"),
    ("token = \n", "cannot read config file"),
])
def test_bad_config_file_is_one_line(tmp_path, content, message):
    cfg = tmp_path / "settings.toml"
    cfg.write_text(content, encoding="utf-8")
    r = gridbot("--config", str(cfg), "db", "upgrade", env={"GRIDBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert r.returncode == 1 and message in r.stderr and r.stderr.strip().count("\n") == 0


def test_missing_config_file(tmp_path):
    r = gridbot("--config", str(tmp_path / "nope.toml"), "db", "upgrade")
    assert r.returncode == 1 and "config file not found" in r.stderr


def test_org_import_from_any_directory(tmp_path):
    env = {"GRIDBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'org.db'}"}
    r = gridbot("org", "import", str(ORG_EXAMPLE), env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "imported 7 units" in r.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("units: [{code: a, name: A}]\n", encoding="utf-8")
    r = gridbot("org", "import", str(bad), env=env, cwd=tmp_path)
    assert r.returncode == 1 and "missing 'kind'" in r.stderr
