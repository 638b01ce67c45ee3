//! Client operations and their history: `client_op` events and the
//! `clients` workload, applied to a [`World`].
//!
//! Each operation gets an id in call order and a record in the history. Its
//! client contacts the node it believes leads (first the node the event
//! names, or the client's home node), follows redirects, and tries again
//! every 100 ms while no node has taken the operation. Once a node takes it,
//! the client waits for the protocol's answer (an `Out::reply`); if none
//! comes before the timeout the operation is indeterminate (`return_ms:
//! null`) — it may or may not have taken effect. An operation is taken by
//! at most one node, so retries never apply it twice.
//!
//! A client with a home node (the event's `node`, or the workload's
//! `nodes`) reaches only nodes on that node's side of a partition: a client
//! cut off with a minority sees the minority's answers, or none. Reaching a
//! node takes no simulated time, as for `client_request`.

use std::collections::BTreeMap;
use std::rc::Rc;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::client::RETRY_MS;
use super::queue::Item;
use super::world::World;
use crate::history::Op;
use crate::kv::{F, KvOp, KvResult};
use crate::protocol::{ClientOp, ClientReply, NodeId, Time};
use crate::scenario::{MAX_TIME_MS, OpSpec, Workload};
use crate::trace::TraceKind;

/// How long a client waits for an answer unless told otherwise.
pub const DEFAULT_TIMEOUT_MS: Time = 1_000;

/// The random stream of client `c` (apart from the nodes' and the network's).
fn client_stream(seed: u64, client: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream((1 << 62) + client);
    rng
}

#[derive(Clone)]
struct OpClient {
    rng: ChaCha8Rng,
    /// The node this client last saw leading.
    leader: Option<NodeId>,
    /// Operations issued so far (for the workload's values).
    issued: u64,
}

#[derive(Clone)]
struct Pending {
    op: Rc<ClientOp>,
    home: Option<NodeId>,
    /// The node to contact first (first round only).
    first: Option<NodeId>,
    /// The node that took the operation, once one has.
    taken_by: Option<NodeId>,
    deadline: Time,
    from_workload: bool,
}

/// Every client operation of a run.
#[derive(Clone)]
pub struct Ops {
    workload: Option<Workload>,
    seed: u64,
    clients: BTreeMap<u64, OpClient>,
    history: Vec<Op>,
    pending: BTreeMap<u64, Pending>,
}

impl Ops {
    pub fn new(workload: Option<Workload>, seed: u64) -> Ops {
        Ops { workload, seed, clients: BTreeMap::new(), history: Vec::new(), pending: BTreeMap::new() }
    }

    pub fn history(&self) -> &[Op] {
        &self.history
    }

    /// No workload client issues another operation (for a settling copy).
    pub fn stop_workload(&mut self) {
        if let Some(w) = &mut self.workload {
            w.until_ms = Some(0);
        }
    }

    /// Operations called and not yet answered or timed out.
    pub fn pending(&self) -> impl Iterator<Item = &Op> {
        self.pending.keys().filter_map(|&id| self.history.get(id as usize))
    }

    fn client(&mut self, c: u64) -> &mut OpClient {
        let seed = self.seed;
        self.clients.entry(c).or_insert_with(|| OpClient { rng: client_stream(seed, c), leader: None, issued: 0 })
    }

    /// The client an event's operation comes from when it names none: the
    /// first id after the workload's clients.
    fn default_client(&self) -> u64 {
        self.workload.as_ref().map_or(0, |w| w.count)
    }

    fn home_of(&self, client: u64) -> Option<NodeId> {
        let w = self.workload.as_ref()?;
        if client >= w.count || w.nodes.is_empty() {
            return None;
        }
        Some(w.nodes[(client % w.nodes.len() as u64) as usize])
    }
}

impl World {
    /// The history of client operations so far.
    pub fn history(&self) -> &[Op] {
        self.ops.history()
    }

    /// Schedules the workload's clients' first operations.
    pub(super) fn start_workload(&mut self) {
        let Some(w) = &self.ops.workload else { return };
        let (count, from) = (w.count, w.from_ms);
        for c in 0..count {
            self.push(from, Item::ClientThink(c));
        }
    }

    /// A `client_op` event: the operation is called now.
    pub(super) fn op_event(&mut self, spec: OpSpec) {
        let client = spec.client.unwrap_or_else(|| self.ops.default_client());
        let timeout =
            spec.timeout_ms.or(self.ops.workload.as_ref().map(|w| w.timeout_ms)).unwrap_or(DEFAULT_TIMEOUT_MS);
        let op = KvOp {
            f: spec.f,
            key: Rc::from(spec.key.as_str()),
            value: spec.value.as_deref().map(Rc::from),
            expect: spec.expect.as_deref().map(Rc::from),
        };
        self.op_call(client, op, spec.node, spec.node, timeout, false);
    }

    fn op_call(
        &mut self,
        client: u64,
        op: KvOp,
        home: Option<NodeId>,
        first: Option<NodeId>,
        timeout: Time,
        from_workload: bool,
    ) {
        let id = self.ops.history.len() as u64;
        let now = self.now;
        self.ops.history.push(Op {
            id,
            client,
            f: op.f,
            key: op.key.clone(),
            value: if op.f == F::Read { None } else { op.value.clone() },
            expect: op.expect.clone(),
            call_ms: now,
            return_ms: None,
            ok: None,
        });
        let deadline = now.saturating_add(timeout).min(MAX_TIME_MS);
        let payload = (id, client, op.f.name(), &*op.key, op.value.as_deref(), op.expect.as_deref());
        self.trace.push(now, TraceKind::Op, first, None, None, Some(&payload), || {
            format!("client {client} calls op {id}: {}", op.describe())
        });
        let op = Rc::new(ClientOp { id, client, op });
        self.ops.pending.insert(id, Pending { op, home, first, taken_by: None, deadline, from_workload });
        self.push(deadline, Item::OpTimeout(id));
        self.op_attempt(id);
    }

    /// Can this operation's client reach `node` now?
    fn reachable(&self, home: Option<NodeId>, node: NodeId) -> bool {
        self.is_up(node) && self.meta[node].paused_until.is_none() && home.is_none_or(|h| self.net.connected(h, node))
    }

    /// One round of handing operation `id` to the cluster. False if there
    /// was nothing to do (a stale retry).
    pub(super) fn op_attempt(&mut self, id: u64) -> bool {
        let Some(p) = self.ops.pending.get_mut(&id) else { return false };
        if p.taken_by.is_some() {
            return false;
        }
        let (op, home, first) = (p.op.clone(), p.home, p.first.take());
        let client = op.client;
        let n = self.n;
        let leader = self.ops.client(client).leader;
        let mut target = first.or(leader).or(home);
        for _hop in 0..2 * n {
            let t = match target {
                Some(t) => t,
                None => self.ops.client(client).rng.random_range(0..n as u64) as NodeId,
            };
            let reply = if self.reachable(home, t) {
                let o = op.clone();
                self.with_node(t, |p, cx, rec, out, _| p.on_client_op(cx, o, rec, out))
            } else {
                None
            };
            let what = match reply {
                Some(ClientReply::Accepted) => 0u8,
                Some(ClientReply::Redirect(Some(_))) => 1,
                Some(ClientReply::Redirect(None)) => 2,
                None => 3,
            };
            self.trace.push(self.now, TraceKind::Op, Some(t), None, None, Some(&(id, what)), || match reply {
                Some(ClientReply::Accepted) => format!("client {client} → n{t}: op {id} taken"),
                Some(ClientReply::Redirect(Some(to))) => format!("client {client} → n{t}: op {id} redirected to n{to}"),
                Some(ClientReply::Redirect(None)) => format!("client {client} → n{t}: no leader known"),
                None => format!("client {client} → n{t}: no answer"),
            });
            match reply {
                Some(ClientReply::Accepted) => {
                    self.ops.client(client).leader = Some(t);
                    if let Some(p) = self.ops.pending.get_mut(&id) {
                        p.taken_by = Some(t);
                    }
                    return true;
                }
                Some(ClientReply::Redirect(Some(to))) if to != t && to < n => {
                    self.ops.client(client).leader = Some(to);
                    target = Some(to);
                }
                _ => {
                    let c = self.ops.client(client);
                    if c.leader == Some(t) {
                        c.leader = None;
                    }
                    target = Some(other_than(&mut c.rng, t, n));
                }
            }
            if !self.ops.pending.contains_key(&id) {
                // The node answered at once (a local read).
                return true;
            }
        }
        if let Some(p) = self.ops.pending.get(&id)
            && p.taken_by.is_none()
            && self.now + RETRY_MS < p.deadline
        {
            self.push(self.now + RETRY_MS, Item::OpRetry(id));
        }
        true
    }

    /// A node answered operation `op`; the first answer counts.
    pub(super) fn op_reply(&mut self, from: NodeId, op: u64, result: KvResult) {
        let Some(p) = self.ops.pending.remove(&op) else { return };
        let now = self.now;
        if let Some(rec) = self.ops.history.get_mut(op as usize) {
            rec.return_ms = Some(now);
            rec.ok = Some(result.ok);
            if rec.f == F::Read {
                rec.value = result.value.clone();
            }
        }
        let payload = (op, result.ok, result.value.as_deref());
        self.trace.push(now, TraceKind::Op, Some(from), None, None, Some(&payload), || {
            let seen = match (&result.value, p.op.op.f) {
                (Some(v), F::Read) => format!(" (read \"{v}\")"),
                (None, F::Read) => " (read nothing)".to_string(),
                _ => String::new(),
            };
            let outcome = if result.ok { "ok" } else { "failed" };
            format!("n{from} answers op {op}: {outcome}{seen}")
        });
        if p.from_workload {
            self.think(p.op.client);
        }
    }

    /// Operation `op` timed out: indeterminate. False if it had an answer.
    pub(super) fn op_timeout(&mut self, op: u64) -> bool {
        let Some(p) = self.ops.pending.remove(&op) else { return false };
        let client = p.op.client;
        self.trace.push(self.now, TraceKind::Op, None, None, None, Some(&op), || {
            format!("client {client}: op {op} timed out — it may or may not have taken effect")
        });
        if p.from_workload {
            self.think(client);
        }
        true
    }

    /// A workload client thinks before its next operation.
    fn think(&mut self, client: u64) {
        let Some(w) = &self.ops.workload else { return };
        let (lo, hi) = w.think_ms;
        let until = w.until_ms;
        let c = self.ops.client(client);
        let pause = if lo >= hi { lo } else { c.rng.random_range(lo..=hi) };
        // At least 1 ms after the answer: the checks then see the client's
        // operations in its own order (an op called in the millisecond
        // another returned counts as concurrent with it).
        let at = self.now.saturating_add(pause.max(1));
        if until.is_none_or(|u| at < u) && at <= MAX_TIME_MS {
            self.push(at, Item::ClientThink(client));
        }
    }

    /// A workload client issues its next operation. False once its window
    /// has closed.
    pub(super) fn client_think(&mut self, client: u64) -> bool {
        let Some(w) = self.ops.workload.clone() else { return false };
        if w.until_ms.is_some_and(|u| self.now >= u) {
            return false;
        }
        let home = self.ops.home_of(client);
        let c = self.ops.client(client);
        c.issued += 1;
        let f = w.ops[c.rng.random_range(0..w.ops.len() as u64) as usize];
        let key: Rc<str> = Rc::from(w.keys[c.rng.random_range(0..w.keys.len() as u64) as usize].as_str());
        let small = |rng: &mut ChaCha8Rng| Rc::from(rng.random_range(1..=5u64).to_string());
        let op = match f {
            F::Read => KvOp { f, key, value: None, expect: None },
            F::Write => KvOp { f, key, value: Some(small(&mut c.rng)), expect: None },
            F::Append => KvOp { f, key, value: Some(Rc::from(format!("{client}:{} ", c.issued))), expect: None },
            F::Cas => {
                let expect = small(&mut c.rng);
                KvOp { f, key, value: Some(small(&mut c.rng)), expect: Some(expect) }
            }
        };
        self.op_call(client, op, home, home, w.timeout_ms, true);
        true
    }
}

/// A node other than `target`, drawn from the client's stream.
fn other_than(rng: &mut ChaCha8Rng, target: NodeId, nodes: usize) -> NodeId {
    if nodes <= 1 {
        return target;
    }
    let k = rng.random_range(0..(nodes - 1) as u64) as NodeId;
    if k >= target { k + 1 } else { k }
}
