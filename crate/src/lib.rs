//! Consensus Lab's engine: a deterministic simulator and faithful protocol
//! engines, driven natively by the headless CLI and in the browser through
//! the wasm facade.
//!
//! - [`protocol`]: the sans-IO trait every engine implements.
//! - [`sim`]: the simulator that owns time, randomness, network and faults.
//! - [`scenario`]: the scenario document (the replay contract).
//! - [`engine`]: picks an engine by protocol name; what the CLI and wasm use.
//! - [`explore`]: seeded fault campaigns that find a failing run and shrink it.
//! - `link`: scenario links (`#s=…`) for the CLI; the page has its own in `www/link.js`.
//! - [`raft`]: Raft, after the extended paper's Figure 2 and §5.

pub mod base;
pub mod engine;
pub mod explore;
pub mod history;
pub mod invariant;
pub mod json;
pub mod kv;
#[cfg(not(target_arch = "wasm32"))]
pub mod link;
pub mod params;
pub mod protocol;
pub mod pvec;
pub mod registry;
pub mod scenario;
pub mod shiviz;
pub mod sim;
pub mod spec;
pub mod timeline;
pub mod trace;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// Declares the protocol families: each is a folder in `src/` (its module),
/// a cargo feature of the same name in `crate/Cargo.toml`, and one wasm
/// module, and lists its protocols in its own `registry()`.
macro_rules! families {
    ($($feature:literal => $family:ident),* $(,)?) => {
        $(
            #[cfg(feature = $feature)]
            pub mod $family;
        )*
        /// Every family's registry entries, in the order below.
        pub(crate) fn family_entries() -> Vec<registry::Entry> {
            let mut all = Vec::new();
            $(
                #[cfg(feature = $feature)]
                all.extend($family::registry());
            )*
            all
        }
    };
}

// The families, in the order the page lists them. A new family adds one line.
families! {
    "raft" => raft,
    "paxos" => paxos,
    "zab" => zab,
    "detect" => detect,
    "commit" => commit,
    "epidemic" => epidemic,
    "placement" => placement,
}
