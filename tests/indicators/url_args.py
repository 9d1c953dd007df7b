"""URL-argument factories of the indicators app (see tests/url_args.py).

Each builds institution B's objects; private texts carry the sentinel, which must never leak to A's staff,
regional roles or anonymous visitors.
"""

import datetime

from indicators import services
from indicators.framework_seed import ensure_framework
from indicators.models import MonitoringRound
from tests.indicators.helpers import open_cycle
from tests.url_args import World, url_arg


def _b_cycle(world: World):
    def build():

        cycle = open_cycle(world.b, title="B baseline")
        value = cycle.values.select_related("indicator").get(indicator__code="1.1.S1")
        respondent = cycle.test_users["respondent"]
        services.value_save(
            value=value, by=respondent, data={"answer": "yes", "narrative": f"private narrative {world.sentinel}"}
        )
        source = services.source_add(
            value=value, by=respondent, kind="interview", citation=f"interview {world.sentinel}", confidential=True
        )
        return cycle, value, source

    return world.once("indicators:b_cycle", build)


@url_arg("cycle_id", owned=True)
def _cycle_id(world: World):
    return _b_cycle(world)[0].pk


@url_arg("area_code")
def _area_code(world: World):
    return "1"


@url_arg("indicator_code")
def _indicator_code(world: World):
    return "1.1.S1"


@url_arg("value_id", owned=True)
def _value_id(world: World):
    return _b_cycle(world)[1].pk


@url_arg("source_id", owned=True)
def _source_id(world: World):
    return _b_cycle(world)[2].pk


@url_arg("version_id")
def _version_id(world: World):
    return ensure_framework().pk


@url_arg("round_id")
def _round_id(world: World):

    return MonitoringRound.objects.create(
        year=2030, title="Matrix round", version=ensure_framework(), due_date=datetime.date(2031, 1, 1)
    ).pk
