//! The client that submits `client_request` values, modelled on a real one:
//! it contacts the node it last saw leading (a random node at first), follows
//! redirects, tries another node when one does not answer or knows no leader,
//! and retries the whole round later if nobody takes the request.
//!
//! Reaching a node takes no simulated time: the lab draws the protocol's own
//! messages, not the client's. A request counts as handed over once a node
//! accepts it; what the cluster then does with it is the protocol's story.

use std::rc::Rc;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::protocol::{ClientReply, NodeId, Time, Value};
use crate::spec::Command;

/// What a client hands to the cluster: a `client_request` value, or a
/// protocol command routed like one.
#[derive(Clone, Debug)]
pub enum Request {
    Value(Value),
    Command(Rc<Command>),
}

impl Request {
    /// How the event log names it.
    pub fn label(&self) -> String {
        match self {
            Request::Value(v) => format!("\"{v}\""),
            Request::Command(c) => format!("command {}", c.name),
        }
    }
}

/// Time between rounds when no node took the request.
pub const RETRY_MS: Time = 100;
/// Rounds before the client gives up (ten simulated seconds).
pub const MAX_ROUNDS: u32 = 100;

#[derive(Clone)]
struct Pending {
    id: u64,
    request: Request,
    first: Option<NodeId>,
    rounds: u32,
}

#[derive(Clone)]
pub struct Client {
    rng: ChaCha8Rng,
    leader: Option<NodeId>,
    /// Requests no node has taken yet, oldest first (a handful at most).
    pending: Vec<Pending>,
    next: u64,
}

/// What one contact with a node came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum HopKind {
    Accepted,
    Redirected(NodeId),
    NoLeaderKnown,
    NoAnswer,
}

pub enum Next {
    Done,
    Try(NodeId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Hop {
    pub kind: HopKind,
    next: Option<NodeId>,
}

impl Hop {
    pub fn next(&self) -> Next {
        match self.next {
            None => Next::Done,
            Some(n) => Next::Try(n),
        }
    }

    pub fn describe(&self, what: &str, target: NodeId) -> String {
        match self.kind {
            HopKind::Accepted => format!("client → n{target}: {what} accepted"),
            HopKind::Redirected(to) => format!("client → n{target}: redirected to n{to}"),
            HopKind::NoLeaderKnown => format!("client → n{target}: no leader known"),
            HopKind::NoAnswer => format!("client → n{target}: no answer"),
        }
    }
}

impl Client {
    pub fn new(rng: ChaCha8Rng) -> Client {
        Client { rng, leader: None, pending: Vec::new(), next: 0 }
    }

    pub fn submit(&mut self, request: Request, node: Option<NodeId>) -> u64 {
        let id = self.next;
        self.next += 1;
        self.pending.push(Pending { id, request, first: node, rounds: 0 });
        id
    }

    pub fn request(&self, req: u64) -> Option<Request> {
        self.find(req).map(|i| self.pending[i].request.clone())
    }

    /// Requests still waiting for a node to take them.
    pub fn pending(&self) -> impl Iterator<Item = String> + '_ {
        self.pending.iter().map(|p| match &p.request {
            Request::Value(v) => v.to_string(),
            Request::Command(c) => format!("command {}", c.name),
        })
    }

    /// The request is done with (a node refused a command outright).
    pub fn drop_request(&mut self, req: u64) {
        if let Some(i) = self.find(req) {
            self.pending.remove(i);
        }
    }

    /// Where a round starts: the node named in the request (first round
    /// only), else the last known leader, else a random node.
    pub fn first_target(&mut self, req: u64, nodes: usize) -> Option<NodeId> {
        let i = self.find(req)?;
        let first = self.pending[i].first.take();
        Some(first.or(self.leader).unwrap_or_else(|| self.rng.random_range(0..nodes as u64) as NodeId))
    }

    /// Records a node's answer (`None`: it did not answer) and picks the next
    /// node to contact, if any.
    pub fn outcome(&mut self, req: u64, target: NodeId, reply: Option<ClientReply>, nodes: usize) -> Hop {
        match reply {
            Some(ClientReply::Accepted) => {
                self.leader = Some(target);
                if let Some(i) = self.find(req) {
                    self.pending.remove(i);
                }
                Hop { kind: HopKind::Accepted, next: None }
            }
            Some(ClientReply::Redirect(Some(to))) if to != target && to < nodes => {
                self.leader = Some(to);
                Hop { kind: HopKind::Redirected(to), next: Some(to) }
            }
            Some(ClientReply::Redirect(_)) => {
                self.leader = None;
                Hop { kind: HopKind::NoLeaderKnown, next: Some(self.other_than(target, nodes)) }
            }
            None => {
                if self.leader == Some(target) {
                    self.leader = None;
                }
                Hop { kind: HopKind::NoAnswer, next: Some(self.other_than(target, nodes)) }
            }
        }
    }

    /// When to try again, or `None` if the client gives up.
    pub fn retry_at(&mut self, req: u64, now: Time) -> Option<Time> {
        let i = self.find(req)?;
        self.pending[i].rounds += 1;
        if self.pending[i].rounds >= MAX_ROUNDS {
            self.pending.remove(i);
            None
        } else {
            Some(now + RETRY_MS)
        }
    }

    fn find(&self, req: u64) -> Option<usize> {
        self.pending.iter().position(|p| p.id == req)
    }

    fn other_than(&mut self, target: NodeId, nodes: usize) -> NodeId {
        if nodes <= 1 {
            return target;
        }
        let k = self.rng.random_range(0..(nodes - 1) as u64) as NodeId;
        if k >= target { k + 1 } else { k }
    }
}
