import sys

from canvasser.cli import main

sys.exit(main())
