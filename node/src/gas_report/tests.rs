//! Tests of `zkos gas-report`.
