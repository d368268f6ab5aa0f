"""The Data Product Flow method as pure Python: no Slack, no database, no I/O."""
