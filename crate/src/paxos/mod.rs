//! Paxos: single-decree Paxos and Multi-Paxos (work in progress).
