//! The `kyso` command line.
fn main() {}
