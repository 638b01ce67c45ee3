//! Damage to a document's text for the fuzz tests (link_fuzz.rs,
//! history_fuzz.rs): truncation, byte flips, inserted tokens, huge numbers
//! and deep nesting, as damage, editing or an attacker would make them.

#![allow(dead_code)]

use proptest::prelude::*;

/// A change to a document's text, as damage, editing or an attacker would make.
#[derive(Clone, Debug)]
pub enum Mutation {
    None,
    Truncate(prop::sample::Index),
    FlipByte(prop::sample::Index, u8),
    Insert(prop::sample::Index, String),
    HugeNumber(prop::sample::Index),
    DeepNesting(usize),
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => Just(Mutation::None),
        2 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        2 => (any::<prop::sample::Index>(), 1u8..=255).prop_map(|(i, x)| Mutation::FlipByte(i, x)),
        2 => (any::<prop::sample::Index>(), prop::sample::select(
            &["NaN", "-Infinity", "1e999", "-1", "null", "\"", "{", "]", ",", "\\u0000", "\\ud800", "0x10", "--1"][..]
        )).prop_map(|(i, s)| Mutation::Insert(i, s.to_string())),
        1 => any::<prop::sample::Index>().prop_map(Mutation::HugeNumber),
        1 => (1usize..600).prop_map(Mutation::DeepNesting),
    ]
}

/// `text` with `m` applied; `nest(text, deep)` puts the deeply nested value
/// `deep` (`[[…[1]…]]`) where the document has a value.
pub fn apply(text: &str, m: &Mutation, nest: impl Fn(&str, &str) -> String) -> String {
    let bytes = text.as_bytes();
    let at = |i: &prop::sample::Index| i.index(bytes.len() + 1);
    let spliced = |i: usize, mid: &[u8], skip: usize| {
        let mut out = bytes[..i].to_vec();
        out.extend_from_slice(mid);
        out.extend_from_slice(&bytes[(i + skip).min(bytes.len())..]);
        String::from_utf8_lossy(&out).into_owned()
    };
    match m {
        Mutation::None => text.to_string(),
        Mutation::Truncate(i) => String::from_utf8_lossy(&bytes[..at(i)]).into_owned(),
        Mutation::FlipByte(i, x) if !bytes.is_empty() => {
            let i = i.index(bytes.len());
            spliced(i, &[bytes[i] ^ x], 1)
        }
        Mutation::FlipByte(..) => text.to_string(),
        Mutation::Insert(i, s) => spliced(at(i), s.as_bytes(), 0),
        Mutation::HugeNumber(i) => spliced(at(i), b"123456789012345678901234567890e300", 0),
        Mutation::DeepNesting(n) => nest(text, &format!("{}1{}", "[".repeat(*n), "]".repeat(*n))),
    }
}
