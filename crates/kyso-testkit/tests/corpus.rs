//! Every corpus file is a well-formed PDF of the kind its name says.

use std::process::Command;

use kyso_testkit::corpus;
use kyso_testkit::validators::qpdf_check;

fn qpdf(args: &[&str]) -> String {
    let out = Command::new("qpdf").args(args).output().expect("run qpdf");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn every_signable_file_passes_qpdf_check() {
    let all = corpus::all();
    assert_eq!(all.len(), 9);
    for pdf in all {
        let report = qpdf_check(&pdf.path);
        assert!(report.ok, "{}: {}", pdf.name, report.output);
    }
}

#[test]
fn each_file_has_the_structure_its_name_promises() {
    let text = |pdf: corpus::CorpusPdf| String::from_utf8_lossy(&pdf.bytes()).into_owned();

    let classic = text(corpus::classic());
    assert!(classic.starts_with("%PDF-1.7\n"));
    assert_eq!(classic.matches("\nxref\n").count(), 1);

    let incremental = text(corpus::incremental());
    assert_eq!(incremental.matches("%%EOF").count(), 2);
    assert!(incremental.contains("/Prev "));
    assert!(incremental.contains("(kyso test document, revised)"));

    let objstm = text(corpus::xref_stream());
    assert!(
        objstm.contains("/Type /XRef") || objstm.contains("/Type/XRef"),
        "no xref stream"
    );
    assert!(objstm.contains("/ObjStm"), "no object stream");
    assert!(!objstm.contains("\nxref\n"));

    for hybrid in [corpus::hybrid_xref(), corpus::hybrid_xref_msword()] {
        let t = text(hybrid);
        assert!(t.contains("/XRefStm"), "not hybrid");
        assert!(t.contains("xref"));
    }

    assert!(text(corpus::pdf20()).starts_with("%PDF-2.0\n"));

    let lin = qpdf(&["--check", corpus::linearized().path.to_str().unwrap()]);
    assert!(lin.contains("File is linearized"), "{lin}");

    let pages = qpdf(&["--show-npages", corpus::pages_300().path.to_str().unwrap()]);
    assert_eq!(pages.trim(), "300");

    let field = text(corpus::with_empty_field());
    assert!(field.contains(&format!("/T ({})", corpus::EMPTY_FIELD_NAME)));
    assert!(field.contains("/FT /Sig"));
}

#[test]
fn the_encrypted_file_needs_its_password() {
    let enc = corpus::encrypted();
    let path = enc.path.to_str().unwrap();
    let without = qpdf_check(&enc.path);
    assert!(!without.ok, "{}", without.output);
    let pw = format!("--password={}", corpus::ENCRYPTED_USER_PASSWORD);
    let shown = qpdf(&[&pw, "--show-encryption", path]);
    assert!(shown.contains("R = 6"), "{shown}");
    assert!(!corpus::all().iter().any(|p| p.path == enc.path));
}
