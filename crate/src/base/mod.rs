//! The basics every other module stands on: ids, simulated time, values,
//! errors that name where they are, readers for JSON fields, quorum
//! arithmetic, a timer agenda and short texts. Leaf modules: nothing here
//! imports the simulator, the scenario or any protocol.

pub mod agenda;
pub mod error;
pub mod maths;
pub mod quorum;
pub mod read;
pub mod text;

use std::rc::Rc;

/// A node's id: `0..nodes`.
pub type NodeId = usize;
/// Simulated time in integer milliseconds from 0.
pub type Time = u64;
/// A shared string for client values: cloned into many logs and messages.
pub type Value = Rc<str>;

pub use error::ScenarioError;
