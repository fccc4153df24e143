"""`python -m augment_cli` and the `augment` console script's entry point.

The CLI (Typer and Click) is imported inside main(), not here: each spawned
worker process re-imports the console script's module as it starts, and
must not pay for a CLI it never uses.
"""


def main() -> None:
    from augment_cli.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
