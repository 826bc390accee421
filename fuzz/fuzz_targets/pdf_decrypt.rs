//! Opens arbitrary bytes as an encrypted PDF with the empty password and with a guessed one,
//! then reads every object through the decryption layer.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for password in [&b""[..], b"usersecret"] {
        let Ok(mut reader) = kyso_pdf::PdfReader::new(data) else {
            return;
        };
        if reader.unlock(password).is_err() {
            continue;
        }
        let refs: Vec<_> = reader.xref_entries().map(|(r, _)| r).take(10_000).collect();
        for r in refs {
            let _ = reader.resolve(r);
        }
    }
});
