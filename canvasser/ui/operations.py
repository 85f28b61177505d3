"""The window's writes: named operations, each one core call run on the one database worker.

Anki's CollectionOp: the window never writes on its own (read-only) connection; it submits an
operation, and hears `success(result)` or `failure(error)` on the main thread. An operation without
its own `failure` shows the error to the user (`worker.show_failure`): nothing fails silently. With
`ImmediateRunner` (tests, screenshots) the callbacks run before `submit` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.lists import matching
from ..core.rules import campaign, people, visits
from ..core.storage.store import Workspace
from .worker import Job

Done = Callable[[Any], None] | None
Failed = Callable[[BaseException], None] | None


def run(runner, label: str, fn: Callable[[Workspace], Any], *, success: Done = None, failure: Failed = None) -> Job:
    """Submit `fn(ws)` to the worker as one operation."""
    return runner.submit(Job(lambda ws, _p: fn(ws), success=success, failure=failure, label=label))


def record_visit(runner, pid: str, values: dict, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    return run(runner, "记录走访", lambda ws: visits.record_visit(
        ws, pid, values["outcome"], by=by, via=values["via"], reason=values["reason"],
        promised=values["promised"] or None, followup=values["followup"] or None, note=values["note"],
        photos=values["photos"]), success=success, failure=failure)


def undo_last(runner, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    return run(runner, "撤销走访", lambda ws: visits.undo_last(ws, by=by), success=success, failure=failure)


def update_person(runner, pid: str, changes: dict, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    return run(runner, "修改人员信息", lambda ws: people.update_person(ws, pid, changes, by=by),
               success=success, failure=failure)


def move_person(runner, pid: str, household: str, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    return run(runner, "调户", lambda ws: people.move_person(ws, pid, household, by=by), success=success,
               failure=failure)


def mark_left(runner, pid: str, why: str, *, by: str, note: str = "", success: Done = None,
              failure: Failed = None) -> Job:
    return run(runner, "标记离开", lambda ws: people.mark_left(ws, pid, why, by=by, note=note), success=success,
               failure=failure)


def add_person(runner, raw_id: str, name: str, *, success: Done = None, failure: Failed = None, **fields) -> Job:
    return run(runner, "新增人员", lambda ws: people.add_person(ws, raw_id, name, **fields), success=success,
               failure=failure)


def save_campaign(runner, changes: dict, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    return run(runner, "保存征缴设置", lambda ws: campaign.update(ws, changes, by), success=success, failure=failure)


def add_canvasser(runner, name: str, phone: str, *, success: Done = None, failure: Failed = None) -> Job:
    return run(runner, "添加走访人", lambda ws: visits.ensure_canvasser(ws, name, phone), success=success,
               failure=failure)


def stop_canvasser(runner, name: str, *, success: Done = None, failure: Failed = None) -> Job:
    return run(runner, "停用走访人", lambda ws: visits.stop_canvasser(ws, name), success=success, failure=failure)


def save_template(runner, name: str, text: str, *, success: Done = None, failure: Failed = None) -> Job:
    from ..core.outputs.notices import templates

    return run(runner, "保存模板", lambda ws: templates.save(ws, name, text), success=success, failure=failure)


def reset_template(runner, name: str, *, success: Done = None, failure: Failed = None) -> Job:
    from ..core.outputs.notices import templates

    return run(runner, "恢复模板", lambda ws: templates.reset(ws, name), success=success, failure=failure)


def resolve_conflict(runner, pid: str, village: str, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    from ..core import sync

    return run(runner, "确定归属", lambda ws: sync.resolve_conflict(ws, pid, village, by=by), success=success,
               failure=failure)


def init_township(runner, name: str, *, success: Done = None, failure: Failed = None) -> Job:
    from ..core import sync

    return run(runner, "设为乡镇工作区", lambda ws: sync.init_township(ws, name), success=success, failure=failure)


def review_matches(runner, list_id: str, pids: list[str], yes: bool, *, by: str, success: Done = None,
                   failure: Failed = None) -> Job:
    """Confirm (or reject) proposed matches of a department's list."""
    fn = matching.confirm if yes else matching.reject
    return run(runner, "确认比对" if yes else "否定比对", lambda ws: fn(ws, list_id, pids, author=by),
               success=success, failure=failure)


def withdraw_list(runner, list_id: str, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    return run(runner, "撤回名单", lambda ws: matching.withdraw(ws, list_id, author=by), success=success,
               failure=failure)


def join_township(runner, setup: str, code: str | None, *, success: Done = None, failure: Failed = None) -> Job:
    """A standalone workspace joins its township (core `sync.join_township`), keeping every visit.

    Core opens the file itself and writes meta and events in one transaction; the worker's own
    connection is idle meanwhile. The window then reopens the file: its mode and keys have changed."""
    from ..core.sync.setup import join_township as join

    return run(runner, "加入乡镇", lambda ws: join(ws.path, setup, code=code), success=success,
               failure=failure)


def set_village_phone(runner, village: str, phone: str, *, success: Done = None, failure: Failed = None) -> Job:
    from ..core.outputs.notices import data

    return run(runner, "保存村（社区）联系电话", lambda ws: data.set_village_phone(ws, village, phone),
               success=success, failure=failure)


def confirm_amounts(runner, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    from ..core.outputs.notices import firstprint

    return run(runner, "确认本年度金额", lambda ws: firstprint.confirm(ws, by=by), success=success, failure=failure)


def settle_students(runner, confirmed: list[str], declined: list[str], *, by: str, success: Done = None,
                    failure: Failed = None) -> Job:
    """The cadre's answer about school-age people no list names as students: these are (their
    category gains 在校学生), those are not (not asked again)."""
    from ..core.outputs.notices import students

    def settle(ws):
        done = students.confirm(ws, confirmed, by=by) if confirmed else 0
        if declined:
            students.decline(ws, declined)
        return done

    return run(runner, "确认学生", settle, success=success, failure=failure)


def recovery_package(runner, keys: str, out: str, *, success: Done = None, failure: Failed = None) -> Job:
    """Township: a recovery package for a village that forgot its passphrase, from the village's key
    file (core `sync.recovery.recovery_package`); the result holds the code to tell by phone."""
    from ..core.sync.recovery import recovery_package as make

    return run(runner, "生成恢复包", lambda ws: make(ws, keys, out), success=success, failure=failure)
