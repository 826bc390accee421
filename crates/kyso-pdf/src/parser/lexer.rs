//! The tokens of ISO 32000-2 §7.2: white space, comments, delimiters, numbers, names,
//! strings and keywords.
//!
//! The lexer works on a window of the file. A window that does not reach the end of the
//! file may cut a token in two; the lexer then answers [`PErr::Incomplete`] and the
//! caller reads a larger window and starts again.

use crate::object::{Name, PdfString, is_delimiter};

/// An error while lexing or parsing one window.
#[derive(Debug)]
pub(crate) enum PErr {
    /// The window ended inside a token or an object, and more of the file follows.
    Incomplete,
    /// The bytes are not PDF syntax.
    Syntax {
        /// Absolute byte offset.
        offset: u64,
        /// What is wrong.
        message: String,
    },
    /// Nesting of arrays and dictionaries is deeper than allowed.
    TooDeep,
}

pub(crate) type PResult<T> = std::result::Result<T, PErr>;

/// A token of ISO 32000-2 §7.2.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token<'a> {
    Integer(i64),
    Real(f64),
    Name(Name),
    String(PdfString),
    ArrayOpen,
    ArrayClose,
    DictOpen,
    DictClose,
    /// Any other run of regular characters (`true`, `obj`, `R`, `xref`, ...) or a lone
    /// `{` / `}`.
    Keyword(&'a [u8]),
}

impl Token<'_> {
    /// A short description for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Token::Integer(i) => format!("integer {i}"),
            Token::Real(r) => format!("number {r}"),
            Token::Name(n) => format!("name {n:?}"),
            Token::String(_) => "a string".to_string(),
            Token::ArrayOpen => "'['".to_string(),
            Token::ArrayClose => "']'".to_string(),
            Token::DictOpen => "'<<'".to_string(),
            Token::DictClose => "'>>'".to_string(),
            Token::Keyword(k) => format!("'{}'", String::from_utf8_lossy(&k[..k.len().min(32)])),
        }
    }
}

/// White-space characters of ISO 32000-2 §7.2.3, Table 1 (NUL, HT, LF, FF, CR, SP).
pub(crate) fn is_whitespace(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Regular characters: neither white space nor delimiters (ISO 32000-2 §7.2.3).
pub(crate) fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !is_delimiter(b)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A lexer over one window of bytes.
#[derive(Clone)]
pub(crate) struct Lexer<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Absolute offset of `buf[0]`.
    base: u64,
    /// Whether the end of `buf` is the end of the data.
    complete: bool,
    /// Where the last token returned started.
    tok_start: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(buf: &'a [u8], base: u64, complete: bool) -> Self {
        Lexer {
            buf,
            pos: 0,
            base,
            complete,
            tok_start: 0,
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.buf.len());
    }

    /// Where the last token returned by [`Lexer::next_opt`] started.
    pub(crate) fn tok_start(&self) -> usize {
        self.tok_start
    }

    pub(crate) fn abs_pos(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub(crate) fn buf(&self) -> &'a [u8] {
        self.buf
    }

    pub(crate) fn is_complete(&self) -> bool {
        self.complete
    }

    pub(crate) fn syntax<T>(&self, at: usize, message: impl Into<String>) -> PResult<T> {
        Err(PErr::Syntax {
            offset: self.base + at as u64,
            message: message.into(),
        })
    }

    /// The end of the window was reached while more was needed.
    fn eof<T>(&self, what: &str) -> PResult<T> {
        if self.complete {
            self.syntax(self.buf.len(), format!("unexpected end of data in {what}"))
        } else {
            Err(PErr::Incomplete)
        }
    }

    /// Skips white space and comments (ISO 32000-2 §7.2.3, §7.2.4).
    pub(crate) fn skip_ws(&mut self) {
        while let Some(&b) = self.buf.get(self.pos) {
            if is_whitespace(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(&c) = self.buf.get(self.pos) {
                    if c == b'\r' || c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next token, or `None` at the end of complete data.
    pub(crate) fn next_opt(&mut self) -> PResult<Option<Token<'a>>> {
        self.skip_ws();
        let start = self.pos;
        self.tok_start = start;
        let Some(&b) = self.buf.get(start) else {
            return if self.complete {
                Ok(None)
            } else {
                Err(PErr::Incomplete)
            };
        };
        let tok = match b {
            b'[' => {
                self.pos += 1;
                Token::ArrayOpen
            }
            b']' => {
                self.pos += 1;
                Token::ArrayClose
            }
            b'{' | b'}' => {
                self.pos += 1;
                Token::Keyword(&self.buf[start..start + 1])
            }
            b'<' => match self.buf.get(start + 1) {
                Some(b'<') => {
                    self.pos += 2;
                    Token::DictOpen
                }
                Some(_) => Token::String(self.hex_string()?),
                None => return self.eof("'<'"),
            },
            b'>' => match self.buf.get(start + 1) {
                Some(b'>') => {
                    self.pos += 2;
                    Token::DictClose
                }
                Some(_) => return self.syntax(start, "unexpected '>'"),
                None => return self.eof("'>'"),
            },
            b'(' => Token::String(self.literal_string()?),
            b')' => return self.syntax(start, "unbalanced ')'"),
            b'/' => Token::Name(self.name()?),
            _ => {
                let word = self.regular_run()?;
                if matches!(word[0], b'0'..=b'9' | b'+' | b'-' | b'.') {
                    parse_number(word).ok_or_else(|| PErr::Syntax {
                        offset: self.base + start as u64,
                        message: format!(
                            "malformed number '{}'",
                            String::from_utf8_lossy(&word[..word.len().min(32)])
                        ),
                    })?
                } else {
                    Token::Keyword(word)
                }
            }
        };
        Ok(Some(tok))
    }

    /// If the next token is the keyword `kw`, consumes it and returns `true`; otherwise
    /// leaves the position unchanged. Looks at raw bytes only, so whatever follows (binary
    /// junk, an unterminated string) is never tokenized.
    pub(crate) fn eat_keyword(&mut self, kw: &[u8]) -> PResult<bool> {
        let save = self.pos;
        self.skip_ws();
        let rest = &self.buf[self.pos..];
        if rest.len() <= kw.len() && !self.complete && kw.starts_with(rest) {
            // Too few bytes to tell `stream` from `streamx` or a cut-off `str`.
            self.pos = save;
            return Err(PErr::Incomplete);
        }
        if rest.starts_with(kw) && rest.get(kw.len()).is_none_or(|&b| !is_regular(b)) {
            self.tok_start = self.pos;
            self.pos += kw.len();
            return Ok(true);
        }
        self.pos = save;
        Ok(false)
    }

    /// The next token; the end of the data is an error.
    pub(crate) fn next(&mut self) -> PResult<Token<'a>> {
        match self.next_opt()? {
            Some(t) => Ok(t),
            None => self.syntax(self.pos, "unexpected end of data"),
        }
    }

    /// A run of regular characters starting at `pos`.
    fn regular_run(&mut self) -> PResult<&'a [u8]> {
        let start = self.pos;
        while let Some(&b) = self.buf.get(self.pos) {
            if !is_regular(b) {
                return Ok(&self.buf[start..self.pos]);
            }
            self.pos += 1;
        }
        if self.complete {
            Ok(&self.buf[start..])
        } else {
            Err(PErr::Incomplete)
        }
    }

    /// A name after `/`, with `#xx` escapes decoded (ISO 32000-2 §7.3.5). A `#` not
    /// followed by two hex digits is kept as is.
    fn name(&mut self) -> PResult<Name> {
        self.pos += 1; // '/'
        let raw = self.regular_run()?;
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'#'
                && let (Some(h), Some(l)) = (
                    raw.get(i + 1).copied().and_then(hex_val),
                    raw.get(i + 2).copied().and_then(hex_val),
                )
            {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
            out.push(raw[i]);
            i += 1;
        }
        Ok(Name(out))
    }

    /// A literal string `( ... )` (ISO 32000-2 §7.3.4.2): balanced parentheses, escapes
    /// `\n \r \t \b \f \( \) \\ \ddd`, line continuations, end-of-line markers read as LF.
    fn literal_string(&mut self) -> PResult<PdfString> {
        let start = self.pos;
        self.pos += 1; // '('
        let mut depth = 1usize;
        let mut out = Vec::new();
        loop {
            let Some(&b) = self.buf.get(self.pos) else {
                let _ = start;
                return self.eof("literal string");
            };
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(PdfString::literal(out));
                    }
                    out.push(b);
                }
                b'\r' => {
                    out.push(b'\n');
                    match self.buf.get(self.pos) {
                        Some(b'\n') => self.pos += 1,
                        Some(_) => {}
                        None => return self.eof("literal string"),
                    }
                }
                b'\\' => {
                    let Some(&e) = self.buf.get(self.pos) else {
                        return self.eof("literal string");
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.buf.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    Some(_) => break,
                                    None => return self.eof("literal string"),
                                }
                            }
                            // High-order overflow is ignored (§7.3.4.2).
                            out.push((v & 0xff) as u8);
                        }
                        b'\r' => {
                            // Line continuation: backslash + EOL is nothing.
                            match self.buf.get(self.pos) {
                                Some(b'\n') => self.pos += 1,
                                Some(_) => {}
                                None => return self.eof("literal string"),
                            }
                        }
                        b'\n' => {}
                        // `\(`, `\)`, `\\`, and an unknown escape: the backslash is dropped.
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
    }

    /// A hexadecimal string `< ... >` (ISO 32000-2 §7.3.4.3): white space ignored, an odd
    /// final digit is followed by an implied 0.
    fn hex_string(&mut self) -> PResult<PdfString> {
        self.pos += 1; // '<'
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let Some(&b) = self.buf.get(self.pos) else {
                return self.eof("hexadecimal string");
            };
            if b == b'>' {
                self.pos += 1;
                if let Some(h) = high {
                    out.push(h << 4);
                }
                return Ok(PdfString::hex(out));
            }
            if let Some(v) = hex_val(b) {
                match high.take() {
                    Some(h) => out.push(h << 4 | v),
                    None => high = Some(v),
                }
            } else if !is_whitespace(b) {
                return self.syntax(self.pos, format!("byte 0x{b:02x} in a hexadecimal string"));
            }
            self.pos += 1;
        }
    }
}

/// Parses a number token (ISO 32000-2 §7.3.3): `123`, `+17`, `-98`, `34.5`, `-.002`,
/// `+.5`, `4.`, `-3.`. Integers too large for `i64` become reals.
pub(crate) fn parse_number<'a>(word: &[u8]) -> Option<Token<'a>> {
    let (sign, digits) = match word.first()? {
        b'+' => (1, &word[1..]),
        b'-' => (-1, &word[1..]),
        _ => (1, word),
    };
    let mut seen_digit = false;
    let mut seen_dot = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => seen_digit = true,
            b'.' if !seen_dot => seen_dot = true,
            _ => return None,
        }
    }
    if !seen_digit {
        return None;
    }
    // Only ASCII digits, sign and dot: valid UTF-8.
    let text = std::str::from_utf8(digits).ok()?;
    if !seen_dot && let Ok(v) = text.parse::<i64>() {
        return Some(Token::Integer(if sign < 0 { -v } else { v }));
    }
    if !seen_dot && sign < 0 && text.parse::<u64>().ok() == Some(1 << 63) {
        return Some(Token::Integer(i64::MIN));
    }
    let v: f64 = text.parse().ok()?;
    Some(Token::Real(if sign < 0 { -v } else { v }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &[u8]) -> Vec<Token<'_>> {
        let mut lx = Lexer::new(s, 0, true);
        let mut out = Vec::new();
        while let Some(t) = lx.next_opt().unwrap() {
            out.push(t);
        }
        out
    }

    #[test]
    fn numbers_in_all_spellings() {
        assert_eq!(
            tokens(b"123 +17 -98 0 34.5 -3.62 +123.6 4. -.002 0.0 +.5 -3."),
            vec![
                Token::Integer(123),
                Token::Integer(17),
                Token::Integer(-98),
                Token::Integer(0),
                Token::Real(34.5),
                Token::Real(-3.62),
                Token::Real(123.6),
                Token::Real(4.0),
                Token::Real(-0.002),
                Token::Real(0.0),
                Token::Real(0.5),
                Token::Real(-3.0),
            ]
        );
        assert_eq!(
            tokens(b"-9223372036854775808 99999999999999999999"),
            vec![Token::Integer(i64::MIN), Token::Real(1e20)]
        );
        let mut lx = Lexer::new(b"1.2.3", 0, true);
        assert!(matches!(lx.next_opt(), Err(PErr::Syntax { .. })));
        let mut lx = Lexer::new(b"--5", 0, true);
        assert!(matches!(lx.next_opt(), Err(PErr::Syntax { .. })));
    }

    #[test]
    fn whitespace_includes_nul_and_form_feed_and_comments() {
        assert_eq!(
            tokens(b"\x001\x0c2 % comment (not a string\r\n3%x"),
            vec![Token::Integer(1), Token::Integer(2), Token::Integer(3)]
        );
    }

    #[test]
    fn literal_strings_with_nesting_escapes_and_continuations() {
        let t = tokens(b"(a(b)c\\)\\\\\\n\\101\\0537\\7777 x\\\r\ny\\\nz\r\nw\rv\\q)");
        assert_eq!(
            t,
            vec![Token::String(PdfString::literal(
                &b"a(b)c)\\\nA+7\xff7 xyz\nw\nvq"[..]
            ))]
        );
    }

    #[test]
    fn hex_strings_with_whitespace_and_odd_digits() {
        assert_eq!(
            tokens(b"<48 65\n6c6C6f7> <>"),
            vec![
                Token::String(PdfString::hex(&b"Hello\x70"[..])),
                Token::String(PdfString::hex(Vec::new()))
            ]
        );
        let mut lx = Lexer::new(b"<4x>", 0, true);
        assert!(matches!(lx.next_opt(), Err(PErr::Syntax { offset: 2, .. })));
    }

    #[test]
    fn names_decode_hex_escapes() {
        assert_eq!(
            tokens(b"/A#20B /#23 /Lime#20Green /a#b /paired#28#29 /"),
            vec![
                Token::Name(Name(b"A B".to_vec())),
                Token::Name(Name(b"#".to_vec())),
                Token::Name(Name(b"Lime Green".to_vec())),
                Token::Name(Name(b"a#b".to_vec())),
                Token::Name(Name(b"paired()".to_vec())),
                Token::Name(Name(Vec::new())),
            ]
        );
    }

    #[test]
    fn incomplete_windows_ask_for_more() {
        for s in [&b"12"[..], b"/Nam", b"(abc", b"<41", b"<", b"tru"] {
            let mut lx = Lexer::new(s, 0, false);
            assert!(matches!(lx.next_opt(), Err(PErr::Incomplete)), "{s:?}");
            let mut lx = Lexer::new(s, 0, true);
            let r = lx.next_opt();
            assert!(!matches!(r, Err(PErr::Incomplete)), "{s:?}");
        }
    }
}
