//! wasm-deploy's error: one line saying what went wrong, and an exit code per kind.

use std::fmt;

/// Why `wasm-deploy` stopped.
#[derive(Debug)]
pub enum Error {
    /// Bad flags or an unreadable file (exit 2).
    Usage(String),
    /// The contract is refused: too large, invalid, no `call` export (exit 3).
    Contract(String),
    /// The node could not be reached or answered with an error (exit 4).
    Node(String),
    /// The deployment was refused or failed: insufficient funds, reverted (exit 5).
    Deploy(String),
}

impl Error {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => 2,
            Self::Contract(_) => 3,
            Self::Node(_) => 4,
            Self::Deploy(_) => 5,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = match self {
            Self::Usage(m) | Self::Contract(m) | Self::Node(m) | Self::Deploy(m) => m,
        };
        // Always one line: a control character from a contract or a node is escaped.
        for c in message.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Results of wasm-deploy.
pub type Result<T, E = Error> = std::result::Result<T, E>;
