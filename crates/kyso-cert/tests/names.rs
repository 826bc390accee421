//! Subject and issuer names: every string type VN CAs use, Vietnamese identifiers, display.

use kyso_cert::{Certificate, Identity, StringType, VnId};
use x509_cert::der::Decode;
use x509_cert::name::Name;

const CN: &str = "Nguyễn Văn An";
const O: &str = "Công ty TNHH Một Thành Viên Ví Dụ";
const L: &str = "Hà Nội";

mod common;

use common::{fixture, read, tlv};

fn string_type_of(identity: &Identity, label: &str) -> StringType {
    identity
        .attributes
        .iter()
        .find(|a| a.label == label)
        .unwrap_or_else(|| panic!("no {label}"))
        .string_type
}

#[test]
fn decodes_vietnamese_names_from_utf8string() {
    let subject = fixture("vn-signer.pem").subject();
    assert_eq!(subject.common_name.as_deref(), Some(CN));
    assert_eq!(subject.organization.as_deref(), Some(O));
    assert_eq!(subject.locality.as_deref(), Some(L));
    assert_eq!(subject.country.as_deref(), Some("VN"));
    assert_eq!(string_type_of(&subject, "CN"), StringType::Utf8);
    assert_eq!(string_type_of(&subject, "C"), StringType::Printable);
}

#[test]
fn decodes_vietnamese_common_name_from_bmpstring() {
    let subject = fixture("vn-bmpstring.pem").subject();
    assert_eq!(subject.common_name.as_deref(), Some(CN));
    assert_eq!(subject.organization.as_deref(), Some(O));
    assert_eq!(subject.locality.as_deref(), Some(L));
    assert_eq!(string_type_of(&subject, "CN"), StringType::Bmp);
    assert_eq!(subject.ids, [VnId::IdentityCard("012345678".into())]);
}

#[test]
fn decodes_vietnamese_common_name_from_universalstring() {
    let cert = fixture("vn-universalstring.pem");
    let subject = cert.subject();
    assert_eq!(subject.common_name.as_deref(), Some(CN));
    assert_eq!(subject.organization.as_deref(), Some(O));
    assert_eq!(subject.locality.as_deref(), Some(L));
    assert_eq!(string_type_of(&subject, "CN"), StringType::Universal);
    assert_eq!(subject.ids, [VnId::Passport("B1234567".into())]);
    // Self-signed: the issuer is decoded the same way.
    assert_eq!(cert.issuer(), subject);
    assert!(cert.is_self_issued());
}

#[test]
fn universalstring_certificate_keeps_its_original_der() {
    let pem = read("vn-universalstring.pem");
    let (_, der) = x509_cert::der::pem::decode_vec(&pem).expect("PEM");
    assert!(
        x509_cert::Certificate::from_der(&der).is_err(),
        "der 0.8 rejects tag 28"
    );
    let cert = Certificate::from_der(&der).expect("kyso-cert reads it");
    assert_eq!(cert.der(), der.as_slice());
}

#[test]
fn decodes_teletexstring_holding_latin1_as_latin1() {
    let subject = fixture("vn-t61-latin1.pem").subject();
    assert_eq!(subject.common_name.as_deref(), Some("Lê Thành Công"));
    assert_eq!(subject.organization.as_deref(), Some("Công ty Lê Thành"));
    assert_eq!(subject.locality.as_deref(), Some("Cà Mau"));
    assert_eq!(string_type_of(&subject, "CN"), StringType::Teletex);
}

#[test]
fn decodes_teletexstring_holding_utf8_bytes_as_utf8() {
    let subject = fixture("vn-t61-utf8.pem").subject();
    assert_eq!(subject.common_name.as_deref(), Some(CN));
    assert_eq!(subject.organization.as_deref(), Some(O));
    assert_eq!(subject.locality.as_deref(), Some(L));
    assert_eq!(string_type_of(&subject, "CN"), StringType::Teletex);
    assert_eq!(subject.ids, [VnId::BudgetUnitCode("1234567".into())]);
}

#[test]
fn multi_valued_rdn_yields_tax_code_and_citizen_id() {
    let subject = fixture("vn-signer.pem").subject();
    assert_eq!(subject.tax_code(), Some("0101234567"));
    assert_eq!(subject.citizen_id(), Some("001234567890"));
    assert_eq!(subject.ids.len(), 2);
    let uids: Vec<usize> = subject
        .attributes
        .iter()
        .filter(|a| a.label == "UID")
        .map(|a| a.rdn)
        .collect();
    assert_eq!(uids.len(), 2);
    assert_eq!(uids[0], uids[1], "both UIDs are in one RDN");
    assert!(subject.other.is_empty());
}

#[test]
fn display_is_rfc4514_order_with_plus_for_multi_valued_rdn() {
    let subject = fixture("vn-signer.pem").subject();
    let expected = format!("UID=MST:0101234567+UID=CCCD:001234567890,CN={CN},O={O},L={L},C=VN");
    assert_eq!(subject.display(), expected);
    assert_eq!(subject.to_string(), expected);
}

#[test]
fn parses_mst_with_branch_suffix() {
    let subject = fixture("vn-ec-signer.pem").subject();
    assert_eq!(subject.tax_code(), Some("0101234567-001"));
    assert_eq!(subject.citizen_id(), None);
}

#[test]
fn reads_title_unit_province_and_email() {
    let subject = fixture("vn-ec-signer.pem").subject();
    assert_eq!(subject.common_name.as_deref(), Some("Trần Thị Bình"));
    assert_eq!(subject.title.as_deref(), Some("Kế toán trưởng"));
    assert_eq!(
        subject.organizational_unit.as_deref(),
        Some("Phòng Kế toán")
    );
    assert_eq!(
        subject.state_or_province.as_deref(),
        Some("Thành phố Hồ Chí Minh")
    );
    assert_eq!(subject.email.as_deref(), Some("binh@example.vn"));
    assert_eq!(string_type_of(&subject, "emailAddress"), StringType::Ia5);
}

#[test]
fn issuer_of_leaf_is_the_root_subject() {
    let root = fixture("vn-root-ca.pem");
    let leaf = fixture("vn-signer.pem");
    assert_eq!(leaf.issuer(), root.subject());
    assert_eq!(
        root.subject().organization.as_deref(),
        Some("Ban Cơ yếu Chính phủ (thử nghiệm)")
    );
}

#[test]
fn identity_serializes_to_json_with_typed_ids() {
    let subject = fixture("vn-signer.pem").subject();
    let json = serde_json::to_value(&subject).expect("serializable");
    assert_eq!(json["common_name"], CN);
    assert_eq!(json["ids"][0]["tax_code"], "0101234567");
    assert_eq!(json["ids"][1]["citizen_id"], "001234567890");
    assert_eq!(json["attributes"][0]["string_type"], "printable");
}

// ---- names built by hand, for encodings openssl will not produce ----

/// A Name with one single-valued RDN per `(oid DER contents, value TLV)`.
fn name(attributes: &[(&[u8], Vec<u8>)]) -> Name {
    let rdns: Vec<u8> = attributes
        .iter()
        .flat_map(|(oid, value)| {
            let atav = [tlv(0x06, oid), value.clone()].concat();
            tlv(0x31, &tlv(0x30, &atav))
        })
        .collect();
    Name::from_der(&tlv(0x30, &rdns)).expect("valid Name")
}

const OID_CN: &[u8] = &[0x55, 0x04, 0x03];
const OID_UID: &[u8] = &[0x09, 0x92, 0x26, 0x89, 0x93, 0xF2, 0x2C, 0x64, 0x01, 0x01];
const OID_SERIAL_NUMBER: &[u8] = &[0x55, 0x04, 0x05];

#[test]
fn malformed_cccd_is_kept_as_other() {
    let id = Identity::from_name(&name(&[
        (OID_CN, tlv(0x0C, CN.as_bytes())),
        (OID_UID, tlv(0x0C, b"CCCD:00123456789")),
    ]));
    assert_eq!(
        id.ids,
        [VnId::Other {
            prefix: "CCCD".into(),
            value: "00123456789".into()
        }]
    );
    assert_eq!(id.citizen_id(), None);
}

#[test]
fn cmnd_in_serial_number_becomes_an_id() {
    let id = Identity::from_name(&name(&[
        (OID_SERIAL_NUMBER, tlv(0x13, b"CMND: 012345678")),
        (OID_CN, tlv(0x0C, CN.as_bytes())),
    ]));
    assert_eq!(id.ids, [VnId::IdentityCard("012345678".into())]);
    assert_eq!(id.other, [("2.5.4.5".into(), "CMND: 012345678".into())]);
}

#[test]
fn teletex_utf8_in_hand_built_name_matches_utf8string() {
    let t61 = Identity::from_name(&name(&[(OID_CN, tlv(0x14, CN.as_bytes()))]));
    let utf8 = Identity::from_name(&name(&[(OID_CN, tlv(0x0C, CN.as_bytes()))]));
    assert_eq!(t61.common_name, utf8.common_name);
}

#[test]
fn non_string_value_is_shown_as_rfc4514_hex() {
    let id = Identity::from_name(&name(&[(OID_CN, tlv(0x04, &[0xCA, 0xFE]))]));
    assert_eq!(id.common_name.as_deref(), Some("#0402CAFE"));
    assert_eq!(id.to_string(), "CN=#0402CAFE");
}

#[test]
fn long_vietnamese_organisation_name_round_trips_through_bmpstring() {
    let long = "Công ty Trách nhiệm Hữu hạn Một Thành Viên Dịch vụ Công nghệ Thông tin Ví Dụ";
    let bmp: Vec<u8> = long.encode_utf16().flat_map(u16::to_be_bytes).collect();
    assert!(bmp.len() > 0x80, "exercises long-form lengths");
    let id = Identity::from_name(&name(&[(OID_CN, tlv(0x1E, &bmp))]));
    assert_eq!(id.common_name.as_deref(), Some(long));
}
