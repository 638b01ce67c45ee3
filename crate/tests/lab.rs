//! Every integration test of the crate, in one test binary: one link of the
//! library instead of one per file, so `cargo test` builds in a fraction of
//! the time. Each file beside this one is a module (`cargo test --test lab
//! raft_election` runs one); the shared helpers are the modules below.

// Helpers shared by several test modules.
mod cli_support;
mod commit_common;
mod common;
#[path = "support/echo.rs"]
mod echo;
mod fuzz_support;
mod history_support;
mod paxos_support;
#[path = "support/stories.rs"]
mod stories_support;

// The tests, one module per file.
mod check_cli;
mod client_histories;
mod commit_2pc;
mod commit_2pc_random;
mod commit_3pc;
mod commit_invariants;
mod commit_robustness;
mod commit_run_until;
mod commit_saga;
mod commit_tcc;
mod detect_bully;
mod detect_heartbeat;
mod detect_phi;
mod epidemic_broadcast;
mod epidemic_gossip;
mod epidemic_swim;
mod explore;
mod foundation;
mod frames;
mod history_brute;
mod history_cases;
mod history_fuzz;
mod history_generated;
mod link_cli;
mod link_fuzz;
mod paxos_handlers;
mod paxos_invariants;
mod paxos_multi;
mod paxos_randomized_multi;
mod paxos_randomized_single;
mod paxos_single;
mod placement_hashing;
mod placement_quorum;
mod raft_checker;
mod raft_election;
mod raft_figure8;
mod raft_messages;
mod raft_random;
mod raft_replication;
mod sim_run_until;
mod stories_commit;
mod stories_detect;
mod stories_epidemic;
mod stories_paxos;
mod stories_placement;
mod stories_raft;
mod stories_zab;
mod timeline;
mod zab_bugs;
mod zab_paper;
mod zab_random;
