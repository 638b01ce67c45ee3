//! Consensus Lab's engine: a deterministic simulator and faithful protocol
//! engines, driven natively by the headless CLI and in the browser through
//! the wasm facade.
//!
//! - [`protocol`]: the sans-IO trait every engine implements.
//! - [`sim`]: the simulator that owns time, randomness, network and faults.
//! - [`scenario`]: the scenario document (the replay contract).
//! - [`engine`]: picks an engine by protocol name; what the CLI and wasm use.
//! - `link`: scenario links (`#s=…`) for the CLI; the page has its own in `www/link.js`.
//! - [`raft`]: Raft, after the extended paper's Figure 2 and §5.

#[cfg(feature = "commit")]
pub mod commit;
pub mod engine;
pub mod history;
pub mod invariant;
pub mod json;
pub mod kv;
#[cfg(not(target_arch = "wasm32"))]
pub mod link;
pub mod params;
#[cfg(feature = "paxos")]
pub mod paxos;
pub mod protocol;
pub mod pvec;
#[cfg(feature = "raft")]
pub mod raft;
pub mod scenario;
pub mod sim;
pub mod timeline;
pub mod trace;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
