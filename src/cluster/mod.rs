//! The cluster, through the operator's own kubectl (contexts, exec auth plugins and all).

pub mod kubectl;
pub mod objects;
pub mod pod;
pub mod volume;
