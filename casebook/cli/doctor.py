"""`casebook doctor`: check the whole toolchain and print each tool's version or the fix."""

from __future__ import annotations

NAME = "doctor"
HELP = "check the toolchain and print versions"


def add_arguments(p) -> None:
    return None


def run(args) -> int:
    from casebook.check import doctor
    findings = doctor.run()
    width = max(len(f.tool) for f in findings)
    for f in findings:
        print(f"{'ok ' if f.ok else 'MISSING'}  {f.tool:<{width}}  {f.needed_for:<22}  "
              f"{f.detail}")
    return 0 if all(f.ok for f in findings) else 3
