"""The tiers of the drive, as one type: a village reports to its township, a township to its county.

A workspace is one tier (kept in its `meta` row `mode`). What differs between tiers — what a tier is
called, who sits above and below it, whose unit names it, whether it keeps a list of several units —
is answered here, once, instead of a mode string compared across the code. A standalone workspace
(a list imported directly, no township yet) syncs with nobody.

Who decides each setting (the tier above or this tier), which acts belong to the top (a new year,
confirming payments) and what a package from the tier below may not carry: `core/authority.py`.
"""

from __future__ import annotations

from enum import Enum


class Tier(str, Enum):
    STANDALONE = "standalone"
    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"

    @classmethod
    def of(cls, mode: str | None) -> Tier:
        """The tier a stored mode names (an unknown or empty one is standalone)."""
        try:
            return cls(mode or "standalone")
        except ValueError:
            return cls.STANDALONE

    @property
    def label(self) -> str:
        """The tier in the cadre's words: 村, 乡镇, 县 (a standalone workspace is a village's own)."""
        return _LABELS[self]

    @property
    def unit_key(self) -> str:
        """The meta key (and person column) naming this workspace's own unit."""
        return {Tier.COUNTY: "county", Tier.TOWNSHIP: "township"}.get(self, "village")

    @property
    def above(self) -> Tier | None:
        """The tier this one reports to (a township only once it has joined its county)."""
        return {Tier.VILLAGE: Tier.TOWNSHIP, Tier.TOWNSHIP: Tier.COUNTY}.get(self)

    @property
    def below(self) -> Tier | None:
        """The tier this one coordinates: it makes their setup packages and merges their packages."""
        return {Tier.TOWNSHIP: Tier.VILLAGE, Tier.COUNTY: Tier.TOWNSHIP}.get(self)

    @property
    def syncs(self) -> bool:
        """Whether packages flow at all: a standalone workspace has no one to send to."""
        return self is not Tier.STANDALONE

    @property
    def coordinates(self) -> bool:
        """A tier with units below it: its list spans several villages, it ranks them, it resolves
        the same person listed twice, and its operator is a clerk, not a canvasser."""
        return self.below is not None

    @property
    def operator(self) -> str:
        """What the person working the window is called: a clerk records no visits of their own."""
        return "操作人" if self.coordinates else "走访人"

    @property
    def unit_column(self) -> str:
        """The persons column naming a unit of this tier (a village's people: `village`; a
        township's: `township`); the county is the whole list."""
        return {Tier.TOWNSHIP: "township", Tier.COUNTY: "county"}.get(self, "village")

    @property
    def target_key(self) -> str:
        """The campaign key holding the task numbers (任务数) this tier gives the units below it: a
        township's villages' are `targets`, a county's townships' are `township_targets` (two keys,
        so a county's targets never overwrite a township's own for its villages)."""
        return "township_targets" if self is Tier.COUNTY else "targets"


_LABELS = {Tier.STANDALONE: "村", Tier.VILLAGE: "村", Tier.TOWNSHIP: "乡镇", Tier.COUNTY: "县"}


def unit_label(township: str, village: str) -> str:
    """A village named across a county: "东岳镇/杨柳村" (a village is (township, village) everywhere:
    two townships may each have a 杨柳村)."""
    return f"{township}/{village}"


def split_label(label: str) -> tuple[str, str]:
    """(township, village) of `unit_label`'s text, or ('', village) for a village named alone."""
    township, _, village = label.rpartition("/")
    return township, village
