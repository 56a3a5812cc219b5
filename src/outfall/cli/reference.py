"""Generate docs/cli.md from the parsers' --help (``python -m outfall.cli.reference > docs/cli.md``)."""

from __future__ import annotations

import argparse
import os


def render() -> str:
    from outfall.cli import build_parser

    os.environ["COLUMNS"] = "100"
    parser = build_parser()
    out = ["# Command-line reference", "", "Generated from `--help` by `python -m outfall.cli.reference`; "
           "a test checks it is current.", "", "```", parser.format_help().rstrip(), "```"]
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, p in sub.choices.items():
        out += ["", f"## outfall {name}", "", "```", p.format_help().rstrip(), "```"]
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction):
                for n2, p2 in a.choices.items():
                    out += ["", f"### outfall {name} {n2}", "", "```", p2.format_help().rstrip(), "```"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
