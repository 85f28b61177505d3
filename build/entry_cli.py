"""Entry point of the bundled console program `canvasser-cli`: the command line, unchanged."""

import multiprocessing
import sys

from canvasser.glibc import too_old

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a big list is read in a second process of this program
    if why := too_old():  # before Qt or any bundled library loads
        sys.stderr.write(why + "\n")
        sys.exit(1)
    from canvasser.cli import main

    sys.exit(main())
