from leakpro.cli.app import main

main()
