"""The window's writes and long jobs: named operations, each one core call run on the one database worker.

Anki's CollectionOp: the window never writes on its own (read-only) connection; it submits an
operation, and hears `success(result)` or `failure(error)` on the main thread. An operation without
its own `failure` shows the error to the user (`worker.show_failure`): nothing fails silently. Each
operation also says what it changed (`OpChanges`, Anki's OpChanges): after its success the runner
announces them (`runner.changed`), and each part of the window refreshes what it shows of them, so
no dialog wires a refresh by hand. With `ImmediateRunner` (tests, screenshots) the callbacks run
before `submit` returns.

This is the only module of the window that calls the core's writing functions (tests/test_layers.py);
the modules behind imports, prints and packages (openpyxl, reportlab, PyNaCl) are imported when an
operation runs, on the worker, not when the window starts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..core.outcomes import DATE_FIELD
from ..core.storage.store import Workspace
from .worker import Job, run_with_progress

Done = Callable[[Any], None] | None
Failed = Callable[[BaseException], None] | None


@dataclass(frozen=True)
class OpChanges:
    """What an operation changed in the workspace, for the parts of the window that show it."""

    people: bool = False  # persons rows: the table, the person panel
    figures: bool = False  # the progress strip, the tree's counts, the dashboard
    campaign: bool = False  # the settings: categories, amounts, labels
    canvassers: bool = False  # the profiles
    sync: bool = False  # changes not yet sent, the review queue
    templates: bool = False  # the printed texts
    workspace: bool = False  # the file itself was replaced: every connection opens it again
    pid: str = ""  # the person the change was about (kept selected)
    message: str = ""  # said in the status bar

    def about(self, pid: str = "", message: str = "") -> OpChanges:
        return replace(self, pid=pid or self.pid, message=message or self.message)


VISIT = OpChanges(people=True, figures=True, sync=True)
PERSON = OpChanges(people=True, figures=True, sync=True)
LIST = OpChanges(people=True, figures=True, campaign=True, sync=True)  # a list in or a package received
SETTINGS = OpChanges(people=True, figures=True, campaign=True, sync=True)
CANVASSERS = OpChanges(canvassers=True, sync=True)
TEMPLATES = OpChanges(templates=True, sync=True)
SYNC = OpChanges(sync=True)
REPLACED = OpChanges(workspace=True)

Changes = OpChanges | Callable[[Any], OpChanges | None] | None


def run(runner, label: str, fn: Callable[[Workspace], Any], *, changes: Changes = None, success: Done = None,
        failure: Failed = None) -> Job:
    """Submit `fn(ws)` to the worker as one operation."""
    return runner.submit(Job(lambda ws, _p: fn(ws), success=success, failure=failure, label=label, changes=changes))


def long(runner, parent, label: str, fn: Callable[[Workspace, Callable], Any], *, changes: Changes = None,
         success: Done = None, failure: Failed = None, cancellable: bool = True) -> Job:
    """A long operation (`fn(ws, progress)`) with a progress dialog and a Cancel button."""
    return run_with_progress(runner, parent, label, fn, success=success, failure=failure, cancellable=cancellable,
                             changes=changes)


# ---- visits and people ----------------------------------------------------------------------------
def record_visit(runner, pid: str, values: dict, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    from ..core.rules import visits

    return run(runner, "记录走访", lambda ws: visits.record_visit(
        ws, pid, values["outcome"], by=by, via=values["via"], reason=values["reason"],
        promised=values[DATE_FIELD] or None, followup=values["followup"] or None, note=values["note"],
        photos=values["photos"]), changes=VISIT.about(pid, "已保存走访记录"), success=success, failure=failure)


def undo_last(runner, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    from ..core.rules import visits

    return run(runner, "撤销走访", lambda ws: visits.undo_last(ws, by=by),
               changes=lambda row: VISIT.about(row["pid"]) if row else None, success=success, failure=failure)


def update_person(runner, pid: str, changes: dict, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    from ..core.rules import people

    return run(runner, "修改人员信息", lambda ws: people.update_person(ws, pid, changes, by=by),
               changes=PERSON.about(pid, "已保存人员信息"), success=success, failure=failure)


def move_person(runner, pid: str, household: str, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    from ..core.rules import people

    return run(runner, "调户", lambda ws: people.move_person(ws, pid, household, by=by),
               changes=PERSON.about(pid, "已调户"), success=success, failure=failure)


def mark_left(runner, pid: str, why: str, *, by: str, note: str = "", success: Done = None,
              failure: Failed = None) -> Job:
    from ..core.rules import people

    return run(runner, "标记离开", lambda ws: people.mark_left(ws, pid, why, by=by, note=note),
               changes=PERSON.about(pid, "已标记离开"), success=success, failure=failure)


def add_person(runner, raw_id: str, name: str, *, success: Done = None, failure: Failed = None, **fields) -> Job:
    from ..core.rules import people

    return run(runner, "新增人员", lambda ws: people.add_person(ws, raw_id, name, **fields),
               changes=lambda pid: PERSON.about(pid, "已新增人员"), success=success, failure=failure)


# ---- settings, profiles, texts --------------------------------------------------------------------
def save_campaign(runner, changes: dict, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    from ..core.rules import campaign

    return run(runner, "保存征缴设置", lambda ws: campaign.update(ws, changes, by),
               changes=SETTINGS.about(message="设置已保存"), success=success, failure=failure)


def set_payment_channel(runner, values: dict, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    """The payment link or code the window asked for before printing notices (asked once)."""
    from ..core.rules import campaign

    return run(runner, "保存缴费渠道", lambda ws: campaign.set_channel(ws, author=by, **values),
               success=success, failure=failure)


def add_canvasser(runner, name: str, phone: str, *, success: Done = None, failure: Failed = None) -> Job:
    from ..core.rules import visits

    return run(runner, "添加走访人", lambda ws: visits.ensure_canvasser(ws, name, phone), changes=CANVASSERS,
               success=success, failure=failure)


def stop_canvasser(runner, name: str, *, success: Done = None, failure: Failed = None) -> Job:
    from ..core.rules import visits

    return run(runner, "停用走访人", lambda ws: visits.stop_canvasser(ws, name), changes=CANVASSERS,
               success=success, failure=failure)


def save_template(runner, name: str, text: str, *, success: Done = None, failure: Failed = None) -> Job:
    from ..core.outputs.notices import templates

    return run(runner, "保存模板", lambda ws: templates.save(ws, name, text), changes=TEMPLATES, success=success,
               failure=failure)


def reset_template(runner, name: str, *, success: Done = None, failure: Failed = None) -> Job:
    from ..core.outputs.notices import templates

    return run(runner, "恢复模板", lambda ws: templates.reset(ws, name), changes=TEMPLATES, success=success,
               failure=failure)


# ---- lists that come in ---------------------------------------------------------------------------
def import_roster(runner, parent, label: str, path: Path, *, overrides: dict, by: str, answers: dict | None = None,
                  success: Done = None, failure: Failed = None) -> Job:
    """The bureau's list; the rows it rejects are kept in the workspace (`export_rejects` writes them)."""
    def fn(ws, progress):
        from ..core.lists import roster

        return roster.import_roster(ws, path, overrides=overrides, author=by, progress=progress, **(answers or {}))

    return long(runner, parent, label, fn, changes=LIST.about(message="名单已导入"), success=success, failure=failure)


def export_rejects(runner, parent, out: Path, *, password: str | None = None, success: Done = None,
                   failure: Failed = None) -> Job:
    """The latest import's rejected rows, as a spreadsheet to fix and import again (outputs/rejects.py)."""
    def fn(ws, _progress):
        from ..core.outputs import rejects

        return rejects.export_rejects(ws, out, password=password)

    return long(runner, parent, "正在导出未导入的行…", fn, success=success, failure=failure)


def import_paid(runner, parent, label: str, path: Path, *, overrides: dict, by: str, success: Done = None,
                failure: Failed = None) -> Job:
    def fn(ws, progress):
        from ..core.lists import paid

        return paid.import_paid(ws, path, overrides=overrides, author=by, progress=progress)

    return long(runner, parent, label, fn, changes=LIST.about(message="已缴费名单已导入"), success=success,
                failure=failure)


def match_list(runner, parent, label: str, path: Path, kind: str, *, date: str | None, overrides: dict, by: str,
               apply: bool, success: Done = None, failure: Failed = None) -> Job:
    """Another department's list compared with the workspace; with `apply`, what it proves is written."""
    def fn(ws, progress):
        from ..core.lists import matching

        return matching.match_list(ws, path, kind, date=date, overrides=overrides, author=by, apply=apply,
                                   progress=progress)

    return long(runner, parent, label, fn, changes=LIST.about(message="部门名单比对结果已写入") if apply else None,
                success=success, failure=failure)


def review_matches(runner, list_id: str, pids: list[str], yes: bool, *, by: str, success: Done = None,
                   failure: Failed = None) -> Job:
    """Confirm (or reject) proposed matches of a department's list."""
    from ..core.lists import matching

    fn = matching.confirm if yes else matching.reject
    return run(runner, "确认比对" if yes else "否定比对", lambda ws: fn(ws, list_id, pids, author=by), changes=LIST,
               success=success, failure=failure)


def withdraw_list(runner, list_id: str, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    from ..core.lists import matching

    return run(runner, "撤回名单", lambda ws: matching.withdraw(ws, list_id, author=by), changes=LIST,
               success=success, failure=failure)


def start_year(runner, parent, label: str, path: Path, *, overrides: dict, by: str, year: int | None = None,
               success: Done = None, failure: Failed = None) -> Job:
    """Next year's drive from the bureau's new list; its rejected rows kept as for any list. `year`: the
    year the tier above started (only this workspace's list comes in)."""
    def fn(ws, progress):
        from ..core.lists import newyear

        return newyear.start_year(ws, path, overrides=overrides, author=by, progress=progress, year=year)

    return long(runner, parent, label, fn, changes=LIST.about(message="新年度已开始"), success=success,
                failure=failure)


# ---- files that leave ---------------------------------------------------------------------------------
def make_file(runner, parent, label: str, fn: Callable[[Workspace, Callable], Any], *, success: Done = None,
              failure: Failed = None) -> Job:
    """A file made from the workspace (a ledger, a report, notices ...): a long job, nothing changes."""
    return long(runner, parent, label, fn, success=success, failure=failure)


# what the window's files are made of (each `fn(ws, out, progress, ...)`, run by `make_file` on the worker)
def ledger(ws, out: Path, progress, *, password: str | None = None, paper: str | None = None) -> dict:
    from ..core.outputs import ledgers

    return ledgers.write_ledger(ws, out, progress=progress, password=password, **({"paper": paper} if paper else {}))


def feedback(ws, out: Path, progress, *, password: str | None = None) -> dict:
    from ..core.outputs import ledgers

    return ledgers.write_feedback(ws, out, progress=progress, password=password)


def report(ws, out: Path, _progress=None, *, day=None, by: str = "") -> dict:
    """Today's report as xlsx or PDF, signed by `by` (it keeps the day's figures: tomorrow's says what
    changed)."""
    from ..core import clock
    from ..core.outputs import county_report, ledgers, report_pdf
    from ..core.rules import reports

    figs = reports.make_report(ws, day or clock.today())
    county = "by_township" in figs  # the county's report, for the 约谈会 (as `canvasser report --out`)
    if Path(out).suffix.lower() == ".pdf":
        write = county_report.write_county_pdf if county else report_pdf.write_report_pdf
        figs["pages"] = write(figs, out, by=by)["pages"]
    elif county:
        county_report.write_county_xlsx(figs, out, by=by)
    else:
        ledgers.write_report_xlsx(figs, out, by=by)
    return figs


def notices(ws, out, progress, *, households: list[str] | None, by: str):
    from ..core.outputs.notices import notice

    return notice.build_notices(ws, out, households=households, by=by, progress=progress)


def leaflet(ws, out: Path, progress, *, template: str, by: str, households: list[str] | None):
    from ..core.outputs.notices import leaflet as _leaflet

    return _leaflet.build_leaflet(ws, out, template=template, by=by, households=households, progress=progress)


def visit_sheet(ws, out: Path, progress, *, groups: list[str] | None, village: str | None):
    from ..core.outputs.notices import sheet

    return sheet.build_visit_sheet(ws, out, groups=groups, village=village, progress=progress)


def save_made(data: bytes, out: Path) -> None:
    """Write a PDF already made in memory to the chosen file, replacing it only once written."""
    from ..core.outputs.notices.layout import atomic_output

    with atomic_output(out) as target:
        Path(target).write_bytes(data)


def export_people(runner, parent, flt, out: Path, *, full_ids: bool, order: str, success: Done = None,
                  failure: Failed = None) -> Job:
    def fn(ws, _progress):
        from ..core.outputs.people_export import write_people

        return write_people(ws, flt, out, full_ids=full_ids, order=order)

    return long(runner, parent, "正在导出…", fn, success=success, failure=failure, cancellable=False)


def write_match_report(result, target: Path) -> dict:
    """The three-part report of a department's list (a file from a result in hand: no workspace)."""
    from ..core.outputs.matchreport import write_report

    return write_report(result, target)


# ---- packages -------------------------------------------------------------------------------------
def init_township(runner, name: str, *, success: Done = None, failure: Failed = None) -> Job:
    from ..core import sync

    return run(runner, "设为乡镇工作区", lambda ws: sync.init_township(ws, name), changes=SYNC, success=success,
               failure=failure)


def resolve_conflict(runner, pid: str, village: str, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    from ..core import sync

    return run(runner, "确定归属", lambda ws: sync.resolve_conflict(ws, pid, village, by=by),
               changes=PERSON.about(pid, "已确定归属"), success=success, failure=failure)


def setup_package(runner, parent, village: str, out: Path, *, code: str | None, rekey: bool, success: Done = None,
                  failure: Failed = None) -> Job:
    """A village's setup package; for a village that has one, new keys (a lost laptop)."""
    def fn(ws, _progress):
        from ..core import sync

        return (sync.rekey_village if rekey else sync.make_setup_package)(ws, village, out, code=code)

    return long(runner, parent, "正在生成配置包…", fn, changes=SYNC, success=success, failure=failure,
                cancellable=False)


def export_package(runner, parent, out: Path, *, village: str | None = None, township: str | None = None,
                   success: Done = None, failure: Failed = None) -> Job:
    """A package down to the unit named (a township's `village`, a county's `township`), else up."""
    def fn(ws, _progress):
        from ..core import sync

        return sync.export_package(ws, out, village=village, township=township)

    return long(runner, parent, "正在导出数据包…", fn, changes=SYNC, success=success, failure=failure,
                cancellable=False)


def receive_packages(runner, parent, paths: list, *, success: Done = None, failure: Failed = None) -> Job:
    def fn(ws, _progress):
        from ..core import sync

        return sync.receive_packages(ws, paths)

    return long(runner, parent, f"正在接收 {len(paths)} 个数据包…", fn,
                changes=LIST.about(message=f"已接收 {len(paths)} 个数据包"), success=success, failure=failure,
                cancellable=False)


def export_all(runner, parent, folder: Path, *, success: Done = None, failure: Failed = None) -> Job:
    def fn(ws, _progress):
        from ..core import sync

        return sync.export_all(ws, folder)

    return long(runner, parent, "正在生成回传包…", fn, changes=SYNC, success=success, failure=failure,
                cancellable=False)


def join_township(runner, setup: str, code: str | None, *, success: Done = None, failure: Failed = None) -> Job:
    """A standalone workspace joins its township (core `sync.join_township`), keeping every visit.

    Core opens the file itself and writes meta and events in one transaction; the worker's own
    connection is idle meanwhile. The window then reopens the file: its mode and keys have changed."""
    from ..core.sync.setup import join_township as join

    return run(runner, "加入乡镇", lambda ws: join(ws.path, setup, code=code), changes=SYNC, success=success,
               failure=failure)


def join_county(runner, setup: str, code: str | None, *, success: Done = None, failure: Failed = None) -> Job:
    """A township that worked alone joins its county (core `sync.join_county`), keeping its work, its
    villages and their keys; as `join_township`, core opens the file itself and the window reopens it."""
    from ..core.sync.setup import join_county as join

    return run(runner, "加入县", lambda ws: join(ws.path, setup, code=code), changes=SYNC, success=success,
               failure=failure)


def decide_held(runner, event_ids: list[str], accept: bool, *, success: Done = None, failure: Failed = None) -> Job:
    """Accept or reject records the township held from a village's package (core `sync.scope.decide`)."""
    from ..core.sync import scope

    return run(runner, "采用暂存记录" if accept else "拒绝暂存记录",
               lambda ws: scope.decide(ws, "all", accept, event_ids=event_ids),
               changes=LIST.about(message="已采用所选记录" if accept else "已拒绝所选记录"), success=success,
               failure=failure)
# ---- the file: backups, restore, check ------------------------------------------------------------
def backup_now(runner, parent, *, success: Done = None, failure: Failed = None) -> Job:
    def fn(ws, _progress):
        from ..core.storage import backup

        return backup.backup(ws)

    return long(runner, parent, "正在备份…", fn, success=success, failure=failure, cancellable=False)


def daily_backup(runner, *, success: Done = None, failure: Failed = None) -> Job:
    """Today's automatic backup (once a day), never blocking the window."""
    def fn(ws):
        from ..core.storage import backup

        return backup.daily(ws)

    return run(runner, "自动备份", fn, success=success, failure=failure)


def restore(runner, parent, source: str | Path, *, success: Done = None, failure: Failed = None) -> Job:
    """Replace the workspace with a backup (the current file is saved first), on the worker like every
    write. The pages are copied into the open file (Windows keeps it open), then every connection
    opens it again (`OpChanges.workspace`): the window's, the worker's."""
    def fn(ws, _progress):
        from ..core.storage import backup

        backup.validate(source)
        return backup.restore(ws.path, source)

    return long(runner, parent, "正在恢复工作区…", fn, changes=REPLACED.about(message="已恢复工作区"),
                success=success, failure=failure, cancellable=False)


def check(runner, parent, *, success: Done = None, failure: Failed = None) -> Job:
    """Replay every event into a scratch copy and compare (a read: nothing changes)."""
    def fn(ws, _progress):
        from ..core.storage import integrity

        return integrity.check(ws)

    return long(runner, parent, "正在检查数据完整性…", fn, success=success, failure=failure, cancellable=False)


def set_village_phone(runner, village: str, phone: str, *, success: Done = None, failure: Failed = None) -> Job:
    from ..core.outputs.notices import data

    return run(runner, "保存村（社区）联系电话", lambda ws: data.set_village_phone(ws, village, phone),
               success=success, failure=failure)


def confirm_amounts(runner, *, by: str, success: Done = None, failure: Failed = None) -> Job:
    from ..core.outputs.notices import firstprint

    return run(runner, "确认本年度金额", lambda ws: firstprint.confirm(ws, by=by), changes=OpChanges(campaign=True, sync=True),
               success=success, failure=failure)


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

    return run(runner, "确认学生", settle, changes=PERSON, success=success, failure=failure)


def recovery_package(runner, keys: str, out: str, *, success: Done = None, failure: Failed = None) -> Job:
    """Township: a recovery package for a village that forgot its passphrase, from the village's key
    file (core `sync.recovery.recovery_package`); the result holds the code to tell by phone."""
    from ..core.sync.recovery import recovery_package as make

    return run(runner, "生成恢复包", lambda ws: make(ws, keys, out), success=success, failure=failure)
