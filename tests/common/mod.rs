//! What several integration tests share.

use std::sync::Arc;

use brink_core::Engine;
use brink_core::scenario::from_str;

/// An engine for a scenario written in the test (named `generated.toml` in errors);
/// a scenario that does not load fails the test with its error and its text.
pub fn engine(text: &str) -> Engine {
    let s = from_str(text, "generated.toml", &[]).unwrap_or_else(|e| panic!("{e}\n{text}"));
    Engine::new(Arc::new(s))
}
