"""`python -m matcher` is the `matcher` command."""

from matcher.cli.main import main

if __name__ == "__main__":
    main()
