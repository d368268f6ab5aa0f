import sys

from dpflow.cli import main

sys.exit(main())
