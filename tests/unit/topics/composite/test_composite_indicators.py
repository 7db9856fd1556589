"""The indicator-configuration loader rejects each kind of broken configuration specifically."""

import copy

import pytest
import yaml

from evalkit.config import ConfigError
from evalkit.topics.composite import indicators as cind


def good_doc():
    return {
        "dimensions": [
            {
                "id": "innovation",
                "name": "制度创新",
                "weight": 0.6,
                "indicators": [
                    {
                        "id": "replicated",
                        "name": "复制推广",
                        "table": "reform_items",
                        "formula": {"agg": "count", "where": {"kind": "replicated"}},
                        "direction": "+",
                        "unit": "条",
                        "target": "reforms_replicated",
                        "weight": 0.5,
                    },
                    {
                        "id": "lag",
                        "name": "时滞",
                        "table": "reform_items",
                        "formula": {
                            "agg": "median_days",
                            "start": "source_published",
                            "date": "adopted",
                        },
                        "direction": "-",
                        "unit": "天",
                        "weight": 0.5,
                        "reference": {"worst": 365, "best": 90, "source": "test"},
                    },
                ],
            },
            {
                "id": "trade",
                "name": "贸易",
                "weight": 0.4,
                "indicators": [
                    {
                        "id": "russia",
                        "name": "对俄",
                        "table": "logistics_monthly",
                        "formula": {
                            "agg": "sum",
                            "column": "value",
                            "where": {"indicator": "russia_trade_value"},
                        },
                        "direction": "+",
                        "unit": "万元",
                        "weight": 1.0,
                        "reference": {"worst": 0, "best": 20000, "source": "test"},
                    }
                ],
            },
        ]
    }


def ind(doc, d=0, i=0):
    return doc["dimensions"][d]["indicators"][i]


def test_good_config_loads():
    cfg = cind.parse_indicators(good_doc())
    assert [i.id for i in cfg.indicators] == ["replicated", "lag", "russia"]
    assert cfg.indicator("lag").direction == -1
    assert cfg.tables == ["logistics_monthly", "reform_items"]
    with pytest.raises(KeyError, match="unknown indicator 'nope'"):
        cfg.indicator("nope")


def test_shipped_config_has_the_five_dimensions():
    cfg = cind.load_indicators("data")
    ids = [d.id for d in cfg.dimensions]
    for required in (
        "institutional_innovation",
        "investment_promotion",
        "trade_logistics",
        "government_services",
        "industrial_clusters",
    ):
        assert required in ids
    assert sum(d.weight for d in cfg.dimensions) == pytest.approx(1.0)


def broken(mutate):
    doc = copy.deepcopy(good_doc())
    mutate(doc)
    return doc


CASES = [
    (
        "missing direction",
        lambda d: ind(d).pop("direction"),
        r"indicators\[0\]: 指标缺少 direction .*missing 'direction'",
    ),
    (
        "bad direction",
        lambda d: ind(d).update(direction="up"),
        r"\(replicated\)\.direction: 方向应为",
    ),
    (
        "unknown table",
        lambda d: ind(d).update(table="reform_itemz"),
        r"\.table: 未知数据表 'reform_itemz'.*unknown curated table",
    ),
    ("county table", lambda d: ind(d).update(table="county_panel"), r"has no zone_id"),
    (
        "unknown formula",
        lambda d: ind(d)["formula"].update(agg="eval"),
        r"formula\.agg: 未知公式.*unknown formula aggregation 'eval'",
    ),
    (
        "formula not mapping",
        lambda d: ind(d).update(formula="count(kind)"),
        r"formula: 公式应为映射",
    ),
    (
        "unknown formula key",
        lambda d: ind(d)["formula"].update(code="import os"),
        r"unknown formula keys \['code'\]",
    ),
    (
        "unknown indicator value",
        lambda d: ind(d, 1)["formula"]["where"].update(indicator="gdp"),
        r"where\.indicator: 未知取值.*unknown value 'gdp' of logistics_monthly\.indicator",
    ),
    (
        "unknown where column",
        lambda d: ind(d)["formula"]["where"].update(colour="red"),
        r"where\.colour: 数据表 reform_items 中没有此列",
    ),
    (
        "missing value column",
        lambda d: ind(d, 1)["formula"].pop("column"),
        r"formula\.column: 聚合 sum 需要 column",
    ),
    (
        "non-numeric column",
        lambda d: ind(d, 1)["formula"].update(column="indicator"),
        r"不是数值列",
    ),
    (
        "median_days without start",
        lambda d: ind(d, 0, 1)["formula"].pop("start"),
        r"formula\.start: 聚合 median_days 需要 start",
    ),
    (
        "date not a date",
        lambda d: ind(d)["formula"].update(date="title"),
        r"formula\.date: 列 'title' 不是日期列",
    ),
    (
        "share without numerator",
        lambda d: ind(d)["formula"].update(agg="share"),
        r"share needs 'numerator'",
    ),
    (
        "zero for a mean",
        lambda d: ind(d, 1)["formula"].update(agg="mean", if_no_rows="zero"),
        r"'mean' of no rows is undefined",
    ),
    (
        "indicator weights",
        lambda d: ind(d).update(weight=0.6),
        r"dimensions\[0\] \(innovation\)\.indicators: 维度内指标权重之和应为 1，实为 1\.1",
    ),
    (
        "dimension weights",
        lambda d: d["dimensions"][1].update(weight=0.5),
        r"dimensions: 维度权重之和应为 1，实为 1\.1",
    ),
    ("negative weight", lambda d: ind(d).update(weight=-0.5), r"\.weight: 权重应大于 0"),
    ("text weight", lambda d: ind(d).update(weight="half"), r"\.weight: 权重应为数字"),
    (
        "unknown target key",
        lambda d: ind(d).update(target="reforms_copied"),
        r"\.target: 未知目标键 'reforms_copied'",
    ),
    (
        "duplicate indicator",
        lambda d: ind(d, 0, 1).update(id="replicated"),
        r"duplicate indicator id 'replicated'",
    ),
    (
        "duplicate dimension",
        lambda d: d["dimensions"][1].update(id="innovation"),
        r"duplicate dimension id",
    ),
    ("missing unit", lambda d: ind(d).pop("unit"), r"指标缺少 unit"),
    (
        "unknown indicator key",
        lambda d: ind(d).update(weigth=1),
        r"unknown indicator keys \['weigth'\]",
    ),
    ("no dimensions", lambda d: d.update(dimensions=[]), r"missing or empty list 'dimensions'"),
    (
        "empty dimension",
        lambda d: d["dimensions"][1].update(indicators=[]),
        r"empty list of indicators",
    ),
]


@pytest.mark.parametrize("label, mutate, message", CASES, ids=[x[0] for x in CASES])
def test_loader_rejects_broken_config(label, mutate, message):
    with pytest.raises(ConfigError, match=message):
        cind.parse_indicators(broken(mutate), "indicators.yaml")


def test_loader_names_the_file_and_rejects_bad_yaml(tmp_path):
    (tmp_path / "config").mkdir()
    with pytest.raises(ConfigError, match="indicators file missing"):
        cind.load_indicators(tmp_path)
    (tmp_path / "config" / "indicators.yaml").write_text("dimensions: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid YAML"):
        cind.load_indicators(tmp_path)
    doc = broken(lambda d: ind(d).pop("direction"))
    (tmp_path / "config" / "indicators.yaml").write_text(
        yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"^indicators\.yaml: dimensions\[0\]"):
        cind.load_indicators(tmp_path)


@pytest.mark.parametrize(
    "patch, message",
    [
        ({"computed_by": "reforms.everything"}, r"computed_by: 未知计算来源"),
        ({"computed_by": "investment.yoy_growth"}, r"reads 'funds_monthly', not 'reform_items'"),
        (
            {"computed_by": "reforms.replicated", "formula": {"agg": "count"}},
            r"either computed_by or formula",
        ),
    ],
)
def test_loader_rejects_bad_computed_by(patch, message):
    def mutate(d):
        i = ind(d)
        i.pop("formula")
        i.update(patch)

    with pytest.raises(ConfigError, match=message):
        cind.parse_indicators(broken(mutate))
