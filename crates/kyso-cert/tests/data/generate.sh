#!/bin/sh
# Regenerates the certificate fixtures of kyso-cert's tests with the openssl CLI (3.x).
# Run from this directory: `sh generate.sh`. Private keys live in a temporary directory and
# are thrown away; only certificates are kept. See README.md for what each file is for.
set -eu
here=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# `string_mask` picks which ASN.1 string types openssl may use for name values; openssl
# chooses the smallest allowed type that can hold the characters. The MASK values are
# OpenSSL's B_ASN1_* bits: PRINTABLESTRING 0x0002, T61STRING 0x0004,
# BMPSTRING 0x0800.
conf() {
    cat > "$1.cnf" <<CNF
[req]
distinguished_name = dn
string_mask = $2
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection, 1.3.6.1.4.1.311.10.3.12
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_plain]
keyUsage = critical, digitalSignature
CNF
}
conf utf8 utf8only
conf bmp MASK:0x0802
conf t61 MASK:0x0006

# Root CA: RSA 2048, self-signed, UTF8String names.
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out "$here/vn-root-ca.pem" \
    -config utf8.cnf -extensions v3_ca -days 7300 -utf8 -set_serial 0x01 \
    -subj "/C=VN/O=Ban Cơ yếu Chính phủ (thử nghiệm)/CN=Kyso Test Root CA"

# Signer: RSA 2048, issued by the root; UID=MST + UID=CCCD as one multi-valued RDN.
openssl req -new -newkey rsa:2048 -nodes -keyout signer.key -out signer.csr \
    -config utf8.cnf -utf8 -multivalue-rdn \
    -subj "/C=VN/L=Hà Nội/O=Công ty TNHH Một Thành Viên Ví Dụ/CN=Nguyễn Văn An/UID=MST:0101234567+UID=CCCD:001234567890"
openssl x509 -req -in signer.csr -CA "$here/vn-root-ca.pem" -CAkey ca.key \
    -set_serial 0x1A2B3C4D5E6F -days 1095 -extfile utf8.cnf -extensions v3_signer \
    -out "$here/vn-signer.pem"

# EC P-256 signer of a branch (MST with -001 suffix), issued by the root.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.csr \
    -config utf8.cnf -utf8 \
    -subj "/C=VN/ST=Thành phố Hồ Chí Minh/O=Công ty Cổ phần Ví Dụ - Chi nhánh Sài Gòn/OU=Phòng Kế toán/title=Kế toán trưởng/CN=Trần Thị Bình/emailAddress=binh@example.vn/UID=MST:0101234567-001"
openssl x509 -req -in ec.csr -CA "$here/vn-root-ca.pem" -CAkey ca.key \
    -set_serial 0x02 -days 1095 -extfile utf8.cnf -extensions v3_signer \
    -out "$here/vn-ec-signer.pem"

# Self-signed EC certificates whose names use other string types.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout bmp.key \
    -out "$here/vn-bmpstring.pem" -config bmp.cnf -extensions v3_plain -days 1095 -utf8 \
    -subj "/C=VN/L=Hà Nội/O=Công ty TNHH Một Thành Viên Ví Dụ/CN=Nguyễn Văn An/UID=CMND:012345678"
# openssl req never picks UniversalString for DirectoryString attributes, so this one is
# assembled with `openssl asn1parse -genconf` and signed with `openssl dgst`.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out uni.key
point=$(openssl pkey -in uni.key -pubout -outform DER | tail -c 65 | od -An -v -tx1 | tr -d ' \n')
cat > uni-tbs.cnf <<CNF
[tbs]
version = EXPLICIT:0,INTEGER:2
serial = INTEGER:0x03
sigalg = SEQUENCE:ecdsa_sha256
issuer = SEQUENCE:name
validity = SEQUENCE:validity
subject = SEQUENCE:name
spki = SEQUENCE:spki
[ecdsa_sha256]
oid = OID:ecdsa-with-SHA256
[validity]
from = UTCTIME:250101000000Z
to = GENTIME:20491231235959Z
[spki]
alg = SEQUENCE:ec_alg
key = FORMAT:HEX,BITSTRING:$point
[ec_alg]
oid = OID:id-ecPublicKey
curve = OID:prime256v1
[name]
c = SET:c
l = SET:l
o = SET:o
cn = SET:cn
uid = SET:uid
[c]
v = SEQUENCE:c_v
[c_v]
oid = OID:countryName
v = PRINTABLESTRING:VN
[l]
v = SEQUENCE:l_v
[l_v]
oid = OID:localityName
v = FORMAT:UTF8,UNIVERSALSTRING:Hà Nội
[o]
v = SEQUENCE:o_v
[o_v]
oid = OID:organizationName
v = FORMAT:UTF8,UNIVERSALSTRING:Công ty TNHH Một Thành Viên Ví Dụ
[cn]
v = SEQUENCE:cn_v
[cn_v]
oid = OID:commonName
v = FORMAT:UTF8,UNIVERSALSTRING:Nguyễn Văn An
[uid]
v = SEQUENCE:uid_v
[uid_v]
oid = OID:userId
v = UTF8STRING:HC:B1234567
CNF
{ echo "asn1 = SEQUENCE:tbs"; cat uni-tbs.cnf; } > uni-1.cnf
openssl asn1parse -genconf uni-1.cnf -out uni-tbs.der -noout
sig=$(openssl dgst -sha256 -sign uni.key uni-tbs.der | od -An -v -tx1 | tr -d ' \n')
{ echo "asn1 = SEQUENCE:cert"; echo "[cert]"; echo "tbs = SEQUENCE:tbs";
  echo "alg = SEQUENCE:ecdsa_sha256"; echo "sig = FORMAT:HEX,BITSTRING:$sig"; cat uni-tbs.cnf; } > uni-2.cnf
openssl asn1parse -genconf uni-2.cnf -out uni.der -noout
openssl x509 -inform DER -in uni.der -out "$here/vn-universalstring.pem"
# Latin-1 characters only: openssl stores them as Latin-1 bytes in a T61String.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout t61.key \
    -out "$here/vn-t61-latin1.pem" -config t61.cnf -extensions v3_plain -days 1095 -utf8 \
    -subj "/C=VN/L=Cà Mau/O=Công ty Lê Thành/CN=Lê Thành Công"
# Without -utf8 openssl takes each input byte as one character, so the UTF-8 bytes of the
# Vietnamese text end up inside T61Strings: the misuse several VN CAs are known for.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout t61u.key \
    -out "$here/vn-t61-utf8.pem" -config t61.cnf -extensions v3_plain -days 1095 \
    -subj "/C=VN/L=Hà Nội/O=Công ty TNHH Một Thành Viên Ví Dụ/CN=Nguyễn Văn An/UID=MNS:1234567"

# A chain file as a server or token export would hold it: signer, then root, with text
# and a non-certificate block in between (which must be skipped).
{
    echo "subject=CN = Nguyễn Văn An"
    cat "$here/vn-signer.pem"
    openssl pkey -in ec.key -pubout
    echo "subject=CN = Kyso Test Root CA"
    cat "$here/vn-root-ca.pem"
} > "$here/vn-chain.pem"
