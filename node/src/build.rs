//! `zkos build` (being written; see issue 15).

use crate::error::{Error, Result};

/// Arguments of `zkos build`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `zkos build`.
pub fn main(_args: &Args) -> Result<()> {
    Err(Error::Config("zkos build is not built yet".into()))
}
