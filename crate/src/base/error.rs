//! The one error type for anything a reader of the lab can get wrong: a
//! scenario, an inject, a history, a command. It names where the problem is
//! (a field path such as `events[3].node`) and prints as one line.

/// A problem with a scenario or an inject, naming where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// A field path such as `events[3].node`, or empty for the whole document.
    pub path: String,
    pub message: String,
}

impl ScenarioError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError { path: path.into(), message: message.into() }
    }
}

impl std::fmt::Display for ScenarioError {
    /// One line, whatever the document held: line breaks and other control
    /// characters that came from it (a field name, a value) are escaped.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let one_line = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        };
        if self.path.is_empty() {
            write!(f, "{}", one_line(&self.message))
        } else {
            write!(f, "{}: {}", one_line(&self.path), one_line(&self.message))
        }
    }
}

impl std::error::Error for ScenarioError {}
