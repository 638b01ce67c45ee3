//! What a protocol declares about itself, once, for everyone who lists or
//! drives it: the page's menus and controls, the CLI's `protocols`, the
//! docs' tables, the explorer. A protocol's [`Spec`] names its message kinds,
//! its variants (deliberately broken or alternative rule sets, as the params
//! they set), its commands with their arguments, the node fields the page
//! shows, whether it supports membership changes and client operations, its
//! layout, and the metrics and series it reports. Parameters describe
//! themselves through [`crate::params`].

use std::rc::Rc;

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::base::read::{Fields, MAX_VALUE_CHARS};
use crate::base::{NodeId, ScenarioError};

/// A name with a one-line description.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Doc {
    pub name: &'static str,
    pub doc: &'static str,
}

/// A deliberately broken or alternative rule set: the params it sets.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Variant {
    pub name: &'static str,
    pub doc: &'static str,
    /// A JSON object of params, merged over the scenario's.
    #[serde(serialize_with = "raw_json")]
    pub params: &'static str,
}

fn raw_json<S: serde::Serializer>(text: &&'static str, s: S) -> Result<S::Ok, S::Error> {
    let v: Json = serde_json::from_str(text).unwrap_or(Json::Null);
    v.serialize(s)
}

impl Variant {
    /// The params this variant sets, as an object.
    pub fn params_map(&self) -> Map<String, Json> {
        match serde_json::from_str(self.params) {
            Ok(Json::Object(m)) => m,
            _ => Map::new(),
        }
    }
}

/// The type of a command argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgType {
    Node,
    Uint,
    Text,
    Bool,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Arg {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub ty: ArgType,
    pub doc: &'static str,
    pub required: bool,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct CommandSpec {
    pub name: &'static str,
    pub doc: &'static str,
    pub args: &'static [Arg],
}

/// How the page lays the nodes out by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// Nodes on a circle with their state drawn in full (up to 25).
    Ring,
    /// Small dots on a circle or grid, state by colour and shape (to 1,000).
    Dots,
    /// Nodes at their tokens on a hash ring.
    HashRing,
}

/// A protocol's declaration.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Spec {
    /// One sentence: the problem the protocol solves.
    pub summary: &'static str,
    /// The paper or source it follows.
    pub reference: &'static str,
    /// Every message kind it sends, as `Message::kind` names them.
    pub kinds: &'static [Doc],
    pub variants: &'static [Variant],
    pub commands: &'static [CommandSpec],
    /// The node fields the page shows in a node's summary.
    pub fields: &'static [&'static str],
    /// Supports `members`, `join` and `leave`.
    pub membership: bool,
    /// Serves `client_op` on a key-value store.
    pub clients: bool,
    /// Promises that its client history is linearizable, so the explorer
    /// counts a history that is not as a failure. A store that promises less
    /// (Dynamo-style quorums) says false; the page's consistency panel still
    /// classifies its histories.
    pub linearizable: bool,
    pub layout: Layout,
    /// The progress a run must make once faults stop (for the explorer).
    pub liveness: &'static str,
    /// The figures in a run's `metrics`.
    pub metrics: &'static [Doc],
    /// The series a run can be sampled for.
    pub series: &'static [Doc],
    /// The curves (figures not over time) a run reports: `Checker::curves`.
    pub curves: &'static [Doc],
}

impl Spec {
    /// Nothing declared: a base for struct-update syntax.
    pub const DEFAULT: Spec = Spec {
        summary: "",
        reference: "",
        kinds: &[],
        variants: &[],
        commands: &[],
        fields: &[],
        membership: false,
        clients: false,
        linearizable: true,
        layout: Layout::Ring,
        liveness: "",
        metrics: &[],
        series: &[],
        curves: &[],
    };

    pub fn variant(&self, name: &str) -> Option<&'static Variant> {
        self.variants.iter().find(|v| v.name == name)
    }

    pub fn command(&self, name: &str) -> Option<&'static CommandSpec> {
        self.commands.iter().find(|c| c.name == name)
    }
}

/// A command argument's value, checked against its [`Arg`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgValue {
    Node(NodeId),
    Uint(u64),
    Text(Rc<str>),
    Bool(bool),
}

/// A command as a protocol receives it: its name and checked arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub name: &'static str,
    pub args: Vec<(&'static str, ArgValue)>,
}

impl Command {
    fn arg(&self, name: &str) -> Option<&ArgValue> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
    pub fn node(&self, name: &str) -> Option<NodeId> {
        match self.arg(name) {
            Some(ArgValue::Node(n)) => Some(*n),
            _ => None,
        }
    }
    pub fn uint(&self, name: &str) -> Option<u64> {
        match self.arg(name) {
            Some(ArgValue::Uint(n)) => Some(*n),
            _ => None,
        }
    }
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.arg(name) {
            Some(ArgValue::Text(t)) => Some(t),
            _ => None,
        }
    }
    pub fn flag(&self, name: &str) -> Option<bool> {
        match self.arg(name) {
            Some(ArgValue::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// Checks a `command` event's name and arguments against the protocol's
    /// declaration. `path` is the event's path (`events[3]`).
    pub fn parse(
        protocol: &str,
        spec: &Spec,
        name: &str,
        args: &Map<String, Json>,
        nodes: usize,
        path: &str,
    ) -> Result<Command, ScenarioError> {
        let Some(cs) = spec.command(name) else {
            let names: Vec<&str> = spec.commands.iter().map(|c| c.name).collect();
            let known = if names.is_empty() {
                format!("{protocol} has no commands")
            } else {
                format!("{protocol}'s commands are: {}", names.join(", "))
            };
            let shown = crate::base::read::clip(name);
            return Err(ScenarioError::new(format!("{path}.name"), format!("unknown command \"{shown}\" ({known})")));
        };
        let args_path = format!("{path}.args");
        let f = Fields { obj: args, path: args_path.clone(), nodes };
        let allowed: Vec<&str> = cs.args.iter().map(|a| a.name).collect();
        let expected = if allowed.is_empty() {
            format!("{} takes no arguments", cs.name)
        } else {
            format!("unknown argument (expected one of: {})", allowed.join(", "))
        };
        f.only(&allowed, &expected)?;
        let mut out = Vec::new();
        for a in cs.args {
            let v = match a.ty {
                ArgType::Node => f.node_opt(a.name)?.map(ArgValue::Node),
                ArgType::Uint => f.uint_opt(a.name)?.map(ArgValue::Uint),
                ArgType::Text => f.string_opt(a.name, MAX_VALUE_CHARS)?.map(|s| ArgValue::Text(Rc::from(s))),
                ArgType::Bool => f.bool_opt(a.name)?.map(ArgValue::Bool),
            };
            match v {
                Some(v) => out.push((a.name, v)),
                None if a.required => {
                    return Err(ScenarioError::new(
                        f.at(a.name),
                        format!("missing (the {} command needs it)", cs.name),
                    ));
                }
                None => {}
            }
        }
        Ok(Command { name: cs.name, args: out })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPEC: Spec = Spec {
        commands: &[CommandSpec {
            name: "add_server",
            doc: "adds a server",
            args: &[Arg { name: "server", ty: ArgType::Node, doc: "the node to add", required: true }],
        }],
        ..Spec::DEFAULT
    };

    fn parse(name: &str, args: Json) -> Result<Command, String> {
        let Json::Object(m) = args else { panic!() };
        Command::parse("raft", &SPEC, name, &m, 5, "events[2]").map_err(|e| e.to_string())
    }

    #[test]
    fn commands_are_checked_against_their_declaration() {
        let c = parse("add_server", json!({ "server": 4 })).unwrap();
        assert_eq!(c.node("server"), Some(4));
        assert_eq!(
            parse("add_sever", json!({})).unwrap_err(),
            "events[2].name: unknown command \"add_sever\" (raft's commands are: add_server)"
        );
        assert_eq!(
            parse("add_server", json!({})).unwrap_err(),
            "events[2].args.server: missing (the add_server command needs it)"
        );
        assert_eq!(
            parse("add_server", json!({ "server": 4, "x": 1 })).unwrap_err(),
            "events[2].args.x: unknown argument (expected one of: server)"
        );
        assert!(parse("add_server", json!({ "server": 9 })).unwrap_err().contains("node 9 does not exist"));
        let none = Command::parse("paxos", &Spec::DEFAULT, "go", &Map::new(), 3, "inject").unwrap_err();
        assert_eq!(none.to_string(), "inject.name: unknown command \"go\" (paxos has no commands)");
    }
}
