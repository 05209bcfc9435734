"""Leaderless replication: R+W>N quorums, partial quorums and how stale they read, sloppy quorums
with hinted handoff, last-writer-wins under clock skew, read repair and anti-entropy."""
