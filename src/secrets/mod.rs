//! The secrets the deployment needs: the catalog, shape checks, the SSM store, and the
//! seed / rotate / rollback operations over it.

pub mod catalog;
pub mod check;
pub mod env;
pub mod live;
pub mod ops;
pub mod ssm;
