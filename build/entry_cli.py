"""Entry point of the bundled console program `canvasser-cli`: the command line, unchanged."""

import sys

from canvasser.cli import main

if __name__ == "__main__":
    sys.exit(main())
