//! A run's events in ShiViz's log format, so a reader can open the run in
//! ShiViz (a space-time diagram tool that orders events by vector clocks).
//!
//! The file starts with ShiViz's default parsing expression on its first
//! line and an empty second line (one execution), then two lines per event:
//! the event's description, then `host {"host": n, …}`, its vector clock.
//! Hosts are the page's node names (`n0`, `n1`, …). Each host's own entry
//! counts its events 1, 2, 3…; a send carries the sender's clock with the
//! message, and a delivery takes the entry-wise maximum of the receiver's
//! clock and the message's, then counts itself. Events that belong to no
//! node (a partition, a heal, a network change) have no host and are left
//! out; so are drops, which happen on the wire (the send stays, with no
//! delivery after it).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::protocol::NodeId;
use crate::trace::{TraceKind, TraceRecord};

/// ShiViz's default parser expression (the one its input page assumes).
pub const PARSER: &str = r"(?<event>.*)\n(?<host>\S*) (?<clock>{.*})";

/// The most nodes an export takes: ShiViz draws a column per host, and
/// clocks grow with the nodes they mention.
pub const MAX_NODES: usize = 100;

type Clock = BTreeMap<NodeId, u64>;

/// Whether a run of `nodes` nodes can be exported; the error says why not.
pub fn check_nodes(nodes: usize) -> Result<(), String> {
    if nodes > MAX_NODES {
        return Err(format!("the ShiViz export takes runs of at most {MAX_NODES} nodes; this one has {nodes}"));
    }
    Ok(())
}

/// The log text for `records` (in trace order) of a run of `nodes` nodes.
pub fn log<'a>(records: impl IntoIterator<Item = &'a TraceRecord>, nodes: usize) -> Result<String, String> {
    check_nodes(nodes)?;
    let mut out = String::new();
    out.push_str(PARSER);
    out.push_str("\n\n");
    let mut clocks: Vec<Clock> = vec![Clock::new(); nodes];
    // Each message in flight with its clock as it left its sender (a
    // duplicate is a message of its own, sent with an id of its own).
    let mut sent: BTreeMap<u64, Clock> = BTreeMap::new();
    for r in records {
        let Some(node) = r.node else { continue };
        if r.kind == TraceKind::Drop {
            if let Some(id) = r.msg {
                sent.remove(&id);
            }
            continue;
        }
        if node >= nodes {
            continue;
        }
        if r.kind == TraceKind::Deliver
            && let Some(theirs) = r.msg.and_then(|id| sent.remove(&id))
        {
            let mine = &mut clocks[node];
            for (h, n) in theirs {
                let e = mine.entry(h).or_insert(0);
                *e = (*e).max(n);
            }
        }
        *clocks[node].entry(node).or_insert(0) += 1;
        if r.kind == TraceKind::Send
            && let Some(id) = r.msg
        {
            sent.insert(id, clocks[node].clone());
        }
        let text: String = r.text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
        let _ = writeln!(out, "{} ms · {} · {}", r.time_ms, kind_name(r.kind), text);
        let _ = write!(out, "n{node} {{");
        for (i, (h, n)) in clocks[node].iter().enumerate() {
            let _ = write!(out, "{}\"n{h}\": {n}", if i == 0 { "" } else { ", " });
        }
        out.push_str("}\n");
    }
    Ok(out)
}

fn kind_name(kind: TraceKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: u64, kind: TraceKind, node: NodeId, peer: Option<NodeId>, msg: Option<u64>) -> TraceRecord {
        TraceRecord { seq, time_ms: seq * 10, kind, node: Some(node), peer, msg, text: format!("event {seq}") }
    }

    #[test]
    fn a_delivery_merges_the_senders_clock() {
        let records = vec![
            rec(0, TraceKind::Timer, 0, None, None),
            rec(1, TraceKind::Send, 0, Some(1), Some(7)),
            rec(2, TraceKind::Timer, 1, None, None),
            rec(3, TraceKind::Deliver, 1, Some(0), Some(7)),
            rec(4, TraceKind::Drop, 1, None, Some(8)),
        ];
        let text = log(&records, 2).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], PARSER);
        assert_eq!(lines[1], "");
        assert_eq!(lines[3], r#"n0 {"n0": 1}"#);
        assert_eq!(lines[5], r#"n0 {"n0": 2}"#);
        assert_eq!(lines[7], r#"n1 {"n1": 1}"#);
        assert_eq!(lines[9], r#"n1 {"n0": 2, "n1": 2}"#);
        assert_eq!(lines.len(), 10, "the drop is left out");
        assert!(lines[8].starts_with("30 ms · deliver · event 3"));
    }

    #[test]
    fn too_many_nodes_is_an_error_that_says_so() {
        let e = log(&[], MAX_NODES + 1).unwrap_err();
        assert_eq!(check_nodes(MAX_NODES), Ok(()));
        assert!(e.contains("at most 100 nodes"), "{e}");
    }
}
