"""Use cases: each opens a unit of work, applies the method's rules, commits, and leaves
the Slack follow-ups (posts, reactions, updates) as jobs for after the answer."""
