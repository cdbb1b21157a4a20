from __future__ import annotations

import pytest

from trainer.grading.normalize import normalize

CASES = [
    ("亲，您好！", "亲,你好!"),
    ("ＡＢＣ１２３", "abc123"),
    ("亲 对不起 链接不方便打开", "亲,对不起,链接不方便打开"),  # a space is a pause
    ("  可以开发票。  ", "可以开发票."),  # at either end: dropped
    ("好的 ， 马上开", "好的,马上开"),  # next to punctuation: dropped
    ("ok 的 hello world", "ok的helloworld"),  # next to Latin letters: dropped
    ("验证码是 583920", "验证码是583920"),  # next to digits: dropped
    ("亲\n\n发票可以开", "亲,发票可以开"),  # line breaks too
    ("妳好～请稍等…", "你好~请稍等..."),
    ("第一、第二；第三：好", "第一,第二;第三:好"),
    ("\u200b亲\ufeff在的", "亲在的"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_normalize(raw, expected) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    ("raw", "needle", "original"),
    [
        ("亲 您好，可以开发票", "你好", "您好"),
        ("亲 您 好，可以开发票", "你,好", "您 好"),
        ("ＡＢ 可以开", "可以开", "可以开"),
        ("㎏ 可以开发票", "开发票", "开发票"),  # ㎏ grows to "kg" under NFKC
        ("😀😀 可以开发票", "开发票", "开发票"),
    ],
)
def test_spans_map_back_to_the_original(raw, needle, original) -> None:
    n = normalize(raw)
    s = n.text.index(needle)
    a, b = n.original_span(s, s + len(needle))
    assert raw[a:b] == original
