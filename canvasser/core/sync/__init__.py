"""Sync by file exchange between the county, its townships and their villages (DESIGN §6).

- `setup`: township and county mode, setup packages for the units below, workspaces made from them,
  joining later, re-keying;
- `package`: export / receive update packages (encrypted to the receiver, signed by the sender);
- `status`: unsent changes and last contact, for the CLI and the GUI;
- `conflicts`: the review queue for the same ID created in two villages.
"""

from __future__ import annotations

from . import peers, scope
from .batch import export_all, package_files, report_name, return_name, setup_name
from .conflicts import list_conflicts, resolve_conflict, versions
from .container import PackageError
from .package import export_package, pending_rows, receive_package, receive_packages
from .setup import init_county, init_township, init_village, join_county, make_setup_package, rekey_village
from .status import keys_info, sync_status

__all__ = ["PackageError", "export_package", "receive_package", "receive_packages", "pending_rows",
           "init_township", "init_county", "init_village", "join_county", "make_setup_package", "rekey_village",
           "sync_status", "keys_info", "list_conflicts", "resolve_conflict", "versions", "export_all", "package_files",
           "return_name", "report_name", "setup_name", "peers",
           "scope"]
