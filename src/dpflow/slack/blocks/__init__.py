"""Pure Block Kit builders: data in, lists of block dicts out."""
