"""categories.yaml validation, the CLI (typer CliRunner) and keyword suggestions."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.classifier import Taxonomy, TaxonomyError
from bot.classifier.cli import app
from bot.classifier.suggest import suggest_from_corrections, suggest_keywords
from bot.classifier.taxonomy import TOP_LEVEL_CODES

runner = CliRunner()


# this checkout's config/categories.yaml, the file Taxonomy.load() reads from a source tree; the
# packaged copy (bot.defaults) only when the tests run against an installed wheel. An editable install
# maps bot.defaults to the first worktree's config/, so reading it directly here would test the
# rules of another checkout.
CHECKOUT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "categories.yaml"


def packaged() -> dict:
    if CHECKOUT_CONFIG.is_file():
        return yaml.safe_load(CHECKOUT_CONFIG.read_text("utf-8"))
    return yaml.safe_load(resources.files("bot.defaults").joinpath("categories.yaml").read_text("utf-8"))


def write(tmp_path: Path, data: dict | str) -> Path:
    p = tmp_path / "categories.yaml"
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return p


def test_packaged_taxonomy_has_the_14_fixed_codes() -> None:
    tx = Taxonomy.load()
    assert tuple(tx.categories) == TOP_LEVEL_CODES
    for cat in tx.categories.values():
        assert cat.subcategories
        for sub in cat.subcategories.values():
            assert sub.name and sub.urgency in ("red", "yellow", "green")
            assert sub.tier in ("grid", "community", "street", "department")
            assert sub.keywords or sub.topics


@pytest.mark.parametrize(
    ("mutate", "place"),
    [
        (
            lambda d: d["categories"]["facilities"]["subcategories"]["streetlight"].update(urgency="orange"),
            "categories.facilities.subcategories.streetlight.urgency",
        ),
        (
            lambda d: d["categories"]["safety"]["subcategories"]["fire"].update(tier="city"),
            "categories.safety.subcategories.fire.tier",
        ),
        (lambda d: d["categories"].pop("ecology"), "categories.ecology"),
        (
            lambda d: d["categories"].update(weather={"name": "天气", "subcategories": {}}),
            "categories.weather",
        ),
        (
            lambda d: d["categories"]["market"]["subcategories"]["consumer"].update(keywords=[], topics=[]),
            "categories.market.subcategories.consumer.keywords",
        ),
        (
            lambda d: d["categories"]["utilities"]["subcategories"]["water_supply"].update(deadline="FAST"),
            "categories.utilities.subcategories.water_supply.deadline",
        ),
        (
            lambda d: d["categories"]["utilities"]["subcategories"]["water_supply"].update(
                deadlines={"red": ["10x", "1h"]}
            ),
            "categories.utilities.subcategories.water_supply.deadlines.red[0]",
        ),
        (
            lambda d: d["categories"]["safety"]["subcategories"]["fire"].update(emergency=["999"]),
            "categories.safety.subcategories.fire.emergency[0]",
        ),
        (
            lambda d: d["rules"]["object_fault"]["objects"].update(路灯="facilities.lamps"),
            "rules.object_fault.objects.路灯",
        ),
        (lambda d: d["rules"]["problem_patterns"].append("坏(了"), "rules.problem_patterns"),
        (lambda d: d["rules"]["non_report"].update(spam=["x"]), "rules.non_report.spam"),
        (lambda d: d.pop("emergency_contacts"), "emergency_contacts"),
        (lambda d: d["rules"]["red_patterns"][0].update(sub="safety.lifts"), "rules.red_patterns[0].sub"),
        (lambda d: d["rules"]["red_patterns"][1].update(numbers=["999"]), "rules.red_patterns[1].numbers[0]"),
        (lambda d: d["rules"]["red_patterns"][0].update(pattern="电梯(里"), "rules.red_patterns[0].pattern"),
        (lambda d: d["rules"]["red_patterns"][0].pop("pattern"), "rules.red_patterns[0].pattern"),
        (lambda d: d["rules"].update(not_red_patterns=["演练("]), "rules.not_red_patterns"),
        (lambda d: d["rules"].update(alarm_patterns=["快来人("]), "rules.alarm_patterns"),
        (lambda d: d["rules"].update(alarm_patterns="快来人"), "rules.alarm_patterns"),
        (lambda d: d["rules"].update(alarm_patterns=["快叫KTV老板"]), "rules.alarm_patterns[0]"),  # capitals
    ],
)
def test_broken_file_gives_one_clear_error(tmp_path: Path, mutate, place: str) -> None:
    data = packaged()
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(TaxonomyError) as err:
        Taxonomy.load(path)
    msg = str(err.value)
    assert msg.startswith(str(path)), msg
    assert place in msg, msg
    assert "\n" not in msg


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\ncategories:\n  environment: [unclosed\n")
    with pytest.raises(TaxonomyError, match=r"line \d+"):
        Taxonomy.load(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read"):
        Taxonomy.load(tmp_path / "nope.yaml")


def test_cli_classify_reads_stdin_writes_json_lines() -> None:
    result = runner.invoke(app, ["classify"], input="3号楼井盖没了\n\n早上好\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.output.strip().splitlines()]
    assert len(lines) == 2
    first, second = lines
    assert first["is_report"] is True and first["category"] == "facilities" and first["urgency"] == "red"
    assert first["location"] == "3号楼" and first["keywords"] and "subcategory" in first
    assert second["is_report"] is False and second["category"] is None and second["urgency"] is None
    assert "井盖" in result.output  # ensure_ascii=False


def test_cli_classify_explain() -> None:
    result = runner.invoke(app, ["classify", "--explain"], input="电梯又坏了 困了人!!\n")
    assert result.exit_code == 0
    rec = json.loads(result.output)
    assert "96333" in rec["explain"] and "判断" in rec["explain"]


def test_cli_classify_bad_config(tmp_path: Path) -> None:
    path = write(tmp_path, "categories: {}\n")
    result = runner.invoke(app, ["classify", "--config", str(path)], input="x\n")
    assert result.exit_code == 2
    assert "emergency_contacts" in result.output or "rules" in result.output


def test_cli_rules_check_lists_shared_words(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rules-check"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output
    data = packaged()
    data["categories"]["ecology"]["subcategories"]["water_pollution"]["keywords"].append("路灯不亮")
    result = runner.invoke(app, ["rules-check", "--config", str(write(tmp_path, data))])
    assert "路灯不亮: " in result.output and "facilities.streetlight" in result.output


def test_cli_eval_on_a_file(tmp_path: Path) -> None:
    rows = [
        {"text": "3号楼井盖没了", "is_report": True, "category": "facilities", "urgency": "red"},
        {"text": "北门垃圾好几天没人清", "is_report": True, "category": "environment", "urgency": "yellow"},
        {"text": "早上好", "is_report": False, "category": None, "urgency": None},
        {"text": "谢谢物业，电梯已经修好了", "is_report": False, "category": None, "urgency": None},
    ]
    f = tmp_path / "mine.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    result = runner.invoke(app, ["eval", "--file", str(f)])
    assert result.exit_code == 0, result.output
    assert "precision 1.000  recall 1.000" in result.output
    assert "red recall 1.000 (1/1)" in result.output
    assert "confusion matrix" in result.output and "worst misses" in result.output


def test_cli_eval_clear_leaves_out_rows_flagged_ambiguous(tmp_path: Path) -> None:
    rows = [
        {"text": "5栋楼道灯坏了一个礼拜", "is_report": True, "category": "property", "urgency": "green"},
        # a row the labeller could not decide: counted without --clear, left out with it
        {"text": "早上好", "is_report": True, "category": "other", "urgency": "green", "ambiguous": True},
    ]
    f = tmp_path / "mine.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    result = runner.invoke(app, ["eval", "--file", str(f), "--worst", "0"])
    assert result.exit_code == 0, result.output
    assert "2 messages" in result.output and "recall 0.500" in result.output
    result = runner.invoke(app, ["eval", "--file", str(f), "--worst", "0", "--clear"])
    assert result.exit_code == 0, result.output
    assert "1 rows flagged ambiguous left out): 1 messages" in result.output
    assert "recall 1.000" in result.output


def test_cli_eval_without_data_exits_zero(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GRIDBOT_DATA_DIR", raising=False)
    result = runner.invoke(app, ["eval", "--data-dir", str(tmp_path / "absent")])
    assert result.exit_code == 0
    assert "no evaluation data" in result.output


def test_suggest_keywords_mines_corrections() -> None:
    corrections = [
        ("小区充电桩又被燃油车占了", "property"),
        ("燃油车占着充电桩不走", "property"),
        ("地库充电桩全被燃油车停满", "property"),
        ("河边晚上有人电鱼", "ecology"),
        ("又看到有人在河里电鱼", "ecology"),
    ]
    others = ["今天天气不错", "晚上吃什么", "小区门口开了新店", "燃油价格又涨了"]
    out = suggest_keywords(corrections, others, top=5)
    assert set(out) == {"property", "ecology"}
    assert "电鱼" in out["ecology"]
    assert any("燃油" in w or "充电" in w for w in out["property"])
    assert suggest_keywords([], others) == {}
    assert "电鱼" not in suggest_keywords(corrections, others, known={"电鱼"}).get("ecology", [])


def test_suggest_from_corrections_mines_messages_made_red_apart_from_category_corrections() -> None:
    rows = [
        ("河边晚上有人电鱼", "other", "ecology", None, None),
        ("又看到有人在河里电鱼", "other", "ecology", None, None),
        ("对门阿婆几天没开门了 敲门没人应", "welfare", "welfare", "green", "red"),
        ("楼下阿公好几天没见人 敲门没人应", "welfare", "welfare", "yellow", "red"),
        ("楼上在装修 吵", "order", "order", "red", "green"),
    ]
    others = ["今天天气不错", "晚上吃什么", "小区门口开了新店", "3栋路灯不亮"]
    lines = suggest_from_corrections(rows, others, top=5, known={"电鱼"})
    assert lines[0] == "category corrections: 2" and lines[1].startswith("  ecology:")
    assert "电鱼" not in lines[1]  # already a keyword
    assert "urgency corrections: 3 (green 1, red 2)" in lines
    [red] = [line for line in lines if line.startswith("  red")]
    assert "candidate red triggers" in red and "敲门" in red
    assert not any("敲门" in line for line in lines if line.startswith("  green"))


def test_patterns_keep_their_case_and_keywords_are_lower_cased() -> None:
    """Keywords are lower-cased like the text (KTV matches ktv); a regex is not (\\S must stay \\S)."""
    data = packaged()
    data["rules"]["alarm_patterns"] = [r"快来人\S{0,2}"]
    tax = Taxonomy.from_dict(data)
    assert tax.rules.alarm_patterns == (r"快来人\S{0,2}",)
    assert "ktv" in tax.vocabulary()
