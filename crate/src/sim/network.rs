//! The simulated network: default latency, drop and duplicate rates, partitions
//! and one-way link rules. It only answers questions ("may 2 reach 4 now?",
//! "what rates apply from 1 to 3?"); the simulator draws the randomness.

use serde::Serialize;

use crate::protocol::{NetworkDefaults, NodeId, Time};
use crate::scenario::NetworkSpec;

/// The settings that apply to one message.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LinkSettings {
    pub latency_ms: (Time, Time),
    pub drop_rate: f64,
    pub duplicate_rate: f64,
}

/// A one-way override for a link.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LinkRule {
    pub from: NodeId,
    pub to: NodeId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<(Time, Time)>,
}

#[derive(Clone, Debug)]
pub struct Network {
    defaults: LinkSettings,
    /// The partition group of each node, or `None` when not partitioned.
    group_of: Option<Vec<u32>>,
    groups: Vec<Vec<NodeId>>,
    /// One-way link rules, at most one per (from, to), in the order first set.
    rules: Vec<LinkRule>,
}

/// What the page shows of the network.
#[derive(Clone, Debug, Serialize)]
pub struct NetworkView {
    pub latency_ms: (Time, Time),
    pub drop_rate: f64,
    pub duplicate_rate: f64,
    /// The partition's groups, every node listed (empty when whole).
    pub groups: Vec<Vec<NodeId>>,
    pub links: Vec<LinkRule>,
}

impl Network {
    pub fn new(defaults: NetworkDefaults, spec: &NetworkSpec) -> Network {
        let mut settings = LinkSettings {
            latency_ms: defaults.latency_ms,
            drop_rate: defaults.drop_rate,
            duplicate_rate: defaults.duplicate_rate,
        };
        apply_spec(&mut settings, spec);
        Network { defaults: settings, group_of: None, groups: Vec::new(), rules: Vec::new() }
    }

    /// The `set_network` event: new defaults from now on.
    pub fn set_defaults(&mut self, spec: &NetworkSpec) {
        apply_spec(&mut self.defaults, spec);
    }

    /// Only nodes in the same group can talk; unlisted nodes form one more group.
    pub fn partition(&mut self, nodes: usize, groups: &[Vec<NodeId>]) {
        let rest = groups.len() as u32;
        let mut of = vec![rest; nodes];
        let mut full: Vec<Vec<NodeId>> = groups.iter().filter(|g| !g.is_empty()).cloned().collect();
        for (g, members) in groups.iter().enumerate() {
            for &m in members {
                of[m] = g as u32;
            }
        }
        let others: Vec<NodeId> = (0..nodes).filter(|&n| of[n] == rest).collect();
        if !others.is_empty() {
            full.push(others);
        }
        if full.len() <= 1 {
            // Everyone in one group is no partition at all.
            self.group_of = None;
            self.groups.clear();
        } else {
            self.group_of = Some(of);
            self.groups = full;
        }
    }

    pub fn set_link(&mut self, rule: LinkRule) {
        match self.rules.iter_mut().find(|r| (r.from, r.to) == (rule.from, rule.to)) {
            Some(existing) => *existing = rule,
            None => self.rules.push(rule),
        }
    }

    /// `heal`: removes every partition and every link rule.
    pub fn heal(&mut self) {
        self.group_of = None;
        self.groups.clear();
        self.rules.clear();
    }

    pub fn connected(&self, from: NodeId, to: NodeId) -> bool {
        match &self.group_of {
            None => true,
            Some(of) => of[from] == of[to],
        }
    }

    /// The rates and latency for a message from `from` to `to`.
    pub fn settings(&self, from: NodeId, to: NodeId) -> LinkSettings {
        let mut s = self.defaults;
        if !self.rules.is_empty()
            && let Some(rule) = self.rules.iter().find(|r| (r.from, r.to) == (from, to))
        {
            if let Some(d) = rule.drop_rate {
                s.drop_rate = d;
            }
            if let Some(l) = rule.latency_ms {
                s.latency_ms = l;
            }
        }
        s
    }

    pub fn view(&self) -> NetworkView {
        NetworkView {
            latency_ms: self.defaults.latency_ms,
            drop_rate: self.defaults.drop_rate,
            duplicate_rate: self.defaults.duplicate_rate,
            groups: self.groups.clone(),
            links: self.rules.clone(),
        }
    }
}

fn apply_spec(s: &mut LinkSettings, spec: &NetworkSpec) {
    if let Some(l) = spec.latency_ms {
        s.latency_ms = l;
    }
    if let Some(d) = spec.drop_rate {
        s.drop_rate = d;
    }
    if let Some(d) = spec.duplicate_rate {
        s.duplicate_rate = d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net() -> Network {
        Network::new(
            NetworkDefaults { latency_ms: (10, 30), drop_rate: 0.0, duplicate_rate: 0.0 },
            &NetworkSpec::default(),
        )
    }

    #[test]
    fn unlisted_nodes_form_one_more_group() {
        let mut n = net();
        n.partition(5, &[vec![0, 1]]);
        assert!(n.connected(0, 1));
        assert!(n.connected(2, 4));
        assert!(!n.connected(1, 2));
        assert_eq!(n.view().groups, vec![vec![0, 1], vec![2, 3, 4]]);
        n.heal();
        assert!(n.connected(1, 2));
    }

    #[test]
    fn a_partition_of_everyone_into_one_group_is_whole() {
        let mut n = net();
        n.partition(3, &[vec![0, 1, 2]]);
        assert!(n.view().groups.is_empty());
    }

    #[test]
    fn link_rules_are_one_way_and_heal_clears_them() {
        let mut n = net();
        n.set_link(LinkRule { from: 1, to: 2, drop_rate: Some(1.0), latency_ms: Some((100, 100)) });
        assert_eq!(n.settings(1, 2).drop_rate, 1.0);
        assert_eq!(n.settings(1, 2).latency_ms, (100, 100));
        assert_eq!(n.settings(2, 1).drop_rate, 0.0);
        n.heal();
        assert_eq!(n.settings(1, 2).drop_rate, 0.0);
    }
}
