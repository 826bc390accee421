//! PKCS#11 tokens on the command line: `kyso tokens` lists what a vendor module sees, and the
//! `--module …` options of `kyso sign` sign with a key on a token.
//!
//! ```text
//! kyso tokens --module PATH [--token LABEL] [--login | --pin-env VAR | --pin-file F] [--json]
//! kyso sign IN -o OUT --module PATH [--token LABEL]
//!           [--key-label L | --key-id HEX | --cert-subject TEXT [--cert-issuer TEXT]]
//!           [--pin-env VAR | --pin-file F]
//! ```
//!
//! The PIN, like key passwords, never comes as an argument: from an environment variable, a
//! file, or a prompt without echo, and only when the token asks for a login.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use clap::Args;
use kyso_cert::Certificate;
use kyso_cms::{DigestAlgorithm, SignatureScheme, Signer};
use kyso_token::pkcs11::{
    CertificateFilter, KeySelector, Pin, PinSource, Pkcs11Module, Pkcs11Signer, TokenInfo,
    TokenObjects,
};
use serde_json::{Value, json};

use crate::error::CliError;
use crate::password::PasswordSource;
use crate::stdio::outln;
use crate::{DigestArg, RsaPadding};

/// Arguments of `kyso tokens`.
#[derive(Args, Debug)]
pub(crate) struct TokensArgs {
    /// The vendor's PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so; for Viettel-CA,
    /// VNPT-CA or Ban Cơ yếu tokens, the .so/.dll their driver installed).
    #[arg(long, value_name = "PATH")]
    module: PathBuf,
    /// Only the token with this label.
    #[arg(long, value_name = "LABEL")]
    token: Option<String>,
    /// Log in to list the private keys too (asks for the PIN without echo).
    #[arg(long)]
    login: bool,
    /// Log in with the PIN in this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "pin_file")]
    pin_env: Option<String>,
    /// Log in with the PIN on the first line of this file.
    #[arg(long, value_name = "FILE")]
    pin_file: Option<PathBuf>,
    /// Print JSON for programs instead of text.
    #[arg(long)]
    json: bool,
}

/// The `kyso sign` options that pick a key on a PKCS#11 token.
#[derive(Args, Debug)]
pub(crate) struct TokenArgs {
    /// Sign with a key on a PKCS#11 token, through this vendor module (see `kyso tokens`).
    #[arg(
        long,
        value_name = "PATH",
        group = "KeyArgs",
        conflicts_with_all = ["p12", "key", "cert", "chain", "password_env", "password_file"]
    )]
    pub(crate) module: Option<PathBuf>,
    /// The token's label, when several tokens are plugged in.
    #[arg(long, value_name = "LABEL", requires = "module")]
    token: Option<String>,
    /// The label of the signing key, or of its certificate.
    #[arg(long, value_name = "LABEL", requires = "module", conflicts_with_all = ["key_id", "cert_subject", "cert_issuer"])]
    key_label: Option<String>,
    /// The id (CKA_ID) of the signing key, in hex as `kyso tokens` shows it.
    #[arg(long, value_name = "HEX", requires = "module", conflicts_with_all = ["cert_subject", "cert_issuer"])]
    key_id: Option<String>,
    /// The key whose certificate is valid now and whose subject contains this text (a name, an
    /// MST or CCCD number).
    #[arg(long, value_name = "TEXT", requires = "module")]
    cert_subject: Option<String>,
    /// The key whose certificate is valid now and whose issuer contains this text.
    #[arg(long, value_name = "TEXT", requires = "module")]
    cert_issuer: Option<String>,
    /// Read the token PIN from this environment variable.
    #[arg(
        long,
        value_name = "VAR",
        requires = "module",
        conflicts_with = "pin_file"
    )]
    pin_env: Option<String>,
    /// Read the token PIN from the first line of this file.
    #[arg(long, value_name = "FILE", requires = "module")]
    pin_file: Option<PathBuf>,
    /// Try the PIN even when the token says one more wrong PIN will lock it.
    #[arg(long, requires = "module")]
    allow_final_try: bool,
}

/// A PIN source that reads the environment variable or file the user named, or prompts on the
/// terminal — only when the token asks for a login.
fn pin_source(env: Option<&str>, file: Option<&Path>) -> PinSource {
    let source = PasswordSource::from_args(env, file);
    PinSource::callback(move |token: &TokenInfo| {
        let warning = if token.user_pin_final_try {
            " (LAST TRY: a wrong PIN locks the token)"
        } else if token.user_pin_count_low {
            " (a wrong PIN was entered before: the token locks after a few)"
        } else {
            ""
        };
        let prompt = format!("PIN for token \"{}\"{warning}: ", token.label);
        match source.get(&prompt) {
            Ok(pin) => Ok(Pin::new(pin.as_str())),
            Err(_) if !source.is_given() => Err(kyso_token::Error::PinUnavailable(
                "no terminal to ask for the PIN: use --pin-env VAR or --pin-file FILE".into(),
            )),
            Err(e) => Err(kyso_token::Error::PinUnavailable(e.to_string())),
        }
    })
}

/// The token signer `kyso sign` asked for with `--module`, or `None` without it.
pub(crate) fn open_signer(
    args: &TokenArgs,
    padding: Option<RsaPadding>,
    digest: Option<DigestArg>,
) -> Result<Option<Pkcs11Signer>, CliError> {
    let Some(module_path) = &args.module else {
        // clap drops `requires = "module"` when a key file option conflicts with --module.
        let token_options = [
            ("--token", args.token.is_some()),
            ("--key-label", args.key_label.is_some()),
            ("--key-id", args.key_id.is_some()),
            ("--cert-subject", args.cert_subject.is_some()),
            ("--cert-issuer", args.cert_issuer.is_some()),
            ("--pin-env", args.pin_env.is_some()),
            ("--pin-file", args.pin_file.is_some()),
            ("--allow-final-try", args.allow_final_try),
        ];
        if let Some((name, _)) = token_options.iter().find(|(_, given)| *given) {
            return Err(CliError::Usage(format!(
                "{name} applies to keys on a token: give --module PATH too"
            )));
        }
        return Ok(None);
    };
    let module = Pkcs11Module::load(module_path)?;
    let selector = if let Some(label) = &args.key_label {
        KeySelector::Label(label.clone())
    } else if let Some(id) = &args.key_id {
        KeySelector::id_hex(id)?
    } else if args.cert_subject.is_some() || args.cert_issuer.is_some() {
        let mut filter = CertificateFilter::new().valid_now();
        filter.subject_contains = args.cert_subject.clone();
        filter.issuer_contains = args.cert_issuer.clone();
        KeySelector::Certificate(filter)
    } else {
        KeySelector::Any
    };
    let mut builder = Pkcs11Signer::builder(&module)
        .key(selector)
        .pin(pin_source(
            args.pin_env.as_deref(),
            args.pin_file.as_deref(),
        ))
        .allow_final_try(args.allow_final_try);
    if let Some(label) = &args.token {
        builder = builder.token_label(label.clone());
    }
    let signer = builder.open()?;
    let current = signer.algorithm();
    let signer = match algorithm_for(current, padding, digest)? {
        Some(algorithm) if algorithm != current => signer.with_algorithm(algorithm)?,
        _ => signer,
    };
    eprintln!(
        "token \"{}\", key \"{}\" (id {}), {}",
        signer.token().label,
        signer.key_label(),
        hex(signer.key_id()),
        signer.mechanism_name()
    );
    Ok(Some(signer))
}

/// The algorithm `--rsa-padding`/`--digest` ask for, from the key's default `current`; `None`
/// when neither is given.
pub(crate) fn algorithm_for(
    current: SignatureScheme,
    padding: Option<RsaPadding>,
    digest: Option<DigestArg>,
) -> Result<Option<SignatureScheme>, CliError> {
    if padding.is_none() && digest.is_none() {
        return Ok(None);
    }
    let d = digest
        .map(DigestAlgorithm::from)
        .unwrap_or(current.digest());
    Ok(Some(match (current, padding) {
        (SignatureScheme::Ecdsa(_), Some(_)) => {
            return Err(CliError::Usage(
                "--rsa-padding applies to RSA keys; this key is ECDSA".into(),
            ));
        }
        (SignatureScheme::Ecdsa(_), None) => SignatureScheme::Ecdsa(d),
        (_, Some(RsaPadding::Pss)) | (SignatureScheme::RsaPss { .. }, None) => {
            SignatureScheme::rsa_pss(d)
        }
        (_, Some(RsaPadding::Pkcs1v15)) | (SignatureScheme::RsaPkcs1v15(_), None) => {
            SignatureScheme::RsaPkcs1v15(d)
        }
    }))
}

/// `kyso tokens`: lists the tokens of a module with their certificates and keys.
pub(crate) fn run(args: &TokensArgs) -> Result<(), CliError> {
    let module = Pkcs11Module::load(&args.module)?;
    let info = module.info()?;
    let mut tokens = module.tokens()?;
    if let Some(label) = &args.token {
        tokens = vec![module.find_token(Some(label))?];
    }
    let login = args.login || args.pin_env.is_some() || args.pin_file.is_some();
    let mut listed = Vec::with_capacity(tokens.len());
    for token in tokens {
        let objects = if token.initialized {
            let pin = login.then(|| pin_source(args.pin_env.as_deref(), args.pin_file.as_deref()));
            Some(module.token_objects(&token, pin)?)
        } else {
            None
        };
        listed.push((token, objects));
    }

    if args.json {
        let report = json!({
            "module": {
                "path": module.path(),
                "manufacturer": info.manufacturer,
                "description": info.description,
                "library_version": info.library_version,
                "cryptoki_version": info.cryptoki_version,
            },
            "tokens": listed.iter().map(|(t, o)| token_json(t, o.as_ref())).collect::<Vec<_>>(),
        });
        let mut text = serde_json::to_string_pretty(&report).expect("JSON of plain values");
        text.push('\n');
        return crate::stdio::print(&text);
    }

    let mut out = String::new();
    outln!(out, "PKCS#11 module {}", module.path().display());
    outln!(
        out,
        "  {} — {} {} (PKCS#11 {})",
        info.manufacturer,
        info.description,
        info.library_version,
        info.cryptoki_version
    );
    if listed.is_empty() {
        outln!(out, "\nNo token is present: plug in the USB token.");
    }
    for (token, objects) in &listed {
        print_token(&mut out, token, objects.as_ref());
    }
    crate::stdio::print(&out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The validity of `cert` as one phrase.
fn validity(cert: &Certificate) -> (&'static str, String, String) {
    let v = cert.inner().tbs_certificate().validity();
    let now = SystemTime::now();
    let state = if cert.is_valid_at(now) {
        "valid now"
    } else if now < cert.not_before() {
        "NOT YET VALID"
    } else {
        "EXPIRED"
    };
    (state, v.not_before.to_string(), v.not_after.to_string())
}

fn pin_state(t: &TokenInfo) -> String {
    let mut parts = vec![if t.login_required {
        "login required"
    } else {
        "no login needed"
    }];
    if t.protected_authentication_path {
        parts.push("PIN pad");
    }
    if t.user_pin_locked {
        parts.push("LOCKED");
    } else if t.user_pin_final_try {
        parts.push("FINAL TRY: one more wrong PIN locks it");
    } else if t.user_pin_count_low {
        parts.push("a wrong PIN was entered");
    }
    if t.user_pin_to_be_changed {
        parts.push("PIN must be changed");
    }
    parts.join(", ")
}

fn print_token(out: &mut String, token: &TokenInfo, objects: Option<&TokenObjects>) {
    outln!(out);
    let Some(objects) = objects else {
        outln!(
            out,
            "Slot {} ({}): token not initialised",
            token.slot_id,
            token.slot_description
        );
        return;
    };
    outln!(out, "Token \"{}\" (slot {})", token.label, token.slot_id);
    outln!(
        out,
        "  {} {}, serial {}",
        token.manufacturer,
        token.model,
        token.serial_number
    );
    outln!(out, "  PIN: {}", pin_state(token));

    outln!(out, "  Certificates ({}):", objects.certificates.len());
    for c in &objects.certificates {
        let key = objects
            .private_key_for(c)
            .map(|k| format!("  [private key \"{}\"]", k.label))
            .unwrap_or_default();
        outln!(out, "    id {}  \"{}\"{key}", c.id_hex(), c.label);
        let Some(cert) = &c.certificate else {
            outln!(
                out,
                "      unreadable: {}",
                c.parse_error.as_deref().unwrap_or("?")
            );
            continue;
        };
        let subject = cert.subject();
        if let Some(name) = &subject.common_name {
            outln!(out, "      Name:     {name}");
        }
        if let Some(org) = &subject.organization {
            outln!(out, "      Org.:     {org}");
        }
        if let Some(mst) = subject.tax_code() {
            outln!(out, "      MST:      {mst}");
        }
        if let Some(cccd) = subject.citizen_id() {
            outln!(out, "      CCCD:     {cccd}");
        }
        outln!(out, "      Subject:  {}", subject.display());
        outln!(out, "      Issuer:   {}", cert.issuer().display());
        let (state, from, to) = validity(cert);
        outln!(out, "      Valid:    {from} to {to} ({state})");
        outln!(out, "      Serial:   {}", cert.serial_hex());
    }

    if objects.logged_in || !objects.private_keys.is_empty() {
        outln!(out, "  Private keys ({}):", objects.private_keys.len());
        for k in &objects.private_keys {
            let cert = objects
                .certificate_for(k)
                .map(|c| format!("  [certificate \"{}\"]", c.label))
                .unwrap_or_else(|| "  [no certificate on the token]".into());
            let sign = if k.can_sign { "signs" } else { "cannot sign" };
            outln!(
                out,
                "    id {}  \"{}\"  {}, {sign}{cert}",
                k.id_hex(),
                k.label,
                k.kind
            );
        }
    }
    if !objects.logged_in {
        outln!(
            out,
            "  (private keys are listed after a login: add --login, --pin-env VAR or --pin-file FILE)"
        );
    }
    if !objects.public_keys.is_empty() {
        outln!(out, "  Public keys ({}):", objects.public_keys.len());
        for k in &objects.public_keys {
            outln!(out, "    id {}  \"{}\"  {}", k.id_hex(), k.label, k.kind);
        }
    }
}

fn token_json(token: &TokenInfo, objects: Option<&TokenObjects>) -> Value {
    let mut value = json!({
        "slot": token.slot_id,
        "slot_description": token.slot_description,
        "label": token.label,
        "manufacturer": token.manufacturer,
        "model": token.model,
        "serial_number": token.serial_number,
        "initialized": token.initialized,
        "login_required": token.login_required,
        "protected_authentication_path": token.protected_authentication_path,
        "pin": {
            "count_low": token.user_pin_count_low,
            "final_try": token.user_pin_final_try,
            "locked": token.user_pin_locked,
            "to_be_changed": token.user_pin_to_be_changed,
        },
    });
    let Some(objects) = objects else {
        return value;
    };
    let certificates: Vec<Value> = objects
        .certificates
        .iter()
        .map(|c| {
            let mut v = json!({
                "id": c.id_hex(),
                "label": c.label,
                "private_key_id": objects.private_key_for(c).map(|k| k.id_hex()),
            });
            match &c.certificate {
                Some(cert) => {
                    let subject = cert.subject();
                    let (state, from, to) = validity(cert);
                    v["subject"] = json!(subject.display());
                    v["common_name"] = json!(subject.common_name);
                    v["organization"] = json!(subject.organization);
                    v["tax_code"] = json!(subject.tax_code());
                    v["citizen_id"] = json!(subject.citizen_id());
                    v["subject_attributes"] = serde_json::to_value(&subject).unwrap_or(Value::Null);
                    v["issuer"] = json!(cert.issuer().display());
                    v["serial"] = json!(cert.serial_hex());
                    v["not_before"] = json!(from);
                    v["not_after"] = json!(to);
                    v["valid_now"] = json!(state == "valid now");
                }
                None => v["error"] = json!(c.parse_error),
            }
            v
        })
        .collect();
    let key = |k: &kyso_token::pkcs11::KeyObject, private: bool| {
        json!({
            "id": k.id_hex(),
            "label": k.label,
            "type": k.kind.to_string(),
            "can_sign": if private { Some(k.can_sign) } else { None },
            "always_authenticate": if private { Some(k.always_authenticate) } else { None },
            "certificate_label": if private { objects.certificate_for(k).map(|c| c.label.clone()) } else { None },
        })
    };
    value["logged_in"] = json!(objects.logged_in);
    value["certificates"] = json!(certificates);
    value["private_keys"] = json!(
        objects
            .private_keys
            .iter()
            .map(|k| key(k, true))
            .collect::<Vec<_>>()
    );
    value["public_keys"] = json!(
        objects
            .public_keys
            .iter()
            .map(|k| key(k, false))
            .collect::<Vec<_>>()
    );
    value
}
