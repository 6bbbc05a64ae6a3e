from tandem.cli.app import main

main()
