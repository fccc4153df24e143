from augment_cli.cli import main

main()
