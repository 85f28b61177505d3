"""Entry point of the bundled console program `canvasser-cli`: the command line, unchanged."""

import multiprocessing
import sys

from canvasser.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a big list is read in a second process of this program
    sys.exit(main())
