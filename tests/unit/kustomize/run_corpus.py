#!/usr/bin/env python3
"""Runs the shared kustomize corpus against `weir kustomize build` and compares the failures with
the committed list of known failures: the test fails on a regression (a case not on the list
fails) and on progress not yet recorded (a case on the list passes: remove it from the list)."""
import pathlib
import re
import subprocess
import sys


def main():
    weir = str(pathlib.Path(sys.argv[1]).resolve())
    corpus, known_file = pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    known = {l.split("#")[0].strip() for l in known_file.read_text().splitlines()} - {""}
    cmd = [sys.executable, str(corpus / "check.py"), f"{weir} kustomize build {{dir}}", "-j", "2"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    passed = set(re.findall(r"^PASS (\S+)", out, re.M))
    failed = set(re.findall(r"^FAIL (\S+?):", out, re.M))
    print(out.strip().splitlines()[-1] if out.strip() else "no output from check.py")
    regressions = sorted(failed - known)
    fixed = sorted(known & passed)
    for name in regressions:
        print(f"REGRESSION {name}: fails and is not in {known_file.name}")
    for name in fixed:
        print(f"NOW PASSING {name}: remove it from {known_file.name}")
    if not passed and not failed:
        return 1
    return 1 if regressions or fixed else 0


if __name__ == "__main__":
    sys.exit(main())
