"""kyso-testkit: pyHanko's AdES validation with long-term availability (ETSI EN 319 102-1
§5.6.3, `ades_lta_validation`) of every signature of a PDF, offline: only the validation data
the file holds counts (no fetching), revocation information is required for every
certificate that names where to get it, and its freshness is judged by its own nextUpdate.
(`pyhanko sign adesverify` asks revocation information no older than the validation time,
which only a responder reached at that moment can give, so it fails offline even on pyHanko's
own B-LTA files.)

Usage: python3 ades_validate.py PDF TRUST_ROOT [VALIDATION_TIME_ISO]

Prints a JSON array, one object per signature (document time-stamps excluded), in file order:
{"field", "indication", "subindication", "bottom_line", "failure"}.
"""

import asyncio
import json
import sys
from datetime import datetime

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager


def main():
    pdf, root = sys.argv[1], sys.argv[2]
    timing = ValidationTimingInfo.now()
    if len(sys.argv) > 3:
        t = datetime.fromisoformat(sys.argv[3])
        timing = ValidationTimingInfo(t, t, point_in_time_validation=False)
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[load_cert_from_pemder(root)]),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
    )
    spec = PdfSignatureValidationSpec(
        signature_validation_spec=SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        ),
        diff_policy=DEFAULT_DIFF_POLICY,
    )
    out = []
    with open(pdf, "rb") as f:
        reader = PdfFileReader(f)
        for sig in reader.embedded_regular_signatures:
            entry = {"field": sig.field_name}
            try:
                r = asyncio.run(ades_lta_validation(sig, spec, timing_info=timing))
                sub = r.ades_subindic
                entry.update(
                    indication=type(sub).__name__,
                    subindication=getattr(sub, "name", str(sub)),
                    bottom_line=bool(r.api_status.bottom_line) if r.api_status else False,
                    failure=r.failure_msg,
                )
            except Exception as e:  # noqa: BLE001 - the failure is the result
                entry.update(indication="error", bottom_line=False, failure=f"{type(e).__name__}: {e}")
            out.append(entry)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
