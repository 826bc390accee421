//! `sign-limit ID.p12 PASSWORD_FILE [COUNT]`: the crypto provider's signing limit on all cores
//! as a batch meets it — COUNT (default 200) signatures over 230-byte messages (the size of
//! a CMS's signed attributes) by the key of ID.p12, spread over every core by the software
//! signer's `sign_many`, as `kyso sign-batch` does. One warm-up round (the random generator's
//! first seeding, the key's first use), then 15 timed rounds; prints the median signatures
//! per second. `KYSO_CRYPTO_PROVIDER` picks the provider. benches/batch.sh sets the figure
//! beside the batch's own in the same run.

use std::time::Instant;

use kyso_cms::Signer;
use kyso_token::SoftwareSigner;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(p12), Some(password_file)) = (args.next(), args.next()) else {
        return Err("usage: sign-limit ID.p12 PASSWORD_FILE [COUNT]".into());
    };
    let count = match args.next() {
        Some(n) => n.parse::<usize>()?,
        None => 200,
    };
    let password = std::fs::read_to_string(&password_file)?;
    let password = password.lines().next().unwrap_or_default();
    let signer = SoftwareSigner::from_pkcs12(&std::fs::read(&p12)?, password)?;
    let message = [0x31u8; 230];
    let messages = vec![&message[..]; count];
    let round = || -> Result<f64, Box<dyn std::error::Error>> {
        let start = Instant::now();
        for signature in signer.sign_many(&messages) {
            signature?;
        }
        Ok(count as f64 / start.elapsed().as_secs_f64())
    };
    round()?;
    let mut rates = (0..15).map(|_| round()).collect::<Result<Vec<_>, _>>()?;
    rates.sort_by(f64::total_cmp);
    println!("{:.0}", rates[rates.len() / 2]);
    Ok(())
}
