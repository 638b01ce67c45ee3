//! The compact frame (sim/frame.rs) says what the snapshot says: the same
//! nodes up, absent and paused, the same messages on the wire, one node's
//! whole view on request, and the dots layout's columns as the drawings
//! worked them out from the full views before.

use consensus_lab::engine::Engine;
use consensus_lab::registry;
use serde_json::{Value, json};

fn run(scenario: Value, until: u64) -> Engine {
    let mut w = Engine::from_json(&scenario.to_string()).unwrap();
    w.run_until(until).unwrap();
    w
}

/// The frame's rows, as a list of objects keyed by their column names.
fn rows(head: &Value, numbers: &[f64], columns: &str) -> Vec<serde_json::Map<String, Value>> {
    let cols: Vec<String> = head[columns].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    assert_eq!(numbers.len() % cols.len(), 0, "{columns}: whole rows");
    numbers.chunks(cols.len()).map(|r| cols.iter().cloned().zip(r.iter().map(|&x| json!(x))).collect()).collect()
}

/// Checks every field the frame shares with the snapshot; returns (snapshot, head, node rows).
fn same_as_snapshot(w: &Engine) -> (Value, Value, Vec<serde_json::Map<String, Value>>) {
    let snap: Value = serde_json::from_str(&w.snapshot_json()).unwrap();
    let f = w.frame();
    let head: Value = serde_json::from_str(&f.head).unwrap();
    for key in
        ["protocol", "time_ms", "steps", "network", "violations", "pending_requests", "next_event_ms", "applied_events"]
    {
        assert_eq!(head[key], snap[key], "{key}");
    }
    let nodes = rows(&head, &f.nodes, "node_columns");
    let snap_nodes = snap["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), snap_nodes.len());
    assert_eq!(head["node_count"], json!(snap_nodes.len()));
    for (row, node) in nodes.iter().zip(snap_nodes) {
        let id = node["id"].as_u64().unwrap() as usize;
        assert_eq!(row["up"].as_f64().unwrap() == 1.0, node["up"].as_bool().unwrap(), "n{id} up");
        assert_eq!(row["absent"].as_f64().unwrap() == 1.0, node.get("absent").is_some(), "n{id} absent");
        assert_eq!(
            row["paused_until"].as_f64().unwrap(),
            node.get("paused_until").map_or(-1.0, |t| t.as_f64().unwrap()),
            "n{id} paused"
        );
        let whole: Value = serde_json::from_str(&w.node_view_json(id).unwrap()).unwrap();
        assert_eq!(&whole, node, "n{id}'s whole view");
    }
    assert!(w.node_view_json(snap_nodes.len()).is_none());
    let kinds: Vec<String> = registry::find(snap["protocol"].as_str().unwrap()).unwrap().to_json()["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap().to_string())
        .collect();
    let messages = rows(&head, &f.messages, "message_columns");
    let snap_messages = snap["messages"].as_array().unwrap();
    assert_eq!(messages.len(), snap_messages.len());
    for (row, m) in messages.iter().zip(snap_messages) {
        for key in ["id", "from", "to", "sent_at", "deliver_at"] {
            assert_eq!(row[key].as_f64().unwrap(), m[key].as_f64().unwrap(), "message {key}");
        }
        assert_eq!(kinds[row["kind"].as_f64().unwrap() as usize], m["kind"].as_str().unwrap());
        let lost = row["lost"].as_f64().unwrap();
        let lost = (lost >= 0.0).then(|| head["losses"][lost as usize].clone());
        assert_eq!(lost, m.get("lost").cloned(), "message {} lost", m["id"]);
    }
    (snap, head, nodes)
}

#[test]
fn frames_of_a_gossip_run_match_its_snapshot_and_columns() {
    let events: Vec<Value> = (0..6)
        .map(|i| json!({ "at_ms": 50 + 120 * i, "type": "client_request", "node": (i * 7) % 40, "value": format!("v{i}") }))
        .chain([json!({ "at_ms": 300, "type": "crash", "node": 3 }), json!({ "at_ms": 320, "type": "partition", "groups": [[0, 1, 2, 3, 4], (5..40).collect::<Vec<_>>()] })])
        .chain([json!({ "at_ms": 330, "type": "pause", "node": 9, "for_ms": 400 })])
        .collect();
    let scenario = json!({ "version": 1, "protocol": "gossip", "nodes": 40, "seed": 7, "network": { "drop_rate": 0.1 }, "events": events });
    let mut lost_seen = false;
    for until in [0, 200, 420, 700] {
        let w = run(scenario.clone(), until);
        let (snap, head, nodes) = same_as_snapshot(&w);
        lost_seen |= snap["messages"].as_array().unwrap().iter().any(|m| m.get("lost").is_some());
        for (row, node) in nodes.iter().zip(snap["nodes"].as_array().unwrap()) {
            let known = node["known"].as_array().unwrap();
            assert_eq!(row["known"].as_f64().unwrap() as usize, known.len());
            let last = row["last"].as_f64().unwrap();
            assert_eq!(known.last(), (last >= 0.0).then(|| &head["names"][last as usize]));
            let hot = node.get("hot").and_then(Value::as_array).map_or(0, Vec::len);
            assert_eq!(row["hot"].as_f64().unwrap() as usize, if node["up"] == json!(true) { hot } else { 0 });
        }
        let live: Vec<&Value> = snap["nodes"].as_array().unwrap().iter().filter(|d| d["up"] == json!(true)).collect();
        for v in head["summary"]["values"].as_array().unwrap() {
            let text = &v["value"];
            let knows = live.iter().filter(|d| d["known"].as_array().unwrap().contains(text)).count();
            let hot = live.iter().filter(|d| d["hot"].as_array().is_some_and(|h| h.contains(text))).count();
            assert_eq!(
                (v["knows"].as_u64().unwrap() as usize, v["hot"].as_u64().unwrap() as usize),
                (knows, hot),
                "{text} at {until} ms"
            );
        }
        assert_eq!(head["summary"]["live"].as_u64().unwrap() as usize, live.len());
    }
    assert!(lost_seen, "the run puts lost messages on the wire, so the lost column is tested");
}

#[test]
fn frames_of_a_swim_run_say_how_the_group_sees_each_member() {
    let scenario = json!({ "version": 1, "protocol": "swim", "nodes": 30, "seed": 3, "events": [
        { "at_ms": 500, "type": "crash", "node": 4 },
        { "at_ms": 900, "type": "crash", "node": 11 },
    ] });
    let mut states = std::collections::BTreeSet::new();
    for until in [400, 1_400, 2_600, 6_000] {
        let w = run(scenario.clone(), until);
        let (snap, head, nodes) = same_as_snapshot(&w);
        let snap_nodes = snap["nodes"].as_array().unwrap();
        let rank = |s: &str| ["alive", "suspect", "dead", "left"].iter().position(|x| *x == s).unwrap();
        for (j, row) in nodes.iter().enumerate() {
            // The drawing's rule before frames: the gravest state any live member holds.
            let grave = snap_nodes
                .iter()
                .filter(|d| d["up"] == json!(true))
                .filter_map(|d| d["members"].get(j.to_string()).map(|m| m["state"].as_str().unwrap()))
                .max_by_key(|s| rank(s))
                .unwrap_or("alive");
            let group = head["names"][row["group"].as_f64().unwrap() as usize].as_str().unwrap();
            assert_eq!(group, grave, "n{j} at {until} ms");
            states.insert(group.to_string());
        }
    }
    assert!(states.contains("suspect") || states.contains("dead"), "the crashes are noticed: {states:?}");
}
