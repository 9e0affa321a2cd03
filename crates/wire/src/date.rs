//! HTTP dates (RFC 9110 §5.6.7), for `Retry-After`, and RFC 3339 date-times, for attribute
//! expiries. Hand-written because it is all the wasm needs of a date library; the fuzz targets
//! (`crates/fuzz-targets`) hold the HTTP dates to the `httpdate` crate, with its rules: the three
//! formats, years 1970 to 9999, a real calendar day and a weekday that matches it; and RFC 3339
//! to chrono's reader.

/// Milliseconds since the Unix epoch, or `None` when `s` is not an HTTP date.
pub fn parse_http_date_ms(s: &str) -> Option<u64> {
    if !s.is_ascii() {
        return None;
    }
    let s = s.trim_ascii().as_bytes();
    let d = imf_fixdate(s)
        .or_else(|| rfc850(s))
        .or_else(|| asctime(s))?;
    d.to_ms()
}

/// Fields as written; checked by [`Parts::to_ms`].
struct Parts {
    year: u64,
    mon: u64,
    day: u64,
    hour: u64,
    min: u64,
    sec: u64,
    /// 1 = Monday ... 7 = Sunday.
    wday: u64,
}

const MONTHS: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];
const DAYS: [&[u8]; 7] = [
    b"Monday",
    b"Tuesday",
    b"Wednesday",
    b"Thursday",
    b"Friday",
    b"Saturday",
    b"Sunday",
];

/// The 1-based position of `name` in `names` (`abbrev`: compare the first three letters).
fn index_of(names: &[&[u8]], name: Option<&[u8]>, abbrev: bool) -> Option<u64> {
    let name = name?;
    let pos = names.iter().position(|n| {
        if abbrev {
            n.get(..3) == Some(name)
        } else {
            *n == name
        }
    })?;
    Some(pos as u64 + 1)
}

/// The decimal number in `s[from..to]`, all digits.
fn num(s: &[u8], from: usize, to: usize) -> Option<u64> {
    let digits = s.get(from..to)?;
    digits.iter().try_fold(0u64, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

fn is(s: &[u8], at: usize, lit: &[u8]) -> bool {
    s.get(at..at + lit.len()) == Some(lit)
}

/// Whether `s` has the template's length and its bytes wherever the template has no `_`: one
/// walk for a format's separators, where a check per separator inlines a comparison each.
fn fits(s: &[u8], template: &[u8]) -> bool {
    s.len() == template.len() && s.iter().zip(template).all(|(c, t)| *t == b'_' || c == t)
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`
fn imf_fixdate(s: &[u8]) -> Option<Parts> {
    fits(s, b"___, __ ___ ____ __:__:__ GMT").then_some(())?;
    Some(Parts {
        wday: index_of(&DAYS, s.get(..3), true)?,
        day: num(s, 5, 7)?,
        mon: index_of(&MONTHS, s.get(8..11), true)?,
        year: num(s, 12, 16)?,
        hour: num(s, 17, 19)?,
        min: num(s, 20, 22)?,
        sec: num(s, 23, 25)?,
    })
}

/// `Sunday, 06-Nov-94 08:49:37 GMT` (years 70-99 are 19xx, 00-69 are 20xx).
fn rfc850(s: &[u8]) -> Option<Parts> {
    let comma = s.iter().position(|&b| b == b',')?;
    let wday = index_of(&DAYS, s.get(..comma), false)?;
    let s = s.get(comma + 2..).filter(|_| is(s, comma, b", "))?;
    // The byte between the year and the hour is not checked.
    fits(s, b"__-___-_____:__:__ GMT").then_some(())?;
    let yy = num(s, 7, 9)?;
    Some(Parts {
        wday,
        day: num(s, 0, 2)?,
        mon: index_of(&MONTHS, s.get(3..6), true)?,
        year: if yy < 70 { 2000 + yy } else { 1900 + yy },
        hour: num(s, 10, 12)?,
        min: num(s, 13, 15)?,
        sec: num(s, 16, 18)?,
    })
}

/// `Sun Nov  6 08:49:37 1994`
fn asctime(s: &[u8]) -> Option<Parts> {
    fits(s, b"___ ___ __ __:__:__ ____").then_some(())?;
    let day = match is(s, 8, b" ") {
        true => num(s, 9, 10)?,
        false => num(s, 8, 10)?,
    };
    Some(Parts {
        wday: index_of(&DAYS, s.get(..3), true)?,
        mon: index_of(&MONTHS, s.get(4..7), true)?,
        day,
        hour: num(s, 11, 13)?,
        min: num(s, 14, 16)?,
        sec: num(s, 17, 19)?,
        year: num(s, 20, 24)?,
    })
}

/// Whether `s` is an RFC 3339 `date-time`: `2026-11-28T18:00:00Z`, with optional fractional
/// seconds and a `Z` or `±hh:mm` offset, naming a real calendar day (no leap seconds, which
/// `Date.parse` refuses too).
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let date_ok = b.len() >= 20
        && is(b, 4, b"-")
        && is(b, 7, b"-")
        && matches!(b.get(10), Some(b'T' | b't'))
        && is(b, 13, b":")
        && is(b, 16, b":");
    let fields = (num(b, 0, 4), num(b, 5, 7), num(b, 8, 10));
    let time = (num(b, 11, 13), num(b, 14, 16), num(b, 17, 19));
    let (Some(year), Some(mon), Some(day)) = fields else {
        return false;
    };
    let (Some(hour), Some(min), Some(sec)) = time else {
        return false;
    };
    let mut rest = b.get(19..).unwrap_or_default();
    if let Some(frac) = rest.strip_prefix(b".") {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        rest = frac.get(digits..).unwrap_or_default();
    }
    let offset_ok = match rest {
        b"Z" | b"z" => true,
        [b'+' | b'-', ..] if rest.len() == 6 && is(rest, 3, b":") => {
            num(rest, 1, 3).is_some_and(|h| h < 24) && num(rest, 4, 6).is_some_and(|m| m < 60)
        }
        _ => false,
    };
    date_ok
        && offset_ok
        && (1..=12).contains(&mon)
        && (1..=month_days(year, mon)).contains(&day)
        && hour < 24
        && min < 60
        && sec < 60
}

fn month_days(year: u64, mon: u64) -> u64 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match mon {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Parts {
    fn to_ms(&self) -> Option<u64> {
        let valid = (1970..=9999).contains(&self.year)
            && (1..=12).contains(&self.mon)
            && (1..=month_days(self.year, self.mon)).contains(&self.day)
            && self.hour < 24
            && self.min < 60
            && self.sec < 60;
        valid.then_some(())?;
        let days = days_since_epoch(self.year, self.mon, self.day);
        // 1970-01-01 was a Thursday (4).
        ((days + 3) % 7 + 1 == self.wday).then_some(())?;
        Some(((days * 24 + self.hour) * 60 + self.min) * 60_000 + self.sec * 1000)
    }
}

/// Days from 1970-01-01 to a date on or after it (the proleptic Gregorian calendar).
fn days_since_epoch(year: u64, mon: u64, day: u64) -> u64 {
    // Count years from March so that February's leap day comes last.
    let (y, m) = if mon <= 2 {
        (year - 1, mon + 9)
    } else {
        (year, mon - 3)
    };
    let era_days = (y / 400) * 146_097;
    let yoe = y % 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    // 719_468: days from 0000-03-01 to 1970-01-01.
    era_days + doe - 719_468
}
