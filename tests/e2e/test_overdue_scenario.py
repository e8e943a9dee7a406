"""`gridbot demo --scenario overdue` as a test: one case, the real classifier and both adapters over real HTTP,
a clock that jumps to each deadline row: reminded at 75 %, yellow card to the grid leader, red card to the
community secretary, raised to the community, signed for and resolved there, rated by the resident."""

from __future__ import annotations

import re

import pytest

from bot.demo_overdue import run_overdue_demo


@pytest.mark.parametrize("transport", ["ptb", "aiogram"])
async def test_an_overdue_case_climbs_the_ladder_and_is_closed_at_the_community(transport):
    out = await run_overdue_demo(transport=transport)
    chapters = out.split("\n⏩ ")[1:]
    assert [c.split("—— ", 1)[1].split("\n", 1)[0] for c in chapters] == [
        "居民在群里反映问题",
        "网格员一直没有接单：受理时限用去 75%，提醒负责人",
        "受理超期：黄牌督办，告知网格长",
        "超期又一个督办间隔：红牌督办，告知社区书记",
        "网格员说明情况，上报社区",
        "社区书记接单",
        "协调排水公司疏通后办结",
        "回访：居民评价",
    ]
    report, remind, yellow, red, up, signed, resolved, rated = chapters
    assert "[翠苑一网格工作群]" in report and "工单 #" in report and "负责网格员：李明" in report
    assert "⏰" in remind and "李明" in remind
    assert "[翠苑一网格工作群]" in yellow and "🟨 黄牌督办" in yellow and "王建军" in yellow  # the grid leader
    assert "[翠苑社区指挥群]" in red and "🟥 红牌督办" in red and "陈丽华" in red  # the community secretary
    # the residents' group hears nothing of supervision, only who handles the case now
    for part in (remind, yellow, red):
        assert "[翠苑一网格居民群]" not in part
    assert re.search(r"\[翠苑一网格居民群\].*上报社区", up) and "[翠苑社区指挥群]" in up
    assert "社区工作人员陈丽华已接单" in signed
    assert "请对处理结果进行评价" in resolved and "[满意] [基本满意] [不满意]" in resolved
    assert "已结案" in rated
    assert "状态 closed，督办 red，层级 community，评价 satisfied" in out
