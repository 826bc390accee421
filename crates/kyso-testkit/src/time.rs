//! Enough calendar arithmetic to write certificate validity dates with std only.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// Now, in seconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock before 1970");
    i64::try_from(d.as_secs()).expect("clock too far in the future")
}

/// `unix` as an ASN.1 GeneralizedTime string, `YYYYMMDDHHMMSSZ` (the form
/// `openssl ca -startdate/-enddate` accept).
pub(crate) fn generalized_time(unix: i64) -> String {
    let (days, secs) = (unix.div_euclid(DAY), unix.rem_euclid(DAY));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(generalized_time(0), "19700101000000Z");
        assert_eq!(generalized_time(951_782_400), "20000229000000Z");
        assert_eq!(generalized_time(1_709_251_199), "20240229235959Z");
        assert_eq!(generalized_time(4_102_444_800), "21000101000000Z");
    }
}
