"""Faultline: the GUI by default, headless sub-commands for scripts and CI.

    python main.py [PROJECT.faultline]      open the application
    python main.py run DESIGN.json ...      simulate headless (see --help)
    python main.py check DESIGN.json ...    judge its objectives; exit 1 when one is missed
"""
import sys


def main(argv: list[str] | None = None) -> int:
    """Run the sub-command named in ``argv``, the self-test, or else the application."""
    # Each path imports only what it runs: a headless command never loads Qt or the self-test,
    # and the command line loads the engine only for the sub-command that needs it.
    from app.cli import SUBCOMMANDS
    from app.cli import main as cli_main

    argv = sys.argv[1:] if argv is None else argv
    if argv and (argv[0] in SUBCOMMANDS or argv[0] in ("-h", "--help", "--version")):
        return cli_main(argv)
    if argv[:1] and argv[0].startswith("-"):
        from app import selftest

        if argv[0] == selftest.FLAG:
            return selftest.main(argv[1:])
    from app.gui import main as gui_main

    return gui_main(argv)


if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        import multiprocessing  # only a packaged build needs it here: not worth importing otherwise

        multiprocessing.freeze_support()  # a packaged build's worker processes run the engine, not the app
    try:
        status = main()
    except KeyboardInterrupt:  # Ctrl+C while starting, before a command could answer it
        print("interrupted", file=sys.stderr)
        status = 130
    sys.exit(status)
