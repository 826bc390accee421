//! PDF date strings (ISO 32000-2 §7.9.4), written for /M.

use std::time::{SystemTime, UNIX_EPOCH};

/// Formats `time` as a PDF date in UTC: `D:YYYYMMDDHHmmSS+00'00'` (ISO 32000-2 §7.9.4).
/// Times before 1970 are clamped to the epoch.
pub fn pdf_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "D:{y:04}{m:02}{d:02}{:02}{:02}{:02}+00'00'",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day): H. Hinnant's algorithm.
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
    use std::time::Duration;

    #[test]
    fn formats_known_instants() {
        assert_eq!(pdf_date(UNIX_EPOCH), "D:19700101000000+00'00'");
        // 2026-11-24T03:28:02Z
        let t = UNIX_EPOCH + Duration::from_secs(1_795_490_882);
        assert_eq!(pdf_date(t), "D:20261124032802+00'00'");
        // leap day 2024-02-29T23:59:59Z
        let t = UNIX_EPOCH + Duration::from_secs(1_709_251_199);
        assert_eq!(pdf_date(t), "D:20240229235959+00'00'");
    }
}
