//! The checker of `quorum-kv`: every replica's versions of a key are
//! siblings (no one descends from another; Dynamo §4.4), and the figures
//! that say how far the replicas are from agreeing: keys whose replicas
//! hold different versions, the most siblings of any key, hints waiting.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::quorum::QuorumKv;
use super::ring::Ring;
use super::vclock::{Version, descends};
use crate::invariant::{Checker, Figures, NodeRef, Nodes, Violation};
use crate::protocol::{NodeId, Time};
use crate::spec::Doc;

pub const KINDS: &[Doc] = &[
    Doc { name: "Get", doc: "the coordinator asks a replica for its versions of the key" },
    Doc { name: "GetReply", doc: "a replica's versions (value and vector clock; several are siblings)" },
    Doc { name: "Put", doc: "the coordinator sends a version to a replica (a write, or an ABD read's write-back)" },
    Doc { name: "HintedPut", doc: "a stand-in is asked to keep a version for a replica that did not answer (sloppy quorum)" },
    Doc { name: "PutAck", doc: "the replica stored the version" },
    Doc { name: "Repair", doc: "read repair: the newest versions for a replica that answered a read with older ones" },
    Doc { name: "Handoff", doc: "hinted handoff: a stand-in hands what it kept to the replica it was for" },
    Doc { name: "HandoffAck", doc: "the replica took the handed-over versions; the hint is dropped" },
    Doc { name: "Sync", doc: "anti-entropy: a node's versions of the keys it shares with a peer" },
];

pub const METRICS: &[Doc] = &[
    Doc { name: "keys", doc: "distinct keys stored on any node" },
    Doc { name: "divergent_keys", doc: "keys whose N replicas (running or crashed) do not all hold the same versions" },
    Doc { name: "max_siblings", doc: "the most concurrent versions any replica keeps for one key" },
    Doc { name: "hints_pending", doc: "versions kept by stand-ins and not yet handed over" },
];

#[derive(Clone, Default)]
pub struct QuorumChecker {
    /// (ring, N), from the first running node's params.
    ring: Option<(Rc<Ring>, usize)>,
}

impl QuorumChecker {
    fn setup(&mut self, nodes: &dyn Nodes<QuorumKv>) {
        if self.ring.is_none()
            && let Some(p) = (0..nodes.len()).find_map(|i| nodes.node(i).up())
        {
            let params = p.params();
            self.ring = Some((Rc::new(Ring::new(0..nodes.len(), params.tokens)), p.replicas()));
        }
    }
}

impl Checker<QuorumKv> for QuorumChecker {
    fn check(&mut self, now: Time, changed: NodeId, nodes: &dyn Nodes<QuorumKv>, out: &mut Vec<Violation>) {
        self.setup(nodes);
        let NodeRef::Up(p) = nodes.node(changed) else { return };
        for (key, vs) in &crate::protocol::Protocol::stable(p).store {
            let bad = vs.iter().enumerate().any(|(i, a)| vs.iter().skip(i + 1).any(|b| descends(&a.clock, &b.clock) || descends(&b.clock, &a.clock)));
            if bad {
                out.push(Violation {
                    invariant: "siblings_are_concurrent",
                    at_ms: now,
                    detail: format!("n{changed} keeps versions of {key} where one descends from another"),
                });
            }
        }
    }

    fn metrics(&self, _now: Time, nodes: &dyn Nodes<QuorumKv>, out: &mut Figures) {
        let mut held: BTreeMap<&str, BTreeMap<NodeId, &Vec<Version>>> = BTreeMap::new();
        let (mut max_siblings, mut hints) = (0usize, 0usize);
        for i in 0..nodes.len() {
            let st = nodes.node(i).stable();
            for (k, vs) in &st.store {
                held.entry(k).or_default().insert(i, vs);
                max_siblings = max_siblings.max(vs.len());
            }
            hints += st.hints.values().map(Vec::len).sum::<usize>();
        }
        let divergent = match &self.ring {
            Some((ring, n)) => held
                .iter()
                .filter(|(k, by)| {
                    let home = ring.preference(k, *n);
                    let first = by.get(&home[0]);
                    home.iter().any(|h| by.get(h) != first)
                })
                .count(),
            None => 0,
        };
        out.put("keys", held.len() as f64);
        out.put("divergent_keys", divergent as f64);
        out.put("max_siblings", max_siblings as f64);
        out.put("hints_pending", hints as f64);
    }
}
