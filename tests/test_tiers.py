"""The tiers as one type: what a stored mode means, who sits above and below, what a workspace is."""

from canvasser.core.storage.opening import open_workspace
from canvasser.core.sync import setup
from canvasser.core.tiers import Tier


def test_the_chain_runs_village_township_county():
    assert Tier.VILLAGE.above is Tier.TOWNSHIP and Tier.TOWNSHIP.above is Tier.COUNTY and Tier.COUNTY.above is None
    assert Tier.COUNTY.below is Tier.TOWNSHIP and Tier.TOWNSHIP.below is Tier.VILLAGE and Tier.VILLAGE.below is None
    assert [t for t in Tier if t.coordinates] == [Tier.TOWNSHIP, Tier.COUNTY]
    assert not Tier.STANDALONE.syncs and Tier.VILLAGE.syncs
    assert Tier.of("") is Tier.STANDALONE and Tier.of("nonsense") is Tier.STANDALONE and Tier.of("county") is Tier.COUNTY
    assert (Tier.TOWNSHIP.label, Tier.TOWNSHIP.operator, Tier.VILLAGE.operator) == ("乡镇", "操作人", "走访人")


def test_a_workspace_knows_its_tier(tmp_path):
    ws = open_workspace(tmp_path / "t.db")
    try:
        assert ws.tier is Tier.STANDALONE and ws.mode == "standalone"
        setup.init_township(ws, "东岳镇")
        assert ws.tier is Tier.TOWNSHIP and ws.mode == "township" and ws.meta(ws.tier.unit_key) == "东岳镇"
    finally:
        ws.close()
