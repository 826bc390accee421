//! Helpers shared by the kyso benches.
