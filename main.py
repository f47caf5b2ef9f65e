"""Faultline: the GUI by default, headless sub-commands for scripts and CI.

    python main.py [PROJECT.faultline]      open the application
    python main.py run DESIGN.json ...      simulate headless (see --help)
    python main.py check DESIGN.json ...    judge its objectives; exit 1 when one is missed
"""
import multiprocessing
import sys

from app import selftest
from app.cli import SUBCOMMANDS, main as cli_main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [selftest.FLAG]:
        return selftest.main(argv[1:])
    if argv and (argv[0] in SUBCOMMANDS or argv[0] in ("-h", "--help", "--version")):
        return cli_main(argv)
    from app.gui import main as gui_main

    return gui_main(argv)


if __name__ == "__main__":
    multiprocessing.freeze_support()  # a packaged build's worker processes run the engine, not the app
    sys.exit(main())
