"""``python -m workbench.locale update|compile|check``: maintain the translation catalogues."""

from __future__ import annotations

import sys

from workbench.locale import LANGUAGES, check, compile_all, update


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        for code in LANGUAGES:
            added, unused = update(code)
            print(f"{code}: {added} new texts to translate; {len(unused)} not found in the "
                  "source (kept: they may reach t() through data)")
        return 0
    if command == "compile":
        for path in compile_all():
            print(f"wrote {path}")
        return 0
    if command == "check":
        problems = [p for code in LANGUAGES for p in check(code)]
        print("\n".join(problems) or "catalogues complete and compiled")
        return 1 if problems else 0
    print("usage: python -m workbench.locale update|compile|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
