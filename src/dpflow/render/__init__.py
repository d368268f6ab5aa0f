"""What the board looks like outside Slack's threads: canvases, exports and pictures."""
