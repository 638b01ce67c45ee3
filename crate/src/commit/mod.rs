//! Atomic commit: two-phase commit and three-phase commit (work in progress).
