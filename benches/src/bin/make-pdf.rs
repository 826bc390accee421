//! `make-pdf SIZE_MB OUT.pdf`: writes a bench input of about SIZE_MB megabytes.

use std::io::BufWriter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(mb), Some(out)) = (args.next(), args.next()) else {
        return Err("usage: make-pdf SIZE_MB OUT.pdf".into());
    };
    let size = mb.parse::<usize>()? * 1024 * 1024;
    let mut file = BufWriter::new(std::fs::File::create(out)?);
    kyso_benches::make_pdf(size, &mut file)?;
    Ok(())
}
