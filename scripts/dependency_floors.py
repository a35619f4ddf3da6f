"""Print every dependency of pyproject.toml pinned at its floor, one a line: "name[extra]>=X,<Y"
becomes "name[extra]==X" (scripts/check_wheel.sh installs them). A dependency without a >= floor
is an error: every one must state the oldest release it is known to work with.

    python scripts/dependency_floors.py pyproject.toml
"""

from __future__ import annotations

import re
import sys
import tomllib

REQUIREMENT = re.compile(r"(?P<name>[A-Za-z0-9_.-]+)(?P<extra>\[[^\]]*\])?\s*>=\s*(?P<floor>[0-9][0-9.]*)\s*(,.*)?")


def floors(pyproject: str) -> list[str]:
    with open(pyproject, "rb") as handle:
        dependencies = tomllib.load(handle)["project"]["dependencies"]
    pins = []
    for requirement in dependencies:
        match = REQUIREMENT.fullmatch(requirement.strip())
        if not match:
            raise SystemExit(f"dependency_floors: no >= floor in dependency {requirement!r}")
        pins.append(f"{match['name']}{match['extra'] or ''}=={match['floor']}")
    return pins


if __name__ == "__main__":
    print("\n".join(floors(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml")))
