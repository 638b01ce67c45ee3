//! The checker of `consistent-hashing`: preference lists never name one
//! physical node twice (an invariant), and the figures that compare the
//! placement schemes on the same synthetic keys — the share of keys each
//! join or leave moves, and the load spread over the members — plus how
//! many stored keys are not (yet) on exactly their owners.

use std::rc::Rc;

use super::hashing::ConsistentHashing;
use super::ring::{Ring, Scheme, key_position, load_spread, moved_share, sample_hashes};
use crate::invariant::{Checker, Curve, CurveLine, Figures, NodeRef, Nodes, Violation};
use crate::protocol::{NodeId, Time};
use crate::spec::Doc;

pub const METRICS: &[Doc] = &[
    Doc { name: "membership_changes", doc: "joins and leaves so far" },
    Doc { name: "moved_ring", doc: "share of the sample keys whose coordinator changed at the last join or leave, on the ring" },
    Doc { name: "moved_mod_n", doc: "the same under hash mod N (members in id order)" },
    Doc { name: "moved_jump", doc: "the same under jump consistent hash (members in id order)" },
    Doc { name: "moved_rendezvous", doc: "the same under rendezvous (highest random weight) hashing" },
    Doc { name: "load_cv_ring", doc: "sample keys per member on the ring: standard deviation / mean" },
    Doc { name: "load_max_ring", doc: "sample keys per member on the ring: max / mean" },
    Doc { name: "load_cv_mod_n", doc: "the same under hash mod N: standard deviation / mean" },
    Doc { name: "load_max_mod_n", doc: "the same under hash mod N: max / mean" },
    Doc { name: "load_cv_jump", doc: "the same under jump hash: standard deviation / mean" },
    Doc { name: "load_max_jump", doc: "the same under jump hash: max / mean" },
    Doc { name: "load_cv_rendezvous", doc: "the same under rendezvous hashing: standard deviation / mean" },
    Doc { name: "load_max_rendezvous", doc: "the same under rendezvous hashing: max / mean" },
    Doc { name: "keys_stored", doc: "distinct keys stored on any node" },
    Doc { name: "keys_misplaced", doc: "stored keys not held by exactly the nodes of their preference list (0 once transfers land)" },
];

pub const CURVES: &[Doc] = &[Doc {
    name: "load_by_tokens",
    doc: "the load spread (standard deviation / mean of sample keys per member) on the ring against tokens per node, for the current members, beside 1/√tokens; hash mod N, jump and rendezvous do not use tokens",
}];

/// Tokens per node the load curve is measured at.
const CURVE_TOKENS: [u64; 9] = [1, 2, 4, 8, 16, 32, 64, 128, 256];

#[derive(Clone, Default)]
pub struct HashingChecker {
    /// (tokens, replicas), read from the first running node.
    config: Option<(u64, usize)>,
    hashes: Rc<[u64]>,
    members: Vec<NodeId>,
    changes: u64,
    /// The share moved at the last change, per scheme in `Scheme::ALL` order.
    moved: Option<[f64; 4]>,
    /// (cv, max) per scheme for the current members.
    loads: [(f64, f64); 4],
}

fn members_of(nodes: &dyn Nodes<ConsistentHashing>) -> Vec<NodeId> {
    (0..nodes.len()).filter(|&i| !nodes.node(i).is_absent()).collect()
}

impl HashingChecker {
    fn measure_loads(&mut self, tokens: u64) {
        for (i, s) in Scheme::ALL.into_iter().enumerate() {
            self.loads[i] = load_spread(s, &self.hashes, &self.members, tokens);
        }
    }
}

impl Checker<ConsistentHashing> for HashingChecker {
    fn check(&mut self, now: Time, changed: NodeId, nodes: &dyn Nodes<ConsistentHashing>, out: &mut Vec<Violation>) {
        if self.config.is_none() {
            let Some(p) = (0..nodes.len()).find_map(|i| nodes.node(i).up()) else { return };
            let params = p.params();
            self.config = Some((params.tokens, params.replicas as usize));
            self.hashes = sample_hashes(params.sample_keys).into();
            self.members = members_of(nodes);
            self.measure_loads(params.tokens);
        }
        let Some((tokens, replicas)) = self.config else { return };
        let members = members_of(nodes);
        if members != self.members {
            let mut moved = [0.0; 4];
            for (i, s) in Scheme::ALL.into_iter().enumerate() {
                moved[i] = moved_share(s, &self.hashes, &self.members, &members, tokens);
            }
            self.moved = Some(moved);
            self.changes += 1;
            self.members = members;
            self.measure_loads(tokens);
        }
        if let NodeRef::Up(p) = nodes.node(changed) {
            let ring = Ring::new(p.members().iter().copied(), tokens);
            for key in p.store().keys() {
                let list = ring.preference_at(key_position(key), replicas);
                if list.iter().enumerate().any(|(i, n)| list[..i].contains(n)) {
                    out.push(Violation {
                        invariant: "distinct_preference_list",
                        at_ms: now,
                        detail: format!("n{changed}'s preference list for {key} names a node twice: {list:?}"),
                    });
                }
            }
        }
    }

    /// The load spread on the ring for each count of tokens, on the current
    /// members and the sample keys (Dynamo §6.2's point that virtual nodes
    /// even out the load; Karger's bound falls as about 1/√tokens).
    fn curves(&self, _now: Time, _nodes: &dyn Nodes<ConsistentHashing>, out: &mut Vec<Curve>) {
        if self.config.is_none() || self.members.is_empty() {
            return;
        }
        let ring: Vec<f64> =
            CURVE_TOKENS.iter().map(|&t| load_spread(Scheme::Ring, &self.hashes, &self.members, t).0).collect();
        // 1/√tokens, scaled to meet the ring's spread at one token.
        let at_one = ring[0];
        let expected: Vec<f64> = CURVE_TOKENS.iter().map(|&t| at_one / libm::sqrt(t as f64)).collect();
        out.push(Curve {
            name: "load_by_tokens",
            x_label: "tokens per node",
            xs: CURVE_TOKENS.iter().map(|&t| t as f64).collect(),
            lines: vec![
                CurveLine { label: "ring".to_string(), values: ring },
                CurveLine { label: "1/√tokens".to_string(), values: expected },
            ],
        });
    }

    fn metrics(&self, _now: Time, nodes: &dyn Nodes<ConsistentHashing>, out: &mut Figures) {
        out.put("membership_changes", self.changes as f64);
        for (i, s) in Scheme::ALL.into_iter().enumerate() {
            out.put(format!("moved_{}", s.name()), self.moved.map_or(f64::NAN, |m| m[i]));
        }
        for (i, s) in Scheme::ALL.into_iter().enumerate() {
            out.put(format!("load_cv_{}", s.name()), self.loads[i].0);
            out.put(format!("load_max_{}", s.name()), self.loads[i].1);
        }
        let (stored, misplaced) = placement_report(nodes, self.config);
        out.put("keys_stored", stored as f64);
        out.put("keys_misplaced", misplaced as f64);
    }
}

/// (distinct keys stored, keys not held by exactly their preference list),
/// with the ring of the true members.
fn placement_report(nodes: &dyn Nodes<ConsistentHashing>, config: Option<(u64, usize)>) -> (usize, usize) {
    let Some((tokens, replicas)) = config else { return (0, 0) };
    let members = members_of(nodes);
    let ring = Ring::new(members.iter().copied(), tokens);
    let mut holders: std::collections::BTreeMap<&str, Vec<NodeId>> = std::collections::BTreeMap::new();
    for &m in &members {
        for key in nodes.node(m).stable().store.keys() {
            holders.entry(key).or_default().push(m);
        }
    }
    let misplaced = holders
        .iter()
        .filter(|(key, held)| {
            let mut list = ring.preference_at(key_position(key), replicas);
            list.sort_unstable();
            list != **held
        })
        .count();
    (holders.len(), misplaced)
}
