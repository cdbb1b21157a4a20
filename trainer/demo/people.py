"""The demo organisation's people: three teams of a customer-service outsourcer, their
leads, an admin, and agents with Chinese names and learner profiles.

Deterministic for a seed.  Pure: no database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

#: (team name, platform, username prefix, lead's username, lead's name)
TEAMS = (
    ("天猫一组", "tmall", "tm", "lead_tm", "周晓琳"),
    ("淘宝二组", "taobao", "tb", "lead_tb", "陈建国"),
    ("京东三组", "jd", "jd", "lead_jd", "李海燕"),
)
ADMIN = ("admin", "培训负责人·吴老师")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN = (  # noqa: SIM905 - a name list reads better as one string
    "子涵 欣怡 梓萱 思彤 雨桐 一诺 佳怡 晓敏 丽娟 海燕 静怡 婷婷 文杰 "
    "浩然 俊杰 宇航 志强 建华 明轩 家豪 诗涵 雅琪 梦瑶 可馨 雨欣 嘉怡 "
    "心怡 晓雯 美玲 秀英 桂芳 春燕 小红 丹丹 倩 敏 磊 洋 勇 军 杰 涛 "
    "超 鹏 辉 斌 凯 晨 悦 琳 颖 瑶 蕾 娜 薇 露 佳琪 思雨 慧敏 晓彤 "
    "若曦 宇轩 子豪 梓涵 浩宇 俊熙 博文 天佑 雨泽 皓轩 沐阳 语嫣 静雯 "
    "紫涵 依诺 欣妍 晓丽 玉兰"
).split()


@dataclass(frozen=True)
class Profile:
    """How an agent learns: accuracy goes from ``start`` towards ``ceiling`` with the number
    of answers given (time constant ``tau`` answers); ``active`` is the chance of a session on
    a working day; a stalled agent stops after ``stop_after`` days."""

    kind: str  # 快 / 稳 / 慢 / 停滞
    start: float
    ceiling: float
    tau: float
    active: float
    stop_after: int | None = None

    def accuracy(self, answers_so_far: int) -> float:
        from math import exp

        grown = 1 - exp(-answers_so_far / self.tau)
        return self.start + (self.ceiling - self.start) * grown


@dataclass(frozen=True)
class Agent:
    username: str
    name: str
    team: str
    platform: str
    hired_days_ago: int
    profile: Profile
    veteran: bool = False  # certified before the six months of history began
    cert_days_ago: int | None = None  # veterans: when the old certificate was issued


def _profile(rng: random.Random, kind: str) -> Profile:
    jitter = rng.uniform(-0.04, 0.04)
    if kind == "快":
        return Profile(kind, 0.55 + jitter, 0.95, rng.uniform(40, 70), rng.uniform(0.55, 0.7))
    if kind == "稳":
        return Profile(kind, 0.45 + jitter, 0.88, rng.uniform(90, 140), rng.uniform(0.45, 0.6))
    if kind == "慢":
        return Profile(kind, 0.35 + jitter, 0.78, rng.uniform(180, 260), rng.uniform(0.35, 0.5))
    return Profile(
        "停滞",
        0.38 + jitter,
        0.62,
        rng.uniform(120, 180),
        rng.uniform(0.35, 0.5),
        stop_after=rng.randint(18, 45),
    )


def make_agents(rng: random.Random, per_team: int = 20) -> list[Agent]:
    """``per_team`` agents in each of :data:`TEAMS`: four veterans per team (certified 10 to
    13 months ago, so some certificates have expired or expire soon), a couple of new hires of
    the last fortnight, and the rest hired over the last six months; about a quarter learn
    fast, most steadily, a fifth slowly, and one or two stalled."""
    used: set[str] = set()
    agents = []
    for team, platform, prefix, _, _ in TEAMS:
        kinds = ["快"] * 5 + ["稳"] * 9 + ["慢"] * 4 + ["停滞"] * 2
        kinds = (kinds * (per_team // len(kinds) + 1))[:per_team]
        rng.shuffle(kinds)
        for i in range(per_team):
            while True:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                if name not in used:
                    used.add(name)
                    break
            veteran = i < min(4, per_team // 4)
            if veteran:
                cert_days = (395, 372, 350, 320)[i % 4] + rng.randint(-3, 3)
                hired = cert_days + rng.randint(30, 60)
                kind = "稳" if kinds[i] == "停滞" else kinds[i]
            elif i < min(4, per_team // 4) + 2:
                cert_days, hired, kind = None, rng.randint(3, 14), kinds[i]
            else:
                cert_days, hired, kind = None, rng.randint(20, 178), kinds[i]
            agents.append(
                Agent(
                    username=f"{prefix}{i + 1:02d}",
                    name=name,
                    team=team,
                    platform=platform,
                    hired_days_ago=hired,
                    profile=_profile(rng, kind),
                    veteran=veteran,
                    cert_days_ago=cert_days,
                )
            )
    return agents
