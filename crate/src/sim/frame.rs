//! The moment in compact form, for pages that draw hundreds of nodes: node
//! summaries and the messages on the wire as rows of numbers, with a small
//! JSON head for everything else. A node's whole view is fetched one node at
//! a time (`node_json`) when a panel shows it, and a message's label when a
//! tooltip names it, so a frame of a thousand nodes and thousands of messages
//! costs what its numbers cost rather than what every view's text would.
//!
//! Node rows: `up`, `absent` (1 or 0), `paused_until` (−1 when not paused),
//! then the columns the protocol's checkers add (see [`Looks`]); the head's
//! `node_columns` names them in order. Message rows: [`MESSAGE_COLUMNS`];
//! `kind` indexes the registry's `kinds` list and `lost` the head's `losses`
//! (−1 for a message that will arrive).

use serde::Serialize;

use super::flight::Loss;
use super::world::World;
use crate::json::Obj;
use crate::protocol::NodeId;

/// The numbers of each message row, in order.
pub const MESSAGE_COLUMNS: [&str; 7] = ["id", "from", "to", "kind", "sent_at", "deliver_at", "lost"];

/// Every reason a message is lost, as `lost` indexes them.
const LOSSES: [Loss; 6] = [Loss::Random, Loss::Partition, Loss::Crash, Loss::Injected, Loss::Absent, Loss::Superseded];

/// What the dots layout draws of each node beyond up and down, written by a
/// protocol's checkers (which watch every node and may keep counts that
/// would be dear to recompute): numbered columns, one number per node, the
/// texts those numbers stand for, and a few cluster-wide figures for the
/// summary strip.
pub struct Looks {
    n: usize,
    columns: Vec<(&'static str, Vec<f64>)>,
    names: Vec<String>,
    index: std::collections::BTreeMap<String, usize>,
    summary: Vec<(&'static str, serde_json::Value)>,
}

impl Looks {
    fn new(n: usize) -> Self {
        Looks { n, columns: Vec::new(), names: Vec::new(), index: Default::default(), summary: Vec::new() }
    }

    /// Column `name`: one number per node, −1 where nothing is set.
    pub fn column(&mut self, name: &'static str) -> &mut [f64] {
        let at = match self.columns.iter().position(|(c, _)| *c == name) {
            Some(i) => i,
            None => {
                self.columns.push((name, vec![-1.0; self.n]));
                self.columns.len() - 1
            }
        };
        &mut self.columns[at].1
    }

    /// The index of `text` in the frame's `names` (added on first use).
    pub fn name(&mut self, text: &str) -> f64 {
        if let Some(&at) = self.index.get(text) {
            return at as f64;
        }
        self.names.push(text.to_string());
        self.index.insert(text.to_string(), self.names.len() - 1);
        (self.names.len() - 1) as f64
    }

    /// A cluster-wide figure for the page's summary (under `summary.<key>`).
    pub fn put(&mut self, key: &'static str, value: impl Serialize) {
        self.summary.push((key, serde_json::to_value(value).unwrap_or(serde_json::Value::Null)));
    }
}

/// One compact frame.
pub struct Frame {
    /// JSON: time, steps, network, violations, pending requests and
    /// operations, the next event, and the names the rows use.
    pub head: String,
    /// `node_columns.len()` numbers per node.
    pub nodes: Vec<f64>,
    /// [`MESSAGE_COLUMNS`]`.len()` numbers per message on the wire.
    pub messages: Vec<f64>,
}

impl World {
    /// Everything the page draws at this moment, compactly (see the module doc).
    pub fn frame(&self) -> Frame {
        let mut looks = Looks::new(self.n);
        for c in &self.checkers {
            c.looks(self.now, &self.slots, &mut looks);
        }
        let width = 3 + looks.columns.len();
        let mut nodes = Vec::with_capacity(self.n * width);
        for id in 0..self.n {
            nodes.push(f64::from(u8::from(self.is_up(id))));
            nodes.push(f64::from(u8::from(self.is_absent(id))));
            nodes.push(self.meta[id].paused_until.map_or(-1.0, |t| t as f64));
            nodes.extend(looks.columns.iter().map(|(_, col)| col[id]));
        }
        let kinds = self.proto.spec().kinds;
        let mut messages = Vec::with_capacity(self.flight.len() * MESSAGE_COLUMNS.len());
        for f in self.flight.iter() {
            let kind = self.mail.kind(f.id);
            let kind = kinds.iter().position(|k| k.name == kind).map_or(-1.0, |i| i as f64);
            let lost = f.lost.and_then(|l| LOSSES.iter().position(|x| *x == l)).map_or(-1.0, |i| i as f64);
            messages.extend([
                f.id as f64,
                f.from as f64,
                f.to as f64,
                kind,
                f.sent_at as f64,
                f.deliver_at as f64,
                lost,
            ]);
        }
        let mut buf = Vec::with_capacity(1024);
        let mut o = Obj::new(&mut buf);
        o.field("protocol", self.proto.name());
        o.field("compact", &true);
        o.field("time_ms", &self.now);
        o.field("steps", &self.stats.events);
        o.field("node_count", &self.n);
        let columns: Vec<&str> =
            ["up", "absent", "paused_until"].into_iter().chain(looks.columns.iter().map(|(c, _)| *c)).collect();
        o.field("node_columns", &columns);
        o.field("message_columns", &MESSAGE_COLUMNS);
        o.field("losses", &LOSSES);
        o.field("names", &looks.names);
        o.field("summary", &looks.summary.iter().map(|(k, v)| (*k, v)).collect::<std::collections::BTreeMap<_, _>>());
        self.moment_fields(&mut o);
        o.end();
        Frame { head: String::from_utf8(buf).unwrap_or_default(), nodes, messages }
    }

    /// Node `id`'s whole view (as in the snapshot's `nodes`), or `None` past the cluster.
    pub fn node_view_json(&self, id: NodeId) -> Option<String> {
        if id >= self.n {
            return None;
        }
        let mut buf = Vec::new();
        self.node_json(id, &mut buf, &mut Vec::new());
        Some(String::from_utf8(buf).unwrap_or_default())
    }
}
