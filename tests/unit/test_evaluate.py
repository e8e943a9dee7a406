"""score_predictions: the eval report for any predictions, e.g. another labeller's labels."""

from types import SimpleNamespace

from bot.classifier.evaluate import score_predictions


def label(is_report: bool, category: str | None = None, urgency: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(is_report=is_report, category=category, urgency=urgency,
                           confidence=1.0 if is_report else 0.0)


def test_score_predictions_compares_two_labellings() -> None:
    gold = [
        {"text": "7号楼电梯又停了", "is_report": True, "category": "property", "urgency": "yellow"},
        {"text": "广场舞音响太吵", "is_report": True, "category": "order", "urgency": "yellow"},
        {"text": "明天几点停水", "is_report": False},
    ]
    other = [label(True, "property", "yellow"), label(True, "other", "green"), label(True, "utilities", "green")]
    rep = score_predictions(gold, other)
    d = rep.detection
    assert (d.tp, d.fp, d.fn, d.tn) == (2, 1, 0, 0)
    assert rep.per_category["property"].f1 == 1.0 and rep.per_category["order"].f1 == 0.0
    assert rep.category_accuracy_on_reports == 0.5
    assert (rep.urgency_ok, rep.urgency_n) == (1, 2)


def test_score_predictions_needs_one_prediction_per_row() -> None:
    try:
        score_predictions([{"text": "井盖没了", "is_report": True}], [])
    except ValueError:
        return
    raise AssertionError("a missing prediction must not be skipped silently")
