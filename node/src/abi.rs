//! `zkos abi` (being written; see issue 15).

use crate::error::{Error, Result};

/// Arguments of `zkos abi`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `zkos abi`.
pub fn main(_args: &Args) -> Result<()> {
    Err(Error::Config("zkos abi is not built yet".into()))
}
