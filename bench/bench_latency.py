"""Answer time of thread replies sent one at a time: dpflow against bare Bolt apps, each as
its own process (the parts of bench_burst.py, one person, one request in flight). Prints
figures; not a test.

    python bench/bench_latency.py [replies]
"""

from __future__ import annotations

import asyncio
import sys

from burst import Bare, Dpflow, Load, run

if __name__ == "__main__":
    replies = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    sys.exit(0 if asyncio.run(run([Bare(commits=False), Bare(commits=True), Dpflow("sqlite")],
                    Load(replies=replies, people=1, concurrency=1))) else 1)
