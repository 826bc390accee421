//! Reads arbitrary bytes as an RFC 3161 time-stamp response and as a token, and verifies the
//! token for some data: errors, never a panic.
#![no_main]

use kyso_cms::tsp::{TimeStampResponse, TimeStampToken};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(response) = TimeStampResponse::from_der(data)
        && let Ok(token) = response.into_token()
    {
        let _ = token.verify_data(b"kyso");
    }
    if let Ok(token) = TimeStampToken::from_der(data) {
        let _ = token.verify_data(b"kyso");
    }
});
