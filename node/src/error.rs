//! The error of the `zkos` command: what went wrong, in which file and field.

use std::fmt;

/// Why a command failed. Each kind has the exit code geth's `evm t8n` uses for it.
#[derive(Debug)]
pub enum Error {
    /// A file could not be read or written.
    Io {
        /// The path.
        path: String,
        /// What the system reported.
        message: String,
    },
    /// A file is not JSON.
    Json {
        /// The file (or `stdin`).
        file: String,
        /// What the parser reported.
        message: String,
    },
    /// A field is missing or holds a bad value.
    Field {
        /// The file (or `stdin`).
        file: String,
        /// The path of the field, e.g. `txs[2].gasPrice`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// An RLP transaction list is malformed.
    Rlp {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A configuration the command does not support (fork, flag combination).
    Config(String),
    /// The block could not be applied.
    Exec(String),
}

impl Error {
    /// A bad or missing field.
    pub fn field(file: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Field { file: file.into(), field: field.into(), message: message.into() }
    }

    /// The process exit code: geth's t8n codes (2 execution, 3 configuration, 10 JSON,
    /// 11 I/O, 12 RLP).
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Exec(_) => 2,
            Self::Config(_) => 3,
            Self::Json { .. } | Self::Field { .. } => 10,
            Self::Io { .. } => 11,
            Self::Rlp { .. } => 12,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, message } => write!(f, "{path}: {message}"),
            Self::Json { file, message } => write!(f, "{file}: invalid JSON: {message}"),
            Self::Field { file, field, message } => write!(f, "{file}: field `{field}`: {message}"),
            Self::Rlp { file, message } => write!(f, "{file}: invalid RLP: {message}"),
            Self::Config(message) => f.write_str(message),
            Self::Exec(message) => write!(f, "block execution: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// `message` on one line: control characters (a newline or tab inside a name taken from a
/// contract, say) are written as escapes (`\n`, `\u{b}`), so an error is always one line.
pub fn one_line(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for c in message.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Results of the `zkos` command.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(one_line("import zkos.a\nb is unknown"), "import zkos.a\\nb is unknown");
        assert_eq!(one_line("x\u{b}y\tz\u{7f}"), "x\\u{b}y\\tz\\u{7f}");
        assert_eq!(one_line("plain: ≤ 5 gas"), "plain: ≤ 5 gas");
    }
}
