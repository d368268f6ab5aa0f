"""Start dpflow: `python app.py` is `dpflow serve`."""

import sys

from dpflow.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve"]))
