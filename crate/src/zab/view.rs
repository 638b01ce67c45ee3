//! A Zab server as the page and the CLI see it: the scenario format's node
//! fields (`state`, `phase`, `accepted_epoch`, `current_epoch`, `history`,
//! `last_committed`, `leader`) and what the drawing adds.

use serde::Serialize;

use super::msg::{Txn, Vote, Zxid, last_zxid};
use super::{Persistent, Zab};
use crate::kv::Store;
use crate::protocol::NodeId;

/// One follower as its leader sees it.
#[derive(Serialize)]
pub struct LearnerView {
    pub id: NodeId,
    /// "discovery", "synchronization" or "broadcast".
    pub stage: &'static str,
    /// The highest zxid it has acknowledged.
    pub acked: Zxid,
}

#[derive(Serialize)]
pub struct ZabView {
    pub state: &'static str,
    pub phase: &'static str,
    pub accepted_epoch: u64,
    pub current_epoch: u64,
    pub history: Vec<Txn>,
    pub last_committed: Option<Zxid>,
    pub leader: Option<NodeId>,
    /// The last zxid of the history.
    pub last_zxid: Zxid,
    /// How many transactions of the history are committed.
    pub committed: usize,
    /// Fast Leader Election: the logical clock and the vote proposed.
    pub election_epoch: u64,
    pub vote: Option<Vote>,
    /// ZOOKEEPER-3911's variant: transactions held in memory only.
    pub unwritten: usize,
    pub kv: Store,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learners: Option<Vec<LearnerView>>,
}

impl ZabView {
    pub fn of(z: &Zab) -> ZabView {
        let leading = z.state == super::PeerState::Leading;
        let unwritten = z.staged.as_ref().map_or(0, |s| {
            let keep = s.iter().zip(&z.ps.history).take_while(|(a, b)| a == b).count();
            s.len() - keep
        });
        ZabView {
            state: z.state.name(),
            phase: z.phase.name(),
            accepted_epoch: z.ps.accepted_epoch,
            current_epoch: z.ps.current_epoch,
            history: z.history().to_vec(),
            last_committed: z.last_committed(),
            leader: z.leader,
            last_zxid: last_zxid(z.history()),
            committed: z.committed,
            election_epoch: z.logical_clock,
            vote: Some(z.proposal),
            unwritten,
            kv: z.kv.clone(),
            learners: leading.then(|| {
                z.learners
                    .iter()
                    .map(|(&id, l)| LearnerView {
                        id,
                        stage: if l.synced {
                            "broadcast"
                        } else if l.synced_to.is_some() {
                            "synchronization"
                        } else {
                            "discovery"
                        },
                        acked: l.acked,
                    })
                    .collect()
            }),
        }
    }

    /// A crashed server: what is on its disk.
    pub fn down(s: &Persistent) -> ZabView {
        ZabView {
            state: "looking",
            phase: "election",
            accepted_epoch: s.accepted_epoch,
            current_epoch: s.current_epoch,
            history: s.history.clone(),
            last_committed: None,
            leader: None,
            last_zxid: last_zxid(&s.history),
            committed: 0,
            election_epoch: 0,
            vote: None,
            unwritten: 0,
            kv: Store::new(),
            learners: None,
        }
    }
}
