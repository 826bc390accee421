//! PDF date strings (ISO 32000-2 §7.9.4), written for /M.

use std::time::{SystemTime, UNIX_EPOCH};

/// Formats `time` as a PDF date in UTC: `D:YYYYMMDDHHmmSS+00'00'` (ISO 32000-2 §7.9.4).
/// Times before 1970 are clamped to the epoch.
pub fn pdf_date(time: SystemTime) -> String {
    let (y, m, d, hh, mm, ss) = civil_time(time, 0);
    format!("D:{y:04}{m:02}{d:02}{hh:02}{mm:02}{ss:02}+00'00'")
}

/// `time` `offset` seconds east of UTC as (year, month, day, hour, minute, second); times
/// before 1970 are clamped to the epoch.
fn civil_time(time: SystemTime, offset: u64) -> (i64, u32, u32, u64, u64, u64) {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + offset;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    (y, m, d, rem / 3600, (rem % 3600) / 60, rem % 60)
}

/// Formats `time` in Vietnam time (UTC+07:00, no daylight saving) as Decree 30/2020 shows a
/// signing time: `hh:mm:ss dd/mm/yyyy +07:00` (hours, minutes, seconds; day, month, year; the
/// ISO 8601 offset).
pub fn vietnam_time(time: SystemTime) -> String {
    let (y, m, d, hh, mm, ss) = civil_time(time, 7 * 3600);
    format!("{hh:02}:{mm:02}:{ss:02} {d:02}/{m:02}/{y:04} +07:00")
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

/// Formats `time` as RFC 3339 in UTC, e.g. `2026-11-24T03:28:02Z`.
pub fn rfc3339(time: SystemTime) -> String {
    let d = pdf_date(time);
    // D:YYYYMMDDHHmmSS+00'00'
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &d[2..6],
        &d[6..8],
        &d[8..10],
        &d[10..12],
        &d[12..14],
        &d[14..16]
    )
}

/// Reads a PDF date (ISO 32000-2 §7.9.4) into RFC 3339 text, keeping its UTC offset; missing
/// trailing fields default as the standard says. `None` when it is not a date.
pub fn parse_pdf_date(text: &str) -> Option<String> {
    let t = text.strip_prefix("D:").unwrap_or(text);
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 || digits.len() > 14 || !digits.len().is_multiple_of(2) {
        return None;
    }
    let field = |i: usize, default: &str| digits.get(i..i + 2).unwrap_or(default).to_string();
    let year = &digits[..4];
    let (month, day) = (field(4, "01"), field(6, "01"));
    let (hour, minute, second) = (field(8, "00"), field(10, "00"), field(12, "00"));
    let rest = &t[digits.len()..];
    let offset = match rest.chars().next() {
        None | Some('Z') => "Z".to_string(),
        Some(sign @ ('+' | '-')) => {
            let nums: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let hh = nums.get(0..2).unwrap_or("00");
            let mm = nums.get(2..4).unwrap_or("00");
            format!("{sign}{hh}:{mm}")
        }
        Some(_) => return None,
    };
    let in_range =
        |v: &str, lo: u32, hi: u32| v.parse::<u32>().is_ok_and(|n| (lo..=hi).contains(&n));
    if !(in_range(&month, 1, 12)
        && in_range(&day, 1, 31)
        && in_range(&hour, 0, 23)
        && in_range(&minute, 0, 59)
        && in_range(&second, 0, 60))
    {
        return None;
    }
    Some(format!(
        "{year}-{month}-{day}T{hour}:{minute}:{second}{offset}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn vietnam_time_is_utc_plus_seven_across_midnight() {
        // 2026-11-30T20:15:09Z is 03:15:09 on 1 December in Hà Nội.
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_796_069_709);
        assert_eq!(vietnam_time(t), "03:15:09 01/12/2026 +07:00");
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(pdf_date(UNIX_EPOCH), "D:19700101000000+00'00'");
        // 2026-11-24T03:28:02Z
        let t = UNIX_EPOCH + Duration::from_secs(1_795_490_882);
        assert_eq!(pdf_date(t), "D:20261124032802+00'00'");
        // leap day 2024-02-29T23:59:59Z
        let t = UNIX_EPOCH + Duration::from_secs(1_709_251_199);
        assert_eq!(pdf_date(t), "D:20240229235959+00'00'");
        assert_eq!(rfc3339(t), "2024-02-29T23:59:59Z");
    }

    #[test]
    fn parses_pdf_dates_with_offsets_and_defaults() {
        assert_eq!(
            parse_pdf_date("D:20261124102802+07'00'").as_deref(),
            Some("2026-11-24T10:28:02+07:00")
        );
        assert_eq!(
            parse_pdf_date("D:2026").as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        assert_eq!(parse_pdf_date("D:20261340000000Z"), None);
        assert_eq!(parse_pdf_date("yesterday"), None);
    }
}
