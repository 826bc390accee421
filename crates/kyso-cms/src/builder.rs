//! SignedData builder (in progress).
