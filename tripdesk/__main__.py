import sys

from tripdesk.cli import main

sys.exit(main())
