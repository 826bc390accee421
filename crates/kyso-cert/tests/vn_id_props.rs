//! Properties of `VnId::parse`: total on arbitrary text, and stable through Display.

use kyso_cert::VnId;
use proptest::prelude::*;

proptest! {
    #[test]
    fn vn_id_parse_never_panics_on_arbitrary_strings(text in any::<String>()) {
        let _ = VnId::parse(&text);
        let _ = VnId::parse_known(&text);
    }

    #[test]
    fn vn_id_parse_never_panics_on_prefix_like_strings(
        text in "[ A-Za-z]{0,6}[ ]?:[ ]?[0-9A-Za-z\\-ễ]{0,15}",
    ) {
        let _ = VnId::parse(&text);
    }

    #[test]
    fn parsed_id_reparses_to_itself_from_its_display(
        text in "(MST|CMND|CCCD|HC|MNS|mst|cccd|BHXH) ?: ?[0-9A-Za-z\\-]{1,15}",
    ) {
        let id = VnId::parse(&text).expect("prefix:value shape");
        prop_assert_eq!(VnId::parse(&id.to_string()), Some(id));
    }

    #[test]
    fn valid_citizen_ids_are_typed(digits in "[0-9]{12}") {
        prop_assert_eq!(
            VnId::parse(&format!("CCCD:{digits}")),
            Some(VnId::CitizenId(digits))
        );
    }

    #[test]
    fn tax_codes_with_branch_are_typed(main in "[0-9]{10}", branch in "[0-9]{3}") {
        let code = format!("{main}-{branch}");
        prop_assert_eq!(VnId::parse(&format!("mst: {code}")), Some(VnId::TaxCode(code)));
    }
}
