//! Shared helpers of the kyso examples.
