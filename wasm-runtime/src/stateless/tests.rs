//! Tests of the stateless module.
