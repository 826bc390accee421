//! `make-pdf SIZE_MB OUT.pdf`: writes a bench input of about SIZE_MB megabytes;
//! `make-pdf --objects COUNT OUT.pdf`: one of COUNT small objects.

use std::io::BufWriter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(mb), Some(out)) = (args.next(), args.next()) else {
        return Err("usage: make-pdf SIZE_MB OUT.pdf | make-pdf --objects COUNT OUT.pdf".into());
    };
    if mb == "--objects" {
        let (count, Some(out)) = (out.parse::<usize>()?, args.next()) else {
            return Err("usage: make-pdf --objects COUNT OUT.pdf".into());
        };
        let mut file = BufWriter::new(std::fs::File::create(out)?);
        kyso_benches::make_many_objects_pdf(count, &mut file)?;
        return Ok(());
    }
    let size = mb.parse::<usize>()? * 1024 * 1024;
    let mut file = BufWriter::new(std::fs::File::create(out)?);
    kyso_benches::make_pdf(size, &mut file)?;
    Ok(())
}
