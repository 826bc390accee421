#!/usr/bin/env python3
"""Writes tests.txt, the PKITS test table, from PKITS_data (see README.md).

Usage: make_manifest.py PKITS_DATA_DIR > tests.txt

For each smime/Signed<Name>.eml: the certificates in its CMS SignedData (end entity first,
then the intermediates up to, not including, the trust anchor), each named by the file of
certs/ with the same DER bytes; the section of the PKITS document; and the expected result
with PKITS's default settings (initial-policy-set anyPolicy, initial-explicit-policy,
initial-policy-mapping-inhibit and initial-any-policy-inhibit all false). Needs openssl.
"""
import re, ssl, subprocess, sys
from pathlib import Path

data = Path(sys.argv[1])
by_der = {p.read_bytes(): p.name for p in sorted((data / "certs").glob("*.crt"))}
anchor = "TrustAnchorRootCertificate.crt"

# (section, pattern on the test name), first match wins.
SECTIONS = [
    ("4.16", r"CertificateExtension"),
    ("4.15", r"deltaCRL"),
    ("4.14", r"(?i:distributionPoint)|onlyContains|onlySomeReasons|IDPwithindirectCRL|cRLIssuer"),
    ("4.13", r"nameConstraints"),
    ("4.12", r"inhibitAnyPolicy"),
    ("4.11", r"inhibitPolicyMapping"),
    ("4.10", r"PolicyMapping|MappingFromanyPolicy|MappingToanyPolicy"),
    ("4.9", r"(?i:requireExplicitPolicy)"),
    ("4.8", r"Polic|Qualifier"),
    ("4.7", r"keyUsage"),
    ("4.6", r"basicConstraints|cAFalse|pathLenConstraint"),
    ("4.5", r"BasicSelfIssued"),
    ("4.4", r"CRL|Revoked|SerialNumber"),
    ("4.3", r"NameChaining|RFC3280|UTF8String|Rollover"),
    ("4.2", r"notBefore|notAfter"),
    ("4.1", r"Signature|DSA"),
]
# Tests whose name does not start with Valid/Invalid: their result with the default settings
# (PKITS §4.4.1, §4.8, §4.12.3).
INVALID_UNPREFIXED = {f"DifferentPoliciesTest{n}" for n in (4, 5, 7, 8, 9, 12)} | {"MissingCRLTest1"}

# The message of §4.14.18 carries the certificates of §4.14.19 (EE Test19, onlySomeReasons CA4);
# the document's path for Test18 is its own EE and onlySomeReasons CA3.
FIXES = {"ValidonlySomeReasonsTest18": ["ValidonlySomeReasonsTest18EE.crt", "onlySomeReasonsCA3Cert.crt"]}

rows = []
for eml in sorted((data / "smime").glob("Signed*.eml")):
    name = eml.stem.removeprefix("Signed")
    pem = subprocess.run(
        ["sh", "-c", 'openssl smime -pk7out -in "$0" | openssl pkcs7 -print_certs', str(eml)],
        check=True, capture_output=True, text=True,
    ).stdout
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", pem, re.S)
    files = [by_der[ssl.PEM_cert_to_DER_cert(b)] for b in blocks]
    files = FIXES.get(name, files)
    assert anchor not in files, name
    ees = [f for f in files if f.endswith("EE.crt")]
    assert len(ees) == 1, (name, files)
    ee = ees[0]
    intermediates = sorted(f for f in files if f != ee)
    section = next((s for s, pat in SECTIONS if re.search(pat, name)), None)
    assert section, name
    number = int(re.search(r"Test(\d+)$", name).group(1))
    invalid = name.startswith("Invalid") or name in INVALID_UNPREFIXED
    expected = "invalid" if invalid else "valid"
    rows.append(((tuple(map(int, section.split("."))), number), f"{section}.{number}", name, expected, ee, intermediates))

assert len(rows) == 224, len(rows)
rows.sort()
print("# NIST PKITS (2011) path validation tests, made by make_manifest.py from PKITS_data.")
print("# section name expected end-entity intermediates… (anchor: TrustAnchorRootCertificate.crt)")
seen = set()
for _, number, name, expected, ee, intermediates in rows:
    assert number not in seen, number
    seen.add(number)
    print(" ".join([number, name, expected, ee, *intermediates]))
