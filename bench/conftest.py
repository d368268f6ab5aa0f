# Benchmarks print figures; they are run as scripts, never collected as tests.
collect_ignore_glob = ["*.py"]
