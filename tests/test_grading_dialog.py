"""Dialogs branch on how the last reply scored."""

from __future__ import annotations

from trainer.catalog.models import Dialog
from trainer.grading import grade, grade_dialog_turn

RUBRIC = {
    "concepts": [
        {
            "id": "sorry",
            "label": "致歉",
            "points": 10,
            "required": True,
            "patterns": ["抱歉", "对不起", "不好意思"],
        }
    ],
    "violations": [
        {
            "id": "abuse-buyer",
            "label": "辱骂买家",
            "rule": "京东规则·骚扰他人",
            "penalty": "严重违规",
            "patterns": ["滚", "神经病"],
        }
    ],
}
DIALOG = Dialog.model_validate(
    {
        "id": "d",
        "type": "dialog",
        "lessons": ["l1"],
        "explanation": "解释",
        "source": ["004_7ad7c18341c5f541.txt"],
        "turns": [
            {
                "id": "t1",
                "buyer": "怎么还没发货！",
                "model_answer": "抱歉",
                "rubric": RUBRIC,
                "next_pass": "calm",
                "next_fail": "angry",
            },
            {
                "id": "calm",
                "buyer": "好吧，那什么时候到？",
                "model_answer": "抱歉",
                "rubric": RUBRIC,
                "next_pass": "end",
                "next_fail": "end",
            },
            {
                "id": "angry",
                "buyer": "什么态度！我要投诉！",
                "model_answer": "对不起",
                "rubric": RUBRIC,
                "next_pass": "end",
                "next_fail": "end",
            },
            {"id": "end", "buyer": "行，谢谢", "model_answer": "不好意思，感谢", "rubric": RUBRIC},
        ],
    }
)


def test_turn_branches() -> None:
    g, nxt = grade_dialog_turn(DIALOG, "t1", "亲，非常抱歉让您久等了")
    assert g.passed and nxt == "calm"
    g, nxt = grade_dialog_turn(DIALOG, "t1", "催什么催")
    assert not g.passed and nxt == "angry"
    g, nxt = grade_dialog_turn(DIALOG, "end", "不好意思")
    assert nxt == ""


def test_whole_dialog_path_and_score() -> None:
    g = grade(DIALOG, ["亲，非常抱歉", "对不起，马上处理", "不好意思，感谢"])
    assert g.extra["path"] == ["t1", "calm", "end"] and g.passed and g.extra["finished"]
    assert g.score == g.max_score == 30
    g = grade(DIALOG, ["你给我滚吧", "对不起，马上处理", "不好意思，感谢"])
    assert g.extra["path"] == ["t1", "angry", "end"]
    assert not g.passed and [v.id for v in g.violations] == ["abuse-buyer"]
    assert "京东规则·骚扰他人" in g.feedback
    g = grade(DIALOG, ["亲，非常抱歉"])
    assert not g.extra["finished"] and not g.passed
