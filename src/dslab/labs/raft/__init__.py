"""Raft leader election under crashes and partitions (card: Consensus: Paxos, Raft, ZAB)."""
